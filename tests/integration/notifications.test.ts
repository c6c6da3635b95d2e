import { describe, expect, it } from "vitest";
import { calendarFeed, createCalendarFeed, encadrantCalendarFeed, regenerateCalendarToken, revokeCalendarFeed } from "~/data/calendar.server.ts";
import { db } from "~/data/db.server.ts";
import { deliverNotification, queueNotification, queueNotifications, setMutedNotifications } from "~/data/notifications.server.ts";
import { decideRequest, postMessage } from "~/data/requests.server.ts";
import { staffRequest } from "../../workers/processors/scheduling.ts";
import { buildCalendar } from "~/domain/ical/ics.ts";
import { createOrganisation, createServiceRequest, createSite, createSupervisor, createUser, createParticipant } from "../support/factories.ts";

async function partnerWithRequest() {
  const org = await createOrganisation(db(), { name: "Gare test" });
  const admin = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
  const member = await createUser(db(), { organisationId: org.id, role: "PARTNER_MEMBER" });
  const site = await createSite(db(), { organisationId: org.id, name: "Passerelle Nord" });
  const serviceRequest = await createServiceRequest(db(), {
    organisationId: org.id,
    siteId: site.id,
    interventions: [{ startsAt: new Date("2030-06-04T07:00:00Z"), durationMinutes: 120, status: "SCHEDULED" }],
  });
  return { org, admin, member, serviceRequest, intervention: serviceRequest.interventions[0]! };
}

/** A moment after the digest window (2 minutes by default): the request is quiet. */
const later = () => new Date(Date.now() + 3 * 60_000);

describe("notifications", () => {
  it("mails each partner user who wants it, once, in French, through the outbox", async () => {
    const { admin, member, intervention } = await partnerWithRequest();
    await setMutedNotifications(member.id, ["intervention.scheduled"]);
    await db().$transaction((tx) => queueNotification(tx, "intervention.scheduled", { interventionId: intervention.id }, "v1"));
    const event = await db().outboxEvent.findFirstOrThrow({ where: { queue: "notifications", payload: { path: ["interventionId"], equals: intervention.id } } });
    const payload = event.payload as Parameters<typeof deliverNotification>[0];
    expect(JSON.stringify(payload)).not.toMatch(/@/); // ids only, no personal data
    // Within the digest window (2 minutes by default) the job waits for the request to be quiet.
    expect(await deliverNotification(payload)).toEqual({ waitUntil: expect.any(Date) });
    expect(await deliverNotification(payload, later())).toEqual({ recipients: 2, written: 1 });
    expect(await deliverNotification(payload, later())).toEqual({ recipients: 0, written: 0 }); // a retried job writes nothing new
    const mails = await db().mail.findMany({ where: { dedupeKey: { startsWith: payload.key } } });
    expect(mails.map((m) => m.to)).toEqual([admin.email]);
    expect(mails[0]!.subject).toMatch(/intervention planifiée le 4 juin 2030 à 09:00/);
    expect(mails[0]!.text).toContain("Passerelle Nord");
    expect(await db().outboxEvent.count({ where: { queue: "mail", businessKey: `mail:${mails[0]!.id}` } })).toBe(1);
  });

  it("answers a job whose request is still busy at once, without queueing behind a delivery of its group in progress", async () => {
    const { intervention } = await partnerWithRequest();
    await db().$transaction((tx) => queueNotification(tx, "intervention.scheduled", { interventionId: intervention.id }, "v1"));
    const event = await db().outboxEvent.findFirstOrThrow({ where: { queue: "notifications", payload: { path: ["interventionId"], equals: intervention.id } } });
    const payload = event.payload as Parameters<typeof deliverNotification>[0];
    // Another job holds the group's events (as a delivery does) while this one runs: within the window it waits, and says so at once.
    const answer = await db().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Notification" WHERE key = ${payload.key} FOR UPDATE`;
      return Promise.race([deliverNotification(payload), new Promise((resolve) => setTimeout(() => resolve("blocked"), 2000))]);
    });
    expect(answer).toEqual({ waitUntil: expect.any(Date) });
  });

  it("tells each person once for a burst of events of one request: one digest, whichever job runs first", async () => {
    const { org, admin, member } = await partnerWithRequest();
    const site = await createSite(db(), { organisationId: org.id, name: "Quai 3" });
    const dates = [1, 2, 3, 4, 5, 6].map((d) => ({ startsAt: new Date(`2030-06-0${d}T07:00:00Z`), durationMinutes: 120, status: "SCHEDULED" as const }));
    const recurrence = await createServiceRequest(db(), { organisationId: org.id, siteId: site.id, interventions: dates });
    // Ordered, then staffed a moment later: seven events, two transactions.
    await db().$transaction((tx) => queueNotification(tx, "request.received", { requestId: recurrence.id }, "submitted"));
    await db().$transaction((tx) =>
      queueNotifications(
        tx,
        recurrence.interventions.map((i) => ({ kind: "intervention.scheduled" as const, subject: { interventionId: i.id }, version: "v1" })),
      ),
    );
    const jobs = await db().outboxEvent.findMany({ where: { queue: "notifications", businessKey: { contains: recurrence.id } } });
    const payloads = (await db().outboxEvent.findMany({ where: { queue: "notifications" } }))
      .map((e) => e.payload as Parameters<typeof deliverNotification>[0])
      .filter((p) => p.requestId === recurrence.id || recurrence.interventions.some((i) => i.id === p.interventionId));
    expect(payloads).toHaveLength(7);
    expect(jobs.length).toBeGreaterThan(0);
    // Every job runs (two at once, in any order): one mail per person.
    const results = await Promise.all(payloads.reverse().map((p) => deliverNotification(p, later())));
    expect(results.reduce((n, r) => n + ("written" in r ? r.written : 0), 0)).toBe(2);
    const mails = await db().mail.findMany({ where: { to: { in: [admin.email, member.email] }, subject: { contains: recurrence.reference } } });
    expect(mails).toHaveLength(2);
    expect(mails[0]!.subject).toBe(`${recurrence.reference} : 7 nouvelles`);
    expect(mails[0]!.text).toContain("Demande reçue (6 dates).");
    expect(mails[0]!.text.match(/Intervention planifiée le/g)).toHaveLength(6);
  });

  it("tells coordination of a partner's message and of an intervention no team can do, and the partner of the answer, the decision and the refusal", async () => {
    const { org, admin, serviceRequest } = await partnerWithRequest();
    const coordinator = await createUser(db(), { role: "COORDINATOR" });
    const coordination = { userId: coordinator.id, organisationId: coordinator.membership!.organisationId, role: "COORDINATOR" as const };
    const partner = { userId: admin.id, organisationId: org.id, role: "PARTNER_ADMIN" as const };
    await postMessage(partner, serviceRequest.id, "Le badge est à retirer au poste de sécurité.");
    await postMessage(coordination, serviceRequest.id, "Bien noté, merci.");
    const submitted = await createServiceRequest(db(), {
      organisationId: org.id,
      siteId: serviceRequest.siteId,
      interventions: [{ startsAt: new Date("2030-07-02T07:00:00Z"), durationMinutes: 120, status: "SUBMITTED" }],
    });
    expect(await decideRequest(coordination, submitted.id, { accept: false, reason: "Nous n'intervenons pas en juillet sur ce site." })).toMatchObject({ ok: true });
    const kinds = async (groupKey: string) => (await db().notification.findMany({ where: { groupKey }, orderBy: { createdAt: "asc" } })).map((n) => n.kind);
    expect(await kinds(`staff:request:${serviceRequest.id}`)).toEqual(["message.received"]);
    expect(await kinds(`partner:request:${serviceRequest.id}`)).toEqual(["message.answered"]);
    expect(await kinds(`partner:request:${submitted.id}`)).toEqual(["request.declined"]);

    // Delivered: coordination reads the partner's words, the partner the answer and the refusal's reason.
    for (const n of await db().notification.findMany({
      where: { groupKey: { in: [`staff:request:${serviceRequest.id}`, `partner:request:${serviceRequest.id}`, `partner:request:${submitted.id}`] } },
    })) {
      await deliverNotification(n.payload as Parameters<typeof deliverNotification>[0], later());
    }
    const toCoordinator = await db().mail.findMany({ where: { to: coordinator.email } });
    expect(toCoordinator.map((m) => m.subject)).toEqual([`${serviceRequest.reference} : message de Gare test`]);
    expect(toCoordinator[0]!.text).toContain("Le badge est à retirer au poste de sécurité.");
    const toPartner = (await db().mail.findMany({ where: { to: admin.email }, orderBy: { subject: "asc" } })).map((m) => [m.subject, m.text]);
    expect(toPartner).toEqual([
      [`${serviceRequest.reference} : réponse de la coordination`, expect.stringContaining("Bien noté, merci.")],
      [`Demande ${submitted.reference} refusée`, expect.stringContaining("Motif : Nous n'intervenons pas en juillet sur ce site.")],
    ]);

    // An accepted request no encadrant can take: coordination is told once, with a link to the intervention.
    const nobody = await createServiceRequest(db(), {
      organisationId: org.id,
      siteId: serviceRequest.siteId,
      interventions: [{ startsAt: new Date("2030-07-09T07:00:00Z"), durationMinutes: 120, status: "ACCEPTED" }],
    });
    await staffRequest({ requestId: nobody.id });
    await staffRequest({ requestId: nobody.id });
    const unstaffable = await db().notification.findMany({ where: { groupKey: `staff:request:${nobody.id}` } });
    expect(unstaffable.map((n) => n.kind)).toEqual(["intervention.unstaffable"]);
    await deliverNotification(unstaffable[0]!.payload as Parameters<typeof deliverNotification>[0], later());
    const [mail] = await db().mail.findMany({ where: { to: coordinator.email, subject: { contains: nobody.reference } } });
    expect(mail!.text).toContain(`/planning/interventions/${nobody.interventions[0]!.id}`);
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

  it("serves an encadrant's planning through the same builder: team size and access note, never the people's names", async () => {
    const { org, admin } = await partnerWithRequest();
    const site = await createSite(db(), { organisationId: org.id, name: "Quai Ouest", accessNotes: "Code 1234" });
    const supervisor = await createSupervisor(db(), { firstName: "Sandrine", lastName: "Lefebvre" });
    const person = await createParticipant(db(), { firstName: "Moussa" });
    const serviceRequest = await createServiceRequest(db(), {
      organisationId: org.id,
      siteId: site.id,
      teamSize: 2,
      accessInstructions: "Badge à l'accueil",
      interventions: [
        { startsAt: new Date("2030-06-05T07:00:00Z"), durationMinutes: 120, status: "SCHEDULED", supervisorId: supervisor.id, participantIds: [person.id] },
        { startsAt: new Date("2030-06-06T07:00:00Z"), durationMinutes: 120, status: "CANCELLED", supervisorId: supervisor.id },
        { startsAt: new Date("2030-06-07T07:00:00Z"), durationMinutes: 120, status: "SUBMITTED", supervisorId: supervisor.id },
      ],
    });
    const token = await regenerateCalendarToken({ userId: admin.id, organisationId: org.id, role: "ADMIN" }, supervisor.id);
    const feed = await encadrantCalendarFeed(token, new Date("2030-06-01T00:00:00Z"));
    expect(feed!.name).toBe("Conciergerie Solidaire, Sandrine Lefebvre");
    expect(feed!.events.map((e) => [e.uid, e.cancelled])).toEqual([
      [`${serviceRequest.interventions[0]!.id}@conciergerie-solidaire`, false],
      [`${serviceRequest.interventions[1]!.id}@conciergerie-solidaire`, true],
    ]);
    expect(feed!.events[0]!.description).toBe("Équipe de 2 personnes. Accès : Badge à l'accueil");
    expect(buildCalendar(feed!.name, feed!.events)).not.toContain("Moussa");
    expect(await encadrantCalendarFeed("x".repeat(32))).toBeNull();
    await regenerateCalendarToken({ userId: admin.id, organisationId: org.id, role: "ADMIN" }, supervisor.id);
    expect(await encadrantCalendarFeed(token)).toBeNull();
  });
});
