import { randomBytes } from "node:crypto";
import { Queue, QueueEvents, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { DEFAULT_JOB_OPTIONS } from "~/queues/queues.server.ts";
import { env } from "~/utils/env.server.ts";
import { startWorkers } from "../../workers/index.ts";
import { createServiceRequest } from "../support/factories.ts";

// A poison job (issue 22): an intervention moved to 9999-12-31 made the
// re-plan job throw "RangeError: Invalid time value" five times over. Every
// payload is now validated again when the job runs, and a job that can never
// succeed fails once, for good, with a reason a person can read.
const prefix = `poison-${randomBytes(4).toString("hex")}`;
let stop: (() => Promise<void>) | undefined;
let connection: Redis;
const queues: Queue[] = [];

beforeAll(async () => {
  connection = new Redis(env().REDIS_URL!, { maxRetriesPerRequest: null }); // the test Redis is one Redis, never a cluster
  stop = await startWorkers({ prefix, concurrency: 2, schedulers: false });
});
afterAll(async () => {
  await stop?.();
  await Promise.all(queues.map((q) => q.close()));
  connection.disconnect();
});

/** Adds a job as the outbox relay would (with the app's retries) and waits for its end. */
async function runJob(queueName: string, name: string, data: unknown): Promise<Job> {
  const queue = new Queue(queueName, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  queues.push(queue);
  const events = new QueueEvents(queueName, { connection: connection.duplicate(), prefix });
  await events.waitUntilReady();
  try {
    const job = await queue.add(name, data);
    await job.waitUntilFinished(events, 20_000).catch(() => {});
    return (await queue.getJob(job.id!))!;
  } finally {
    await events.close();
  }
}

describe("poison jobs", () => {
  it("a week to optimise in year 9999 fails at once, never retried, with the field named", async () => {
    const job = await runJob("scheduling", "optimise-week", { weekStart: "9999-12-27" });
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/Invalid payload for scheduling\/optimise-week: weekStart/);
  });

  it("an invoicing run for month 13 or year 0000 fails at once", async () => {
    for (const month of ["2026-13", "0000-01"]) {
      const job = await runJob("invoicing", "prepare", { month, runKey: `poison-${month}` });
      expect(await job.getState()).toBe("failed");
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/Invalid payload for invoicing\/prepare: month/);
    }
  });

  it("an unknown job fails at once", async () => {
    const job = await runJob("mail", "no-such-job", {});
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/Unknown job mail\/no-such-job/);
  });

  it("re-planning an intervention dated 9999-12-31 (written before dates were checked) fails once with a clear reason, not a RangeError", async () => {
    const serviceRequest = await createServiceRequest(db(), { interventions: [{ startsAt: new Date("9999-12-31T08:00:00Z"), status: "ACCEPTED" }] });
    const interventionId = serviceRequest.interventions[0]!.id;
    const job = await runJob("scheduling", "replan-intervention", { interventionId });
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/outside the dates the app plans/);
    expect(job.failedReason).not.toMatch(/RangeError|Invalid time value/);
  });
});
