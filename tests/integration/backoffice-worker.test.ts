import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis } from "~/queues/connection.server.ts";
import { listFailedJobs, retryFailedJob, WORKER_HEARTBEAT_KEY, workerHeartbeatAge } from "~/queues/monitoring.server.ts";
import { startWorkers } from "../../workers/index.ts";

// The worker registers the daily retention scheduler and beats in Redis for the dashboard.
const prefix = `test-${randomBytes(4).toString("hex")}`;
process.env.QUEUE_PREFIX = prefix; // read by env() at its first call, below: the dashboard's reads use it
let stop: () => Promise<void>;
const redis = createRedis("worker");

beforeAll(async () => {
  stop = await startWorkers({ prefix, concurrency: 1 });
});
afterAll(async () => {
  await stop?.();
  redis.disconnect();
});

describe("back office in the worker", () => {
  it("writes a heartbeat at start", async () => {
    await expect.poll(async () => Number(await redis.get(WORKER_HEARTBEAT_KEY(prefix))), { timeout: 5000 }).toBeGreaterThan(Date.now() - 60_000);
  });

  it("is read back by the dashboard as a fresh heartbeat", async () => {
    await expect.poll(() => workerHeartbeatAge(), { timeout: 5000 }).toBeLessThan(30_000);
  });

  it("lists a failed job and retries it once", async () => {
    const queue = new Queue("retention", { connection: redis, prefix });
    const job = await queue.add("not-a-job", {}, { attempts: 1 });
    await expect.poll(() => job.isFailed(), { timeout: 10_000 }).toBe(true);
    const failed = await listFailedJobs();
    expect(failed.available && failed.jobs.map((j) => j.id)).toContain(job.id);
    expect(await retryFailedJob("retention", job.id!)).toBe(true);
    await queue.close();
  });

  it("registers the retention job scheduler daily at 03:00, Paris time", async () => {
    const queue = new Queue("retention", { connection: redis, prefix });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz }))).toContainEqual({ key: "daily-retention", pattern: "0 3 * * *", tz: "Europe/Paris" });
    await queue.close();
  });
});
