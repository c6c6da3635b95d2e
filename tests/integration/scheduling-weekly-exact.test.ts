import type { Job } from "bullmq";
import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { loadWeekInstance, startPlanningRun } from "~/data/scheduling.server.ts";
import highsLoader from "highs";
import { weeklyIterations } from "~/domain/scheduling/engine.ts";
import { solveExact } from "~/domain/scheduling/exact.ts";
import { weeklySearchResult } from "~/domain/scheduling/exact-pipeline.ts";
import { compileProblem } from "~/domain/scheduling/problem.ts";
import { parseInstance, type Instance, type Plan } from "~/domain/scheduling/instance.ts";
import { describeWeeklySolver, WEEKLY_EXACT, weeklySolverOptions, type WeeklySolverReport } from "~/domain/scheduling/weekly-solver.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { optimiseWeek } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createParticipant } from "../support/factories.ts";
import { validatePlan } from "../support/plan-validator.ts";

// The weekly optimisation's choice of solver, on real PostgreSQL: the exact
// solver (HiGHS, in a worker thread) on a small week, the heuristic beyond the
// size limit, and a week that changes while the solver works. Each test has
// its own week (the notice period is 7 days: these weeks are far enough to be
// re-planned whole) and its own skill, so earlier tests' people never qualify.
const weekIn = (weeks: number) => parisWeekStart(new Date(Date.now() + weeks * 7 * DAY_MS));
const notice = { kind: "notice" as const, lockedBefore: new Date(Date.now() + 7 * DAY_MS) };

async function world(participants: number, overrides: { weeklyMaxMinutes?: number } = {}) {
  const skill = await createSkill(db());
  const prestation = await createPrestation(db(), { skillId: skill.id });
  const site = await createSite(db());
  const supervisor = await createSupervisor(db(), { skillIds: [skill.id], maxTeamSize: 4 });
  const people = [];
  for (let i = 0; i < participants; i++) people.push(await createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 420, ...overrides }));
  const request = (startsAt: Date, durationMinutes: number, participantsNeeded = 1) =>
    createServiceRequest(db(), {
      prestationId: prestation.id,
      siteId: site.id,
      organisationId: site.organisationId,
      teamSize: participantsNeeded,
      durationMinutes,
      interventions: [{ startsAt, durationMinutes, participantsNeeded, status: "ACCEPTED" }],
    });
  return { supervisor, participants: people, request };
}

function parsed(instance: Instance): Instance {
  const result = parseInstance(instance);
  if (!result.ok) throw new Error(result.message);
  return result.instance;
}

/** The week's staffing as written: intervention -> encadrant and team, the unstaffed apart. */
async function writtenPlan(week: string) {
  const interventions = await db().intervention.findMany({
    where: { startsAt: { gte: fromParisLocal(`${week}T00:00`), lt: fromParisLocal(`${addDays(week, 7)}T00:00`) } },
    orderBy: { id: "asc" },
    select: { id: true, status: true, supervisorId: true, unstaffedRule: true, assignments: { select: { participantId: true } } },
  });
  return {
    staffed: Object.fromEntries(
      interventions.filter((i) => i.status === "SCHEDULED").map((i) => [i.id, { supervisorId: i.supervisorId, participantIds: i.assignments.map((a) => a.participantId).sort() }]),
    ),
    unstaffed: interventions.filter((i) => i.status === "ACCEPTED").map((i) => i.id),
    explained: interventions.filter((i) => i.status === "ACCEPTED").every((i) => i.unstaffedRule !== null),
  };
}

const staffingOf = (plan: Plan) => Object.fromEntries(plan.assignments.map((a) => [a.requestId, { supervisorId: a.supervisorId, participantIds: [...a.participantIds].sort() }]));

async function lastRunSolver() {
  const run = await db().planningRun.findFirstOrThrow({ orderBy: { startedAt: "desc" } });
  expect(run.status).toBe("done");
  return (run.stats as unknown as { solver: WeeklySolverReport }).solver;
}

describe("weekly optimisation: exact solver or heuristic", () => {
  it("plans a small week at the proven optimum, the plan solveExact finds, and the same plan again", { timeout: 180_000 }, async () => {
    const week = weekIn(5);
    const tuesday = addDays(week, 1);
    // One worker capped at 7 h: the long middle job (4 h) overlaps both others
    // (3 h each). The optimum serves the morning and the afternoon: 6 h, not 4.
    const w = await world(1, { weeklyMaxMinutes: 420 });
    const middle = await w.request(fromParisLocal(`${tuesday}T10:00`), 240);
    const morning = await w.request(fromParisLocal(`${tuesday}T08:00`), 180);
    const afternoon = await w.request(fromParisLocal(`${tuesday}T13:00`), 180);
    const ids = (r: { id: string }) =>
      db()
        .intervention.findFirstOrThrow({ where: { requestId: r.id }, select: { id: true } })
        .then((i) => i.id);
    const [middleId, morningId, afternoonId] = [await ids(middle), await ids(morning), await ids(afternoon)];

    const instance = parsed(await loadWeekInstance(week, notice));
    const expected = await solveExact(instance, { nodeLimit: WEEKLY_EXACT.nodeLimit, timeLimitSeconds: WEEKLY_EXACT.timeLimitSeconds });
    expect(expected.stats.optimal).toBe(true);

    const stats = await optimiseWeek({ weekStart: week });
    expect(stats.solver).toMatchObject({ kind: "exact", optimal: true, servedOptimal: true, gapPercent: 0, reproducible: true, requests: 3 });
    expect(await lastRunSolver()).toEqual(stats.solver);
    expect(describeWeeklySolver(stats.solver)[0]).toMatch(/^Optimum prouvé par le solveur exact/);

    const written = await writtenPlan(week);
    const one = { supervisorId: w.supervisor.id, participantIds: [w.participants[0]!.id] };
    expect(written.staffed).toEqual({ [morningId]: one, [afternoonId]: one });
    expect(written.unstaffed).toEqual([middleId]);
    expect(written.explained).toBe(true);
    expect(written.staffed).toEqual(staffingOf(expected.plan));

    // Node limits, not the clock, bound the solver: the same week gives the same plan.
    const again = await optimiseWeek({ weekStart: week });
    expect(again.solver).toMatchObject({ kind: "exact", optimal: true, reproducible: true });
    expect(again.moved).toBe(0);
    expect((await writtenPlan(week)).staffed).toEqual(written.staffed);
  });

  it("leaves a week above the size limit to the heuristic and the day windows, says so, and writes their plan", { timeout: 120_000 }, async () => {
    const week = weekIn(6);
    const w = await world(3);
    for (let day = 0; day < 4; day++) await w.request(fromParisLocal(`${addDays(week, day)}T09:00`), 120, 2);
    const instance = parsed(await loadWeekInstance(week, notice));
    expect(instance.requests).toHaveLength(4);
    // The weekly job's search (heuristic, then day windows), in its worker thread: same budget, same plan.
    const limits = { ...WEEKLY_EXACT, maxRequests: 3 };
    const expected = weeklySearchResult(await highsLoader(), compileProblem(instance), weeklySolverOptions(limits, weeklyIterations(4)));
    expect(expected.stats.windowsSolved).toBeGreaterThan(0);

    const stats = await optimiseWeek({ weekStart: week }, undefined, new Date(), limits);
    expect(stats.solver).toMatchObject({ kind: "heuristic", why: "too-large", requests: 4, maxRequests: 3, optimal: false, gapPercent: null, reproducible: true });
    expect(await lastRunSolver()).toEqual(stats.solver);
    const [verdict, ...rest] = describeWeeklySolver(stats.solver);
    expect(verdict).toMatch(
      /^Semaine trop grande pour le solveur exact \(4 interventions, en groupes de plus de 3 qui partagent des personnes\) : heuristique( \([\d,]+ s de recherche\))?, sans preuve d'optimum\.$/,
    );
    // Every intervention was staffed already: the windows, then the whole group, confirm the plan.
    expect(rest).toEqual([
      expect.stringMatching(/^Puis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé : aucune amélioration en \d+ résolutions\.$/),
      "Puis le groupe résolu en entier : minutes servies au maximum, prouvé par le solveur exact.",
    ]);
    expect((await writtenPlan(week)).staffed).toEqual(staffingOf(expected.plan));
  });

  it("solves a big week's small independent groups exactly and leaves the rest to the heuristic", { timeout: 180_000 }, async () => {
    const week = weekIn(9);
    // Two teams with their own skill, people and site: nobody could work in both groups.
    const small = await world(1, { weeklyMaxMinutes: 420 });
    const large = await world(3);
    const tuesday = addDays(week, 1);
    const middle = await small.request(fromParisLocal(`${tuesday}T10:00`), 240);
    await small.request(fromParisLocal(`${tuesday}T08:00`), 180);
    await small.request(fromParisLocal(`${tuesday}T13:00`), 180);
    for (let day = 0; day < 4; day++) await large.request(fromParisLocal(`${addDays(week, day)}T09:00`), 120, 2);
    const instance = parsed(await loadWeekInstance(week, notice));
    expect(instance.requests).toHaveLength(7);

    // 7 interventions, over a limit of 4: before, the whole week went to the heuristic.
    const stats = await optimiseWeek({ weekStart: week }, undefined, new Date(), { ...WEEKLY_EXACT, maxRequests: 4 });
    expect(stats.solver).toMatchObject({ kind: "exact", requests: 7, maxRequests: 4, optimal: false, reproducible: true });
    const windowsLine = /^[pP]uis revu par le solveur exact, un à trois jours à la fois, le reste de la semaine fixé : aucune amélioration en \d+ résolutions\.?$/;
    const wholeLine = "puis le groupe résolu en entier : minutes servies au maximum, prouvé par le solveur exact";
    expect(stats.solver.notes).toEqual(["groupe de 4 interventions au-delà des 4 interventions résolues exactement : heuristique", expect.stringMatching(windowsLine), wholeLine]);
    expect(stats.solver.heuristicGroups).toBe(1);
    expect(describeWeeklySolver(stats.solver)).toEqual([
      expect.stringMatching(/^Écart à l'optimum : [\d,]+ % au plus sur les heures servies \(une partie de la semaine planifiée par l'heuristique\)\.$/),
      "Groupe de 4 interventions au-delà des 4 interventions résolues exactement : heuristique.",
      expect.stringMatching(windowsLine),
      "Puis le groupe résolu en entier : minutes servies au maximum, prouvé par le solveur exact.",
    ]);
    // The small group at its optimum (the two 3-hour jobs, not the 4-hour one), the large one fully staffed.
    const written = await writtenPlan(week);
    const middleId = (await db().intervention.findFirstOrThrow({ where: { requestId: middle.id }, select: { id: true } })).id;
    expect(written.unstaffed).toEqual([middleId]);
    expect(Object.keys(written.staffed)).toHaveLength(6);
  });

  it("never changes what has already started: its team stays, and nobody is sent after the fact", { timeout: 120_000 }, async () => {
    const week = weekIn(-1); // last week: every intervention has started
    const w = await world(2);
    const tuesday = addDays(week, 1);
    const waiting = await w.request(fromParisLocal(`${tuesday}T08:00`), 120);
    // Staffed by hand and never confirmed (outside the notice period's protection): history all the same.
    const done = await createServiceRequest(db(), {
      prestationId: (await db().serviceRequest.findUniqueOrThrow({ where: { id: waiting.id } })).prestationId,
      siteId: waiting.siteId,
      organisationId: waiting.organisationId,
      teamSize: 1,
      durationMinutes: 120,
      interventions: [
        { startsAt: fromParisLocal(`${tuesday}T14:00`), durationMinutes: 120, participantsNeeded: 1, status: "SCHEDULED", supervisorId: w.supervisor.id, participantIds: [w.participants[1]!.id] },
      ],
    });
    const before = await writtenPlan(week);
    expect(Object.keys(before.staffed)).toHaveLength(1);

    const stats = await optimiseWeek({ weekStart: week });
    expect(stats.interventions).toBe(1); // the kept one, for the week's hours; the one nobody staffed is left out
    expect(stats.staffed).toBe(0);
    const after = await writtenPlan(week);
    expect(after.staffed).toEqual(before.staffed);
    expect(after.staffed[done.interventions[0]!.id]).toEqual({ supervisorId: w.supervisor.id, participantIds: [w.participants[1]!.id] });
    expect(after.unstaffed).toEqual(before.unstaffed);
  });

  it("solves again when the week changes during the solve, and leaves it to the heuristic if it keeps changing", { timeout: 240_000 }, async () => {
    const week = weekIn(7);
    const w = await world(4);
    await w.request(fromParisLocal(`${addDays(week, 0)}T09:00`), 120, 2);
    await w.request(fromParisLocal(`${addDays(week, 1)}T09:00`), 120, 2);
    // Progress 30 is reported once the week is read, as the solver starts: a
    // request accepted then (here, by the test) makes the solved week stale.
    let added = 0;
    const acceptingDuringSolve = (times: number) =>
      ({
        updateProgress: async (progress: number) => {
          if (progress !== 30 || added >= times) return;
          added++;
          await w.request(fromParisLocal(`${addDays(week, 2 + added)}T14:00`), 90, 1);
        },
      }) as unknown as Job;

    const once = await optimiseWeek({ weekStart: week }, acceptingDuringSolve(1));
    expect(added).toBe(1);
    expect(once.solver).toMatchObject({ kind: "exact", optimal: true });
    expect(once.interventions).toBe(3); // the second attempt read the new request

    added = 0;
    const always = await optimiseWeek({ weekStart: week }, acceptingDuringSolve(Number.POSITIVE_INFINITY));
    expect(added).toBe(2); // one per exact attempt
    expect(always.solver).toMatchObject({ kind: "heuristic", why: "week-changed", optimal: false });
    expect(always.interventions).toBe(5);
    expect(describeWeeklySolver(always.solver)[0]).toMatch(/La semaine a changé pendant le calcul exact/);

    // What was written holds the hard rules on the week as it is now, every intervention staffed or explained.
    const instance = parsed(await loadWeekInstance(week, notice));
    const written = await writtenPlan(week);
    expect(written.explained).toBe(true);
    expect(Object.keys(written.staffed).length + written.unstaffed.length).toBe(5);
    const scheduled = await db().intervention.findMany({ where: { id: { in: Object.keys(written.staffed) } }, select: { id: true } });
    const plan: Plan = {
      assignments: scheduled.map((i) => ({
        requestId: i.id,
        start: instance.requests.find((r) => r.id === i.id)!.start,
        supervisorId: written.staffed[i.id]!.supervisorId!,
        participantIds: written.staffed[i.id]!.participantIds,
      })),
      unassigned: written.unstaffed.map((id) => ({ requestId: id, rule: "capacity" as const, reason: "-" })),
    };
    expect(validatePlan(instance, plan).violations).toEqual([]);
  });

  it("carries a weekly job taken up again on the run it started, rather than leaving that one running", async () => {
    const week = weekIn(8);
    const first = await startPlanningRun(week, "schedule", "repeat:weekly-optimisation:1796940000000");
    await db().planningRun.update({ where: { id: first.id }, data: { status: "failed", finishedAt: new Date() } });
    const again = await startPlanningRun(week, "schedule", "repeat:weekly-optimisation:1796940000000");
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ status: "running", finishedAt: null });
    const other = await startPlanningRun(week, "schedule", "repeat:weekly-optimisation:1797544800000");
    expect(other.id).not.toBe(first.id);
    expect(await db().planningRun.count({ where: { weekStart: new Date(`${week}T00:00:00Z`) } })).toBe(2);
  });
});
