import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { addManyToOutbox } from "~/data/outbox.server.ts";
import { loadWeekInstance, startPlanningRun } from "~/data/scheduling.server.ts";
import { solveExact } from "~/domain/scheduling/exact.ts";
import { parseInstance } from "~/domain/scheduling/instance.ts";
import { WEEKLY_EXACT, type WeeklySolverReport } from "~/domain/scheduling/weekly-solver.ts";
import { createRedis } from "~/queues/connection.server.ts";
import { jobIdFor } from "~/queues/registry.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createParticipant } from "../support/factories.ts";
import { startWorkerProcess } from "../support/spawn-worker.ts";

// Two optimisations of the same week, the worker process solving both killed
// with SIGKILL while HiGHS works in its worker threads; two other processes
// take the jobs up once their locks lapse: each run ends with the exact
// solver's plan (the same for both: node limits, not the clock), written once
// whole, nobody double-booked.
const prefix = `weekly-chaos-${randomBytes(4).toString("hex")}`;
const children: ChildProcess[] = [];
const connection = createRedis("web");
const queue = new Queue("scheduling", { connection, prefix });

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await queue.close();
  connection.disconnect();
});

const until = async (check: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return check();
};

describe("weekly optimisation under failure", () => {
  it("survives the solving worker killed mid-solve, with a second run of the same week beside it", { timeout: 300_000 }, async () => {
    const week = parisWeekStart(new Date(Date.now() + 35 * DAY_MS));
    const skill = await createSkill(db());
    const prestation = await createPrestation(db(), { skillId: skill.id });
    const site = await createSite(db());
    for (let i = 0; i < 3; i++) await createSupervisor(db(), { skillIds: [skill.id], maxTeamSize: 3 });
    for (let i = 0; i < 8; i++) await createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 360 + 60 * (i % 3) });
    for (let i = 0; i < 24; i++) {
      const startsAt = fromParisLocal(`${addDays(week, i % 5)}T${String(8 + ((i * 3) % 7)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`);
      await createServiceRequest(db(), {
        prestationId: prestation.id,
        siteId: site.id,
        organisationId: site.organisationId,
        teamSize: 1 + (i % 3),
        interventions: [{ startsAt, durationMinutes: 90 + 30 * (i % 4), participantsNeeded: 1 + (i % 3), status: "ACCEPTED" }],
      });
    }
    const parsed = parseInstance(await loadWeekInstance(week, { kind: "notice", lockedBefore: new Date(Date.now() + 7 * DAY_MS) }));
    if (!parsed.ok) throw new Error(parsed.message);
    const expected = await solveExact(parsed.instance, { nodeLimit: WEEKLY_EXACT.nodeLimit, timeLimitSeconds: WEEKLY_EXACT.timeLimitSeconds });
    expect(expected.stats.timeLimitStops).toBe(0); // else the two plans could differ, and the test would say nothing

    // Two coordinators press "Optimiser la semaine" (the outbox rows requestOptimisation writes).
    const runs = [await startPlanningRun(week, "coordinator"), await startPlanningRun(week, "coordinator")];
    await db().$transaction((tx) =>
      addManyToOutbox(
        tx,
        "scheduling",
        "optimise-week",
        runs.map((run) => ({ businessKey: `optimise:${run.id}`, payload: { weekStart: week, runId: run.id } })),
      ),
    );
    const first = await startWorkerProcess(prefix, children);
    // Kill it once both jobs are solving (progress 30: the week read, HiGHS started).
    const solving = async () => {
      const jobs = await Promise.all(runs.map((run) => queue.getJob(jobIdFor("scheduling", `optimise:${run.id}`))));
      return jobs.every((job) => job && typeof job.progress === "number" && job.progress >= 30 && job.progress < 90);
    };
    expect(await until(solving, 60_000)).toBe(true);
    first.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await db().assignment.count({ where: { intervention: { serviceRequest: { prestationId: prestation.id } } } })).toBe(0); // nothing written mid-solve
    // Two processes take the stalled jobs up once their locks lapse (often one each: both solve, one writes first).
    await Promise.all([startWorkerProcess(prefix, children), startWorkerProcess(prefix, children)]);

    const done = async () => (await db().planningRun.count({ where: { id: { in: runs.map((r) => r.id) }, status: { not: "running" } } })) === 2;
    expect(await until(done, 240_000)).toBe(true);
    process.stdout.write(`weekly chaos: both runs done ${Math.round((Date.now() - killedAt) / 1000)} s after the kill\n`);

    for (const run of await db().planningRun.findMany({ where: { id: { in: runs.map((r) => r.id) } } })) {
      expect(run.status).toBe("done");
      expect((run.stats as unknown as { solver: WeeklySolverReport }).solver).toMatchObject({ kind: "exact", reproducible: true });
    }
    // The exact solver's plan, written once whole: every intervention staffed by a whole team or explained.
    const interventions = await db().intervention.findMany({
      where: { serviceRequest: { prestationId: prestation.id } },
      select: { id: true, status: true, participantsNeeded: true, supervisorId: true, unstaffedReason: true, assignments: { select: { participantId: true } } },
    });
    const staffing = Object.fromEntries(
      interventions.filter((i) => i.status === "SCHEDULED").map((i) => [i.id, { supervisorId: i.supervisorId, participantIds: i.assignments.map((a) => a.participantId).sort() }]),
    );
    expect(staffing).toEqual(Object.fromEntries(expected.plan.assignments.map((a) => [a.requestId, { supervisorId: a.supervisorId, participantIds: [...a.participantIds].sort() }])));
    for (const i of interventions) {
      if (i.status === "SCHEDULED") expect(i.assignments).toHaveLength(i.participantsNeeded);
      else expect(i.unstaffedReason).toBeTruthy();
    }
    const overlaps = await db().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Assignment" a JOIN "Assignment" b
        ON a."participantId" = b."participantId" AND a."interventionId" < b."interventionId"
       AND tsrange(a."startsAt", a."endsAt") && tsrange(b."startsAt", b."endsAt")`;
    expect(Number(overlaps[0]!.n)).toBe(0);
  });
});
