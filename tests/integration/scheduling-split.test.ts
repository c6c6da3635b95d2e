import { Queue, Worker, type Job } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { loadWeekInstance } from "~/data/scheduling.server.ts";
import { computeObjective } from "~/domain/scheduling/objective.ts";
import type { Plan } from "~/domain/scheduling/instance.ts";
import { createRedis } from "~/queues/connection.server.ts";
import { closeFlows } from "~/queues/flows.server.ts";
import { jobStatus } from "~/queues/job-status.server.ts";
import { runProgress } from "~/queues/planning-progress.server.ts";
import { parsePayload, type JobPayload } from "~/queues/registry.ts";
import { env } from "~/utils/env.server.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { optimisePart, optimiseWeek } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createParticipant } from "../support/factories.ts";
import { validatePlan } from "../support/plan-validator.ts";

// The weekly optimisation of a big week, split into independent parts (one per
// structure: its own skill, encadrant, people and site) solved by child jobs
// of a real BullMQ worker, then merged under the week's lock. The split
// threshold is lowered so that a small week splits.

const SPLIT = { minRequests: 4, maxParts: 3 };
const weekIn = (weeks: number) => parisWeekStart(new Date(Date.now() + weeks * 7 * DAY_MS));
const prefix = env().QUEUE_PREFIX; // the one the planning board reads progress under
const connection = createRedis("worker");
const queue = new Queue("scheduling", { connection, prefix });
let gate: Promise<void> = Promise.resolve();
const worker = new Worker(
  "scheduling",
  async (job: Job, token?: string) => {
    const payload = parsePayload("scheduling", job.name, job.data);
    if (job.name === "optimise-part") {
      await gate; // lets the test see the week's job waiting for its parts
      return optimisePart(payload as JobPayload<"scheduling", "optimise-part">, job);
    }
    return optimiseWeek(payload as JobPayload<"scheduling", "optimise-week">, job, undefined, undefined, { token, split: SPLIT });
  },
  { connection: createRedis("worker"), prefix, concurrency: 4 },
);

afterAll(async () => {
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await closeFlows();
  connection.disconnect();
});

/** Three structures of their own, each with 4 interventions that compete for its 2 people and its encadrant. */
async function city(week: string) {
  for (let s = 0; s < 3; s++) {
    const skill = await createSkill(db());
    const prestation = await createPrestation(db(), { skillId: skill.id });
    const site = await createSite(db());
    await createSupervisor(db(), { skillIds: [skill.id], maxTeamSize: 4 });
    for (let i = 0; i < 2; i++) await createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 300, weeklyMaxMinutes: 420 });
    for (let i = 0; i < 4; i++) {
      const startsAt = fromParisLocal(`${addDays(week, i % 2)}T${i < 2 ? "09:00" : "10:30"}`);
      await createServiceRequest(db(), {
        prestationId: prestation.id,
        siteId: site.id,
        organisationId: site.organisationId,
        teamSize: 1 + (i % 2),
        interventions: [{ startsAt, durationMinutes: 120 + 30 * i, participantsNeeded: 1 + (i % 2), status: "ACCEPTED" }],
      });
    }
  }
}

const bounds = (week: string) => ({ gte: fromParisLocal(`${week}T00:00`), lt: fromParisLocal(`${addDays(week, 7)}T00:00`) });

/** The week's plan as written, its validity (independent validator) and its objective. */
async function written(week: string) {
  const instance = await loadWeekInstance(week, { kind: "notice", lockedBefore: new Date() });
  const rows = await db().intervention.findMany({
    where: { startsAt: bounds(week) },
    orderBy: { id: "asc" },
    select: { id: true, status: true, supervisorId: true, assignments: { select: { participantId: true }, orderBy: { participantId: "asc" } } },
  });
  const staffed = rows.filter((i) => i.status === "SCHEDULED");
  const plan: Plan = {
    assignments: staffed.map((i) => ({
      requestId: i.id,
      start: instance.requests.find((r) => r.id === i.id)!.start,
      supervisorId: i.supervisorId!,
      participantIds: i.assignments.map((a) => a.participantId),
    })),
    unassigned: rows.filter((i) => i.status !== "SCHEDULED").map((i) => ({ requestId: i.id, rule: "H7" as const, reason: "-" })),
  };
  return { rows, violations: validatePlan(instance, plan).violations, objective: computeObjective(instance, plan) };
}

async function unplan(week: string) {
  const ids = (await db().intervention.findMany({ where: { startsAt: bounds(week) }, select: { id: true } })).map((i) => i.id);
  await db().assignment.deleteMany({ where: { interventionId: { in: ids } } });
  await db().intervention.updateMany({ where: { id: { in: ids } }, data: { status: "ACCEPTED", supervisorId: null, confirmedAt: null, unstaffedRule: null, unstaffedReason: null } });
}

async function finished(job: Job, timeoutMs = 240_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const state = await job.getState();
    if (state === "completed") return (await queue.getJob(job.id!))!;
    if (state === "failed") throw new Error(`job failed: ${(await queue.getJob(job.id!))?.failedReason}`);
  }
  throw new Error("job did not finish in time");
}

describe("weekly optimisation of a week that splits into independent parts", () => {
  it("solves the parts in child jobs, one bar for the week, and writes the same plan validity and cost as the single job", { timeout: 600_000 }, async () => {
    const week = weekIn(11);
    await city(week);

    // The single job, as today (no BullMQ job: never split).
    await optimiseWeek({ weekStart: week });
    const single = await written(week);
    expect(single.violations).toEqual([]);
    expect(single.objective.servedParticipantMinutes).toBeGreaterThan(0);
    await unplan(week);

    // Split: the parts wait at the gate while the week's job waits for them.
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const run = await db().planningRun.create({ data: { weekStart: new Date(`${week}T00:00:00Z`), trigger: "coordinator", status: "running" } });
    const parent = await queue.add("optimise-week", { weekStart: week, runId: run.id }, { jobId: `scheduling-optimise_${run.id}` });
    let status = await jobStatus("scheduling", parent.id!);
    for (const deadline = Date.now() + 120_000; status?.state !== "waiting-children" && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      status = await jobStatus("scheduling", parent.id!);
    }
    expect(status).toMatchObject({ state: "waiting-children", progress: 30, children: [0, 0, 0] });
    expect(await runProgress({ id: run.id, status: "running", stats: null })).toMatchObject({ state: "waiting-children", progress: 30 });
    open();
    const done = await finished(parent);
    expect(done.returnvalue).toMatchObject({ week, interventions: 12, parts: 3 });
    const split = await written(week);
    expect(split.violations).toEqual([]);
    expect(split.objective).toEqual(single.objective);
    const report = await db().planningRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(report.status).toBe("done");
    expect((report.stats as { solver: { notes: string[] } }).solver.notes[0]).toBe("semaine planifiée en 3 parties indépendantes, en parallèle");

    // The week's job run again after its parts ended (a worker taken up again): the same plan, nothing else.
    const again = await optimiseWeek(parsePayload("scheduling", "optimise-week", done.data) as JobPayload<"scheduling", "optimise-week">, done);
    expect(again).toMatchObject({ parts: 3, staffed: done.returnvalue.staffed });
    expect((await written(week)).rows).toEqual(split.rows);

    // Two week jobs at once on the same week: each waits for the lock, nobody booked twice, the same cost.
    await unplan(week);
    const twice = await Promise.all([queue.add("optimise-week", { weekStart: week }, { jobId: "split-twice-a" }), queue.add("optimise-week", { weekStart: week }, { jobId: "split-twice-b" })]);
    await Promise.all(twice.map((job) => finished(job)));
    const after = await written(week);
    expect(after.violations).toEqual([]);
    expect(after.objective).toEqual(single.objective);
  });
});
