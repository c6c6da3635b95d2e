import type { Instance, Plan } from "~/domain/scheduling/instance.ts";
import { addMinutes } from "~/utils/time.ts";
import { addDays, fromParisLocal, PARIS, toParisLocal } from "~/utils/paris-time.ts";
import { db, type Tx } from "./db.server.ts";
import { releasedByAgreement, settleConfirmations } from "./agreements.server.ts";
import { queueNotification } from "./notifications.server.ts";

// The bridge between the database and the assignment engine: it builds the
// engine's instance for one week (Paris wall-clock times) and writes a plan
// back. The engine itself is pure (app/domain/scheduling).

const PLANNABLE = ["ACCEPTED", "SCHEDULED"] as const;
const hours = (minutes: number) => Math.round((minutes / 60) * 4) / 4;
const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

export type PinPolicy =
  /** Instant mode: everything already staffed stays exactly as it is. */
  | { kind: "keep-staffed"; free: string[] }
  /** Weekly optimisation: only what is confirmed within the notice period, or pinned by hand, stays. */
  | { kind: "notice"; lockedBefore: Date };

/** Everything the engine needs for the week starting on `weekStart` (a Monday, YYYY-MM-DD). */
export async function loadWeekInstance(weekStart: string, policy: PinPolicy, tx: Tx = db()): Promise<Instance> {
  const from = fromParisLocal(`${weekStart}T00:00`);
  const to = fromParisLocal(`${addDays(weekStart, 7)}T00:00`);
  const [interventions, workers, supervisors, sites, travel] = await Promise.all([
    tx.intervention.findMany({
      where: { startsAt: { gte: from, lt: to }, status: { in: [...PLANNABLE] } },
      orderBy: [{ startsAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        siteId: true,
        startsAt: true,
        latestStartAt: true,
        durationMinutes: true,
        workersNeeded: true,
        status: true,
        confirmedAt: true,
        supervisorId: true,
        supervisorPinned: true,
        request: { select: { prestation: { select: { skill: { select: { code: true } } } } } },
        assignments: { select: { workerId: true, pinned: true }, orderBy: { workerId: "asc" } },
        agreements: { where: { usedAt: null }, select: { workerId: true } },
      },
    }),
    tx.worker.findMany({
      where: { anonymisedAt: null, contractStart: { lt: to }, contractEnd: { gte: from } },
      orderBy: { id: "asc" },
      select: {
        id: true,
        contractStart: true,
        contractEnd: true,
        weeklyTargetMinutes: true,
        weeklyMaxMinutes: true,
        skills: { select: { skill: { select: { code: true } } } },
        availability: { select: { isoDay: true, fromMinute: true, toMinute: true } },
        absences: { where: { endsAt: { gt: from }, startsAt: { lt: to } }, select: { startsAt: true, endsAt: true } },
      },
    }),
    tx.supervisor.findMany({
      where: { active: true },
      orderBy: { id: "asc" },
      select: {
        id: true,
        maxTeamSize: true,
        weeklyMaxMinutes: true,
        skills: { select: { skill: { select: { code: true } } } },
        availability: { select: { isoDay: true, fromMinute: true, toMinute: true } },
        absences: { where: { endsAt: { gt: from }, startsAt: { lt: to } }, select: { startsAt: true, endsAt: true } },
      },
    }),
    tx.site.findMany({ select: { id: true }, orderBy: { id: "asc" } }),
    tx.siteTravel.findMany({ select: { fromSiteId: true, toSiteId: true, minutes: true } }),
  ]);

  const travelFrom = new Map<string, Record<string, number>>();
  for (const t of travel) {
    const row = travelFrom.get(t.fromSiteId) ?? {};
    row[t.toSiteId] = t.minutes;
    travelFrom.set(t.fromSiteId, row);
  }
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const window = (a: { isoDay: number; fromMinute: number; toMinute: number }) => ({ day: a.isoDay, from: clock(a.fromMinute), to: clock(a.toMinute) });
  const absence = (a: { startsAt: Date; endsAt: Date }) => ({ from: toParisLocal(a.startsAt), to: toParisLocal(a.endsAt) });
  const workerIds = new Set(workers.map((w) => w.id));
  const supervisorIds = new Set(supervisors.map((s) => s.id));

  return {
    timezone: PARIS,
    weekStart,
    sites: sites.map((s) => ({ id: s.id, travelMinutes: travelFrom.get(s.id) ?? {} })),
    workers: workers.map((w) => ({
      id: w.id,
      skills: w.skills.map((s) => s.skill.code),
      // The DPH bounds, whatever a record says: 3 to 16 hours.
      weeklyTargetHours: Math.min(16, Math.max(3, hours(w.weeklyTargetMinutes))),
      weeklyMaxHours: Math.min(16, hours(w.weeklyMaxMinutes)),
      hoursAlreadyPlanned: 0, // every intervention of the week is in the instance
      contractStart: day(w.contractStart),
      contractEnd: day(w.contractEnd),
      availability: w.availability.map(window),
      absences: w.absences.map(absence),
    })),
    supervisors: supervisors.map((s) => ({
      id: s.id,
      skills: s.skills.map((k) => k.skill.code),
      maxTeamSize: s.maxTeamSize,
      weeklyMaxHours: hours(s.weeklyMaxMinutes),
      availability: s.availability.map(window),
      absences: s.absences.map(absence),
    })),
    requests: interventions.map((i) => {
      const staffed = i.status === "SCHEDULED" && i.supervisorId !== null;
      const keepAll =
        policy.kind === "keep-staffed"
          ? staffed && !policy.free.includes(i.id)
          : staffed && i.confirmedAt !== null && i.startsAt < policy.lockedBefore;
      const pinnedWorkers = i.assignments
      // Kept within the notice period, unless the person agreed to a change (recorded by the encadrant).
      .filter((a) => (a.pinned || (keepAll && !(policy.kind === "notice" && releasedByAgreement(i.agreements, a.workerId)))) && workerIds.has(a.workerId)).map((a) => a.workerId);
      const pinnedSupervisor = i.supervisorId && (keepAll || i.supervisorPinned) && supervisorIds.has(i.supervisorId) ? i.supervisorId : undefined;
      const start = toParisLocal(i.startsAt);
      // A kept intervention keeps its time too.
      const latest = !keepAll && i.latestStartAt && i.latestStartAt > i.startsAt ? toParisLocal(i.latestStartAt) : undefined;
      return {
        id: i.id,
        siteId: i.siteId,
        skill: i.request.prestation.skill.code,
        start,
        durationMinutes: i.durationMinutes,
        workersNeeded: i.workersNeeded,
        ...(latest ? { latestStart: latest } : {}),
        ...(pinnedSupervisor || pinnedWorkers.length
          ? { pinned: { ...(pinnedSupervisor ? { supervisorId: pinnedSupervisor } : {}), ...(pinnedWorkers.length ? { workerIds: pinnedWorkers } : {}) } }
          : {}),
      };
    }),
  };
}

/**
 * Serialises every plan write of one week across processes: the second
 * worker waits for the first to commit, then plans from what it wrote.
 */
export async function lockWeek(tx: Tx, weekStart: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`planning:${weekStart}`}))`;
}

/**
 * Writes the plan of the given interventions (others are left untouched). In
 * two steps, so a person moved from one intervention to another never trips
 * the database's no-double-booking rule halfway.
 */
export async function applyPlan(tx: Tx, plan: Plan, interventionIds: readonly string[]) {
  const targets = new Set(interventionIds);
  const assignments = plan.assignments.filter((a) => targets.has(a.requestId));
  const unassigned = plan.unassigned.filter((u) => targets.has(u.requestId));
  const current = await tx.intervention.findMany({
    where: { id: { in: [...targets] } },
    select: { id: true, durationMinutes: true, startsAt: true, status: true },
  });
  const byId = new Map(current.map((i) => [i.id, i]));
  const plannable = (id: string) => (PLANNABLE as readonly string[]).includes(byId.get(id)?.status ?? "");

  const ids = [...targets].filter(plannable);
  await tx.assignment.deleteMany({ where: { interventionId: { in: ids } } });
  await tx.intervention.updateMany({ where: { id: { in: ids } }, data: { supervisorId: null } });

  const moved: { interventionId: string; from: Date; to: Date }[] = [];
  for (const a of assignments) {
    const intervention = byId.get(a.requestId);
    if (!intervention || !plannable(a.requestId)) continue;
    const startsAt = fromParisLocal(a.start);
    const endsAt = addMinutes(startsAt, intervention.durationMinutes);
    const timeChanged = startsAt.getTime() !== intervention.startsAt.getTime();
    if (timeChanged) moved.push({ interventionId: a.requestId, from: intervention.startsAt, to: startsAt });
    // Partners hear of a new team, and of a new time; a change of people alone is ours to handle.
    if (intervention.status === "ACCEPTED") {
      await queueNotification(tx, "intervention.scheduled", { interventionId: a.requestId }, startsAt.toISOString());
    } else if (timeChanged) {
      await queueNotification(tx, "intervention.changed", { interventionId: a.requestId }, startsAt.toISOString(), intervention.startsAt);
    }
    await tx.intervention.update({
      where: { id: a.requestId },
      data: { startsAt, endsAt, supervisorId: a.supervisorId, status: "SCHEDULED", unstaffedRule: null, unstaffedReason: null },
    });
    await tx.assignment.createMany({ data: a.workerIds.map((workerId) => ({ interventionId: a.requestId, workerId, startsAt, endsAt })) });
  }
  for (const u of unassigned) {
    if (!plannable(u.requestId)) continue;
    await tx.intervention.update({
      where: { id: u.requestId },
      data: { status: "ACCEPTED", unstaffedRule: u.rule, unstaffedReason: u.reason },
    });
  }
  await settleConfirmations(tx, ids);
  return { staffed: assignments.length, unstaffed: unassigned.length, moved };
}

/**
 * Plans one week in one transaction, under the week's lock: loads the
 * instance, lets the engine solve it (a pure function passed in), and writes
 * the plan of the target interventions (all of the week's when omitted).
 */
export async function planWeek(
  weekStart: string,
  policy: PinPolicy,
  solve: (instance: Instance) => Promise<Plan> | Plan,
  targetIds?: readonly string[] | ((instance: Instance) => string[]),
) {
  return db().$transaction(
    async (tx) => {
      await lockWeek(tx, weekStart);
      const instance = await loadWeekInstance(weekStart, policy, tx);
      const plan = await solve(instance);
      const targets =
        typeof targetIds === "function" ? targetIds(instance) : (targetIds ?? instance.requests.map((r) => r.id));
      return { instance, plan, ...(await applyPlan(tx, plan, targets)) };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** The interventions of a request still waiting for a team, with their weeks. */
export async function interventionsToStaff(requestId: string) {
  return db().intervention.findMany({
    where: { requestId, status: "ACCEPTED" },
    select: { id: true, startsAt: true },
    orderBy: { startsAt: "asc" },
  });
}

export async function getIntervention(interventionId: string) {
  return db().intervention.findUnique({ where: { id: interventionId }, select: { id: true, startsAt: true, status: true } });
}

export async function startPlanningRun(weekStart: string, trigger: "schedule" | "coordinator") {
  return db().planningRun.create({ data: { weekStart: new Date(`${weekStart}T00:00:00Z`), trigger, status: "running" } });
}

export async function finishPlanningRun(id: string, status: "done" | "failed", stats: object) {
  await db().planningRun.update({ where: { id }, data: { status, stats: stats as never, finishedAt: new Date() } });
}
