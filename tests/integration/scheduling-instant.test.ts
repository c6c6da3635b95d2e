import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { loadWeekInstance, lockWeek, staffWaitingInWeek } from "~/data/scheduling.server.ts";
import { insertIntoPlan } from "~/domain/scheduling/engine.ts";
import type { Instance, Plan } from "~/domain/scheduling/instance.ts";
import { addDays, fromParisLocal, parisWeekStart, toParisLocal } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { staffRequest } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createParticipant } from "../support/factories.ts";
import { validatePlan, writtenPlan } from "../support/plan-validator.ts";

// Instant mode computes its insertion before taking the week's lock and checks
// the week under it: these tests make two passes read the same week, so that
// the second finds it changed, and check that nobody is ever booked twice.

async function world(weeksAhead: number, requests: number) {
  const week = parisWeekStart(new Date(Date.now() + weeksAhead * 7 * DAY_MS));
  const skill = await createSkill(db());
  const prestation = await createPrestation(db(), { skillId: skill.id });
  const site = await createSite(db());
  for (let i = 0; i < 2; i++) await createSupervisor(db(), { skillIds: [skill.id], maxTeamSize: 4 });
  for (let i = 0; i < 6; i++) await createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 480 });
  const created = [];
  for (let i = 0; i < requests; i++) {
    // Two at a time at the same hour: they compete for the same people.
    const startsAt = fromParisLocal(`${addDays(week, i % 3)}T${String(8 + 2 * Math.floor(i / 6)).padStart(2, "0")}:00`);
    created.push(
      await createServiceRequest(db(), {
        prestationId: prestation.id,
        siteId: site.id,
        organisationId: site.organisationId,
        teamSize: 2,
        interventions: [{ startsAt, durationMinutes: 90, participantsNeeded: 2, status: "ACCEPTED" }],
      }),
    );
  }
  return { week, serviceRequests: created };
}

/** The week as written, checked by the independent validator: no one twice at once, no cap passed. */
async function checkWritten(week: string) {
  const instance = await loadWeekInstance(week, { kind: "keep-staffed", free: [] });
  const scheduled = await db().intervention.findMany({
    where: { status: "SCHEDULED", startsAt: { gte: fromParisLocal(`${week}T00:00`), lt: fromParisLocal(`${addDays(week, 7)}T00:00`) } },
    select: { id: true, supervisorId: true, assignments: { select: { participantId: true } } },
  });
  expect(validatePlan(instance, writtenPlan(instance, scheduled)).violations).toEqual([]);
  return scheduled;
}

describe("instant mode: insertion computed before the lock, checked under it", () => {
  it("a pass that read the week before another one wrote computes again under the lock: nobody booked twice", async () => {
    const { week, serviceRequests } = await world(9, 12);
    let inserts = 0;
    let bothComputed!: () => void;
    const computed = new Promise<void>((resolve) => (bothComputed = resolve));
    const insert = (instance: Instance) => {
      if (++inserts === 2) bothComputed();
      return insertIntoPlan(instance).plan;
    };
    // Hold the week's lock until both passes have read the same week and computed their insertion outside it.
    const passes = await db().$transaction(async (tx) => {
      await lockWeek(tx, week);
      const passes = [staffWaitingInWeek(week, insert), staffWaitingInWeek(week, insert)];
      await computed;
      return passes;
    });
    const [first, second] = (await Promise.all(passes)).sort((a, b) => Number(b.optimistic) - Number(a.optimistic));
    // The first to take the lock wrote what it had computed; the second found the week changed and computed again.
    expect(first!.optimistic).toBe(true);
    expect(second!.optimistic).toBe(false);
    expect(inserts).toBe(2); // nothing left waiting for the second: no third insertion, nothing written
    expect(first!.staffed).toBeGreaterThan(0);
    expect(second!.staffed).toBe(0);
    const scheduled = await checkWritten(week);
    expect(scheduled).toHaveLength(first!.staffed);
    // Partners told once per intervention.
    const told = await db().notification.findMany({ where: { kind: "intervention.scheduled" }, select: { key: true } });
    for (const i of scheduled) expect(told.filter((t) => t.key.startsWith(`intervention.scheduled:${i.id}:`))).toHaveLength(1);
    const staffedIds = new Set(scheduled.map((i) => i.id));
    expect(serviceRequests.filter((r) => staffedIds.has(r.interventions[0]!.id))).toHaveLength(scheduled.length);
  });

  it("a pass whose week only gained newly accepted interventions since it read writes what it computed; the newcomers wait for the next pass", async () => {
    const { week, serviceRequests } = await world(11, 6);
    const site = await db().site.findUniqueOrThrow({ where: { id: serviceRequests[0]!.siteId } });
    let inserts = 0;
    let computed!: () => void;
    const insertedOnce = new Promise<void>((resolve) => (computed = resolve));
    const insert = (instance: Instance) => {
      inserts++;
      computed();
      return insertIntoPlan(instance).plan;
    };
    // The pass reads the week and computes its insertion while the lock is held; meanwhile a partner accepts a quote in the week.
    const { pass, newcomer } = await db().$transaction(async (tx) => {
      await lockWeek(tx, week);
      const pass = staffWaitingInWeek(week, insert);
      await insertedOnce;
      const newcomer = await createServiceRequest(db(), {
        prestationId: serviceRequests[0]!.prestationId,
        siteId: site.id,
        organisationId: site.organisationId,
        teamSize: 1,
        interventions: [{ startsAt: fromParisLocal(`${addDays(week, 4)}T10:00`), durationMinutes: 60, participantsNeeded: 1, status: "ACCEPTED" }],
      });
      return { pass, newcomer };
    });
    const first = await pass;
    // Its insertion still held: written without computing again under the lock, the newcomer left waiting.
    expect(first.optimistic).toBe(true);
    expect(inserts).toBe(1);
    expect(first.staffed).toBeGreaterThan(0);
    const newcomerId = newcomer.interventions[0]!.id;
    expect(first.scheduled.has(newcomerId)).toBe(false);
    expect(await db().intervention.findUniqueOrThrow({ where: { id: newcomerId }, select: { status: true, unstaffedReason: true } })).toEqual({ status: "ACCEPTED", unstaffedReason: null });
    // Its own job's pass staffs it, around what the first wrote.
    expect(await staffRequest({ requestId: newcomer.id })).toMatchObject({ interventions: 1, staffed: 1 });
    const scheduled = await checkWritten(week);
    expect(scheduled.map((i) => i.id)).toContain(newcomerId);
    expect(scheduled).toHaveLength(first.staffed + 1);
  });

  it("a pass that fails halfway through its writes leaves the week as it was: the team it had cleared is back, nothing staffed, nobody told", async () => {
    const week = parisWeekStart(new Date(Date.now() + 13 * 7 * DAY_MS));
    const skill = await createSkill(db());
    const prestation = await createPrestation(db(), { skillId: skill.id });
    const site = await createSite(db());
    const [first, second] = [await createSupervisor(db(), { skillIds: [skill.id] }), await createSupervisor(db(), { skillIds: [skill.id] })];
    const [busy, placed] = [await createParticipant(db(), { skillIds: [skill.id] }), await createParticipant(db(), { skillIds: [skill.id] })];
    const startsAt = fromParisLocal(`${addDays(week, 1)}T10:00`);
    const request = (status: "SCHEDULED" | "ACCEPTED", participantIds: string[], supervisorId?: string) =>
      createServiceRequest(db(), {
        prestationId: prestation.id,
        siteId: site.id,
        organisationId: site.organisationId,
        teamSize: 1,
        interventions: [{ startsAt, durationMinutes: 60, participantsNeeded: 1, status, participantIds, ...(supervisorId ? { supervisorId } : {}) }],
      });
    await request("SCHEDULED", [busy.id], first.id);
    // Waiting, with someone already on it: the pass clears its team (one statement) before it writes the plan (the next).
    const waiting = (await request("ACCEPTED", [placed.id])).interventions[0]!;
    // A plan the database refuses at the second write: `busy` is booked elsewhere at that time.
    const insert = (): Plan => ({ assignments: [{ requestId: waiting.id, start: toParisLocal(startsAt), supervisorId: second.id, participantIds: [busy.id] }], unassigned: [] });
    await expect(staffWaitingInWeek(week, insert)).rejects.toThrow(/violates exclusion constraint/);
    expect(await db().intervention.findUniqueOrThrow({ where: { id: waiting.id }, select: { status: true, supervisorId: true, confirmedAt: true } })).toEqual({
      status: "ACCEPTED",
      supervisorId: null,
      confirmedAt: null,
    });
    expect(await db().assignment.findMany({ where: { interventionId: waiting.id }, select: { participantId: true } })).toEqual([{ participantId: placed.id }]);
    expect(await db().notification.count({ where: { key: { contains: waiting.id } } })).toBe(0);
    expect(await db().outboxEvent.count({ where: { businessKey: { contains: waiting.id } } })).toBe(0);
    // The connection went back to the pool usable: the next pass of the week staffs it with the engine's plan.
    expect((await staffWaitingInWeek(week, (instance) => insertIntoPlan(instance).plan)).staffed).toBe(1);
    await checkWritten(week);
  });

  it("reads the week on the pool before the lock and on its transaction's connection under it, the same rows: a quiet week's pass writes what it computed", async () => {
    const { week, serviceRequests } = await world(12, 6);
    await staffRequest({ requestId: serviceRequests[0]!.id });
    const staffed = await checkWritten(week);
    expect(staffed.length).toBeGreaterThan(0);
    // A week with teams, confirmations and an open agreement (each a column of the read): nothing changed between the reads.
    await db().scheduleChangeAgreement.create({ data: { interventionId: staffed[0]!.id, participantId: staffed[0]!.assignments[0]!.participantId } });
    const newcomer = await createServiceRequest(db(), {
      prestationId: serviceRequests[0]!.prestationId,
      siteId: serviceRequests[0]!.siteId,
      organisationId: serviceRequests[0]!.organisationId,
      teamSize: 1,
      interventions: [{ startsAt: fromParisLocal(`${addDays(week, 4)}T14:00`), durationMinutes: 60, participantsNeeded: 1, status: "ACCEPTED" }],
    });
    const result = await staffRequest({ requestId: newcomer.id });
    expect(result).toMatchObject({ interventions: 1, staffed: 1 });
    expect(result.timings.passes.map((p) => p.optimistic)).toEqual([true]);
  });

  it("runs every request's job twice, all at once, on one week: each staffed once, nobody booked twice", async () => {
    const { week, serviceRequests } = await world(10, 12);
    const results = await Promise.all([...serviceRequests, ...serviceRequests].map((r) => staffRequest({ requestId: r.id })));
    const scheduled = await checkWritten(week);
    const ids = serviceRequests.map((r) => r.interventions[0]!.id);
    const settled = await db().intervention.findMany({ where: { id: { in: ids } }, select: { status: true, unstaffedReason: true } });
    for (const i of settled) expect(i.status === "SCHEDULED" || i.unstaffedReason !== null).toBe(true);
    expect(scheduled.length).toBeGreaterThan(0);
    // Each intervention counted staffed by the jobs of its request only (both runs see it staffed).
    expect(results.reduce((n, r) => n + r.staffed, 0)).toBeLessThanOrEqual(2 * scheduled.length);
    const assignments = await db().assignment.findMany({ where: { interventionId: { in: ids } } });
    expect(assignments).toHaveLength(scheduled.reduce((n, i) => n + i.assignments.length, 0));
    // Running them again changes nothing.
    const before = await db().assignment.findMany({ where: { interventionId: { in: ids } }, orderBy: [{ interventionId: "asc" }, { participantId: "asc" }] });
    await Promise.all(serviceRequests.map((r) => staffRequest({ requestId: r.id })));
    expect(await db().assignment.findMany({ where: { interventionId: { in: ids } }, orderBy: [{ interventionId: "asc" }, { participantId: "asc" }] })).toEqual(before);
  });
});
