import { describe, expect, it } from "vitest";
import { calendarFeed, createCalendarFeed, revokeCalendarFeed } from "~/data/calendar.server.ts";
import { db } from "~/data/db.server.ts";
import { deliverNotification, queueNotification, setMutedNotifications } from "~/data/notifications.server.ts";
import { buildCalendar } from "~/domain/ical/ics.ts";
import { createOrganisation, createServiceRequest, createSite, createUser } from "../support/factories.ts";

async function partnerWithRequest() {
  const org = await createOrganisation(db(), { name: "Gare test" });
  const admin = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
  const member = await createUser(db(), { organisationId: org.id, role: "PARTNER_MEMBER" });
  const site = await createSite(db(), { organisationId: org.id, name: "Passerelle Nord" });
  const request = await createServiceRequest(db(), {
    organisationId: org.id,
    siteId: site.id,
    interventions: [{ startsAt: new Date("2030-06-04T07:00:00Z"), durationMinutes: 120, status: "SCHEDULED" }],
  });
  return { org, admin, member, request, intervention: request.interventions[0]! };
}

describe("notifications", () => {
  it("mails each partner user who wants it, once, in French, through the outbox", async () => {
    const { admin, member, intervention } = await partnerWithRequest();
    await setMutedNotifications(member.id, ["intervention.scheduled"]);
    await db().$transaction((tx) => queueNotification(tx, "intervention.scheduled", { interventionId: intervention.id }, "v1"));
    const event = await db().outboxEvent.findFirstOrThrow({ where: { queue: "notifications" } });
    const payload = event.payload as Parameters<typeof deliverNotification>[0];
    expect(JSON.stringify(payload)).not.toMatch(/@/); // ids only, no personal data
    expect(await deliverNotification(payload)).toEqual({ recipients: 1, written: 1 });
    expect(await deliverNotification(payload)).toEqual({ recipients: 1, written: 0 }); // a retried job writes nothing new
    const mails = await db().mail.findMany({ where: { dedupeKey: { startsWith: payload.key } } });
    expect(mails.map((m) => m.to)).toEqual([admin.email]);
    expect(mails[0]!.subject).toMatch(/intervention planifiée le 4 juin 2030 à 09:00/);
    expect(mails[0]!.text).toContain("Passerelle Nord");
    expect(await db().outboxEvent.count({ where: { queue: "mail", businessKey: `mail:${mails[0]!.id}` } })).toBe(1);
  });

  it("serves a partner's calendar behind a secret that can be revoked", async () => {
    const { admin, org, intervention } = await partnerWithRequest();
    const actor = { userId: admin.id, organisationId: org.id, role: "PARTNER_ADMIN" as const };
    const token = await createCalendarFeed(actor);
    const feed = await calendarFeed(token, new Date("2030-06-01T00:00:00Z"));
    expect(feed!.events.map((e) => e.uid)).toEqual([`${intervention.id}@conciergerie-solidaire`]);
    expect(buildCalendar(feed!.name, feed!.events)).toContain("DTSTART:20300604T070000Z");
    const replaced = await createCalendarFeed(actor);
    expect(await calendarFeed(token)).toBeNull();
    await revokeCalendarFeed(actor);
    expect(await calendarFeed(replaced)).toBeNull();
  });
});
