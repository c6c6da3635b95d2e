import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { acceptQuote, cancelInterventions, changeRecurrenceTime, createRequest, getRequest } from "~/data/requests.server.ts";
import { expandRecurrence, recurrenceOutlook } from "~/data/recurrence.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { addDays, isoWeekday } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay, orderSchema } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { createOrganisation, createPrestation, createSite, createUser } from "../support/factories.ts";

// The rolling horizon of recurring requests: a series is created up to the
// horizon (8 weeks by default) and the daily job adds the next dates.

const rules = resolveServiceRules({});
const DAY = 86_400_000;
const paris = (d: Date) => parisParts(d);

async function partner() {
  const organisation = await createOrganisation(db());
  const user = await createUser(db(), { organisationId: organisation.id, role: "PARTNER_ADMIN" });
  const site = await createSite(db(), { organisationId: organisation.id });
  const actor: Actor = { userId: user.id, organisationId: organisation.id, role: "PARTNER_ADMIN" };
  return { actor, site };
}

/** A weekly series of `count` dates, starting on an open weekday (and no holiday) 10+ days from now. */
async function weeklyRecurrence(count: number) {
  const p = await partner();
  const prestation = await createPrestation(db());
  let first = nextOpenDay(addDays(paris(new Date()).date, 10), rules);
  // A weekday with no public holiday in the next year keeps the counts exact: Tuesdays rarely are, check anyway.
  while (isoWeekday(first) !== 2) first = nextOpenDay(addDays(first, 1), rules);
  const input = orderSchema.parse({
    submissionKey: `series-${Math.random().toString(36).slice(2)}-0123456789`,
    siteId: p.site.id,
    prestationId: prestation.id,
    date: first,
    startTime: "09:00",
    durationMinutes: "120",
    teamSize: "2",
    recurrence: "WEEKLY",
    recurrenceEnd: "count",
    recurrenceCount: String(count),
  });
  const created = await createRequest(p.actor, input);
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return { ...p, id: created.id, first };
}

const interventionsOf = (requestId: string) =>
  db().intervention.findMany({ where: { requestId }, orderBy: { startsAt: "asc" }, select: { id: true, occurrenceDate: true, startsAt: true, status: true } });

describe("rolling horizon of a series", () => {
  it("creates the dates within the horizon only, and the job adds the next ones once, however often it runs", async () => {
    const { actor, id, first } = await weeklyRecurrence(20);
    const now = new Date();
    const horizon = addDays(paris(now).date, rules.recurrenceHorizonWeeks * 7);
    const initial = await interventionsOf(id);
    expect(initial.length).toBeGreaterThan(0);
    expect(initial.length).toBeLessThan(20);
    expect(initial.every((i) => i.occurrenceDate!.toISOString().slice(0, 10) <= horizon)).toBe(true);
    expect(initial[0]!.occurrenceDate!.toISOString().slice(0, 10)).toBe(first);

    // The partner sees the whole series: created dates and the ones still to come.
    const outlook = await recurrenceOutlook((await getRequest(actor, id))!, now);
    expect(outlook).toMatchObject({ firstDate: first, count: 20, startTime: "09:00" });
    expect(initial.length + outlook!.pending.length).toBe(20);

    expect(await acceptQuote(actor, id)).toMatchObject({ ok: true });
    // Three weeks later, the daily job (frozen clock) adds three weeks of dates, accepted, with one scheduling job.
    const later = new Date(now.getTime() + 21 * DAY);
    const firstRun = await expandRecurrence(later);
    expect(firstRun.created).toBe(3);
    const after = await interventionsOf(id);
    expect(after).toHaveLength(initial.length + 3);
    expect(after.slice(initial.length).every((i) => i.status === "ACCEPTED")).toBe(true);
    const jobs = await db().outboxEvent.findMany({ where: { businessKey: { startsWith: `series-expanded:${id}:` } }, select: { jobName: true, payload: true } });
    expect(jobs).toEqual([{ jobName: "staff-request", payload: { requestId: id } }]);

    // Again, and twice at once: nothing more.
    expect((await expandRecurrence(later)).created).toBe(0);
    const twice = await Promise.all([expandRecurrence(later), expandRecurrence(later)]);
    expect(twice.map((r) => r.created)).toEqual([0, 0]);
    expect(await db().intervention.count({ where: { requestId: id } })).toBe(initial.length + 3);

    // The database itself refuses a second intervention for the same date of the series.
    await expect(
      db().intervention.create({
        data: {
          ...(await db().intervention.findFirstOrThrow({
            where: { requestId: id },
            select: { requestId: true, organisationId: true, siteId: true, startsAt: true, endsAt: true, durationMinutes: true, participantsNeeded: true, occurrenceDate: true },
          })),
        },
      }),
    ).rejects.toThrow();

    // Week after week, the series reaches its count and stops there (a past date is never created).
    for (let week = 4; week <= 32; week += 4) await expandRecurrence(new Date(now.getTime() + week * 7 * DAY));
    expect(await db().intervention.count({ where: { requestId: id } })).toBe(20);
    expect((await expandRecurrence(new Date(now.getTime() + 33 * 7 * DAY))).recurrence).toBe(0);
  });

  it("leaves out a closure day added after the order, when the date is expanded", async () => {
    const { id } = await weeklyRecurrence(15);
    const now = new Date();
    const before = await interventionsOf(id);
    const lastCreated = before[before.length - 1]!.occurrenceDate!.toISOString().slice(0, 10);
    const closed = addDays(lastCreated, 14); // not created yet
    await db().serviceSetting.create({ data: { key: "closureDays", value: [closed] } });
    await expandRecurrence(new Date(now.getTime() + 28 * DAY));
    const dates = (await interventionsOf(id)).map((i) => i.occurrenceDate!.toISOString().slice(0, 10));
    expect(dates).toContain(addDays(lastCreated, 7));
    expect(dates).not.toContain(closed);
    expect(dates).toContain(addDays(lastCreated, 21));
    await db().serviceSetting.delete({ where: { key: "closureDays" } });
  });

  it("changes the time of the dates to come only, created or not yet, and a cancelled series stops growing", async () => {
    const { actor, id } = await weeklyRecurrence(20);
    const start = new Date();
    expect(await acceptQuote(actor, id)).toMatchObject({ ok: true });
    const initial = await interventionsOf(id);
    // Four weeks on (frozen clock), the partner moves the series to 10:00.
    const then = new Date(initial[2]!.startsAt.getTime() + DAY);
    expect(await changeRecurrenceTime(actor, id, "07:00", then)).toMatchObject({ ok: false, status: 400, field: "startTime" });
    expect(await changeRecurrenceTime(actor, id, "10:00", then)).toMatchObject({ ok: true });
    const changed = await interventionsOf(id);
    const clock = (d: Date) => paris(d).minutes;
    expect(changed.slice(0, 3).map((i) => clock(i.startsAt))).toEqual([540, 540, 540]); // past: as they were
    expect(changed.slice(3).every((i) => clock(i.startsAt) === 600)).toBe(true);
    // Same occurrence dates: nothing to re-create.
    expect(changed.map((i) => i.occurrenceDate!.getTime())).toEqual(initial.map((i) => i.occurrenceDate!.getTime()));
    expect(await db().outboxEvent.count({ where: { jobName: "replan-intervention", payload: { path: ["interventionId"], equals: changed[3]!.id } } })).toBe(1);

    await expandRecurrence(new Date(then.getTime() + 14 * DAY));
    const expanded = await interventionsOf(id);
    expect(expanded.length).toBeGreaterThan(changed.length);
    expect(expanded.slice(changed.length).every((i) => clock(i.startsAt) === 600)).toBe(true);

    // Cancelled a week later: the future ones are cancelled, the past kept, and no date is added any more.
    const cancelAt = new Date(then.getTime() + 7 * DAY);
    expect(await cancelInterventions(actor, id, { recurrence: true }, "Fin du chantier", cancelAt)).toMatchObject({ ok: true });
    const cancelled = await interventionsOf(id);
    expect(cancelled.filter((i) => i.startsAt <= cancelAt).every((i) => i.status === "ACCEPTED")).toBe(true);
    expect(cancelled.filter((i) => i.startsAt > cancelAt).every((i) => i.status === "CANCELLED")).toBe(true);
    expect((await expandRecurrence(new Date(start.getTime() + 300 * DAY))).created).toBe(0);
    expect(await db().intervention.count({ where: { requestId: id } })).toBe(cancelled.length);
    const outlook = await recurrenceOutlook((await getRequest(actor, id))!, cancelAt);
    expect(outlook).toMatchObject({ pending: [] });
    expect(outlook!.endedAt).toEqual(cancelAt);
  });

  it("keeps a one-off request as it was: one intervention, nothing for the job", async () => {
    const p = await partner();
    const prestation = await createPrestation(db());
    const input = orderSchema.parse({
      submissionKey: `single-${Math.random().toString(36).slice(2)}-0123456789`,
      siteId: p.site.id,
      prestationId: prestation.id,
      date: nextOpenDay(addDays(paris(new Date()).date, 10), rules),
      startTime: "09:00",
      durationMinutes: "120",
      teamSize: "2",
      recurrence: "NONE",
    });
    const created = await createRequest(p.actor, input);
    const id = created.ok ? created.id : "";
    expect(await interventionsOf(id)).toHaveLength(1);
    expect((await interventionsOf(id))[0]!.occurrenceDate!.toISOString().slice(0, 10)).toBe(input.date);
    await expandRecurrence(new Date(Date.now() + 60 * DAY));
    expect(await interventionsOf(id)).toHaveLength(1);
    expect(await recurrenceOutlook((await getRequest(p.actor, id))!)).toBeNull();
  });
});
