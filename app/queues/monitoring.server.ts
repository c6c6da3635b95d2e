import { Queue } from "bullmq";
import { env } from "~/utils/env.server.ts";
import { createRedis, queuePrefix, withTimeout } from "./connection.server.ts";
import { QUEUE_NAMES, type QueueName } from "./registry.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

// What the admin dashboard reads from Redis: failed jobs (with retry) and the
// worker's heartbeat, under the worker's QUEUE_PREFIX. Redis down is an answer ("unavailable"), never a 500.

export const WORKER_HEARTBEAT_MS = 15_000;
export const WORKER_HEARTBEAT_KEY = (prefix = "bull") => `${prefix}:conciergerie:worker-heartbeat`;

let connection: ReturnType<typeof createRedis> | undefined;
const queues = new Map<QueueName, Queue>();

function queue(name: QueueName): Queue {
  if (!connection) {
    connection = createRedis("web");
    connection.on("error", (error) => logRepeatedError("redis.web_connection_error", error));
  }
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, { connection, prefix: queuePrefix(name, env().QUEUE_PREFIX) });
    q.on("error", (error) => logRepeatedError("queue.error", error, { queue: name }));
    queues.set(name, q);
  }
  return q;
}

export type FailedJob = { queue: QueueName; id: string; name: string; failedReason: string; attemptsMade: number; finishedOn: number | null };

/** The last failed jobs of every queue (payloads carry ids only, so nothing personal is shown). */
export async function listFailedJobs(limit = 20): Promise<{ available: true; jobs: FailedJob[]; total: number } | { available: false }> {
  try {
    const perQueue = await withTimeout(
      Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const [jobs, count] = await Promise.all([queue(name).getFailed(0, limit - 1), queue(name).getFailedCount()]);
          return {
            count,
            jobs: jobs
              .filter(Boolean)
              .map((j) => ({ queue: name, id: String(j.id), name: j.name, failedReason: (j.failedReason ?? "").slice(0, 300), attemptsMade: j.attemptsMade, finishedOn: j.finishedOn ?? null })),
          };
        }),
      ),
    );
    const jobs = perQueue
      .flatMap((q) => q.jobs)
      .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
      .slice(0, limit);
    return { available: true, jobs, total: perQueue.reduce((s, q) => s + q.count, 0) };
  } catch {
    return { available: false };
  }
}

/** Puts a failed job back in its queue; false when it is no longer there or no longer failed. */
export async function retryFailedJob(name: QueueName, jobId: string): Promise<boolean> {
  try {
    const job = await withTimeout(queue(name).getJob(jobId));
    if (!job || !(await job.isFailed())) return false;
    await withTimeout(job.retry("failed"));
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since the worker's last heartbeat; null when there is none (or Redis does not answer). */
export async function workerHeartbeatAge(now = Date.now()): Promise<number | null> {
  try {
    queue(QUEUE_NAMES[0]!); // opens the connection
    const value = await withTimeout(connection!.get(WORKER_HEARTBEAT_KEY(env().QUEUE_PREFIX)));
    return value ? Math.max(0, now - Number(value)) : null;
  } catch {
    return null;
  }
}
