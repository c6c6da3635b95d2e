import { Queue } from "bullmq";
import { env } from "~/utils/env.server.ts";
import { createRedis, queuePrefix, withTimeout } from "./connection.server.ts";
import type { QueueName } from "./registry.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

// Reads a job's state and progress for the web (the invoicing run's progress bar).
// Bounded in time: with Redis stalled it throws within seconds, and the caller says "en attente".
const queues = new Map<QueueName, Queue>();

export type JobStatus = { state: string; progress: number; result: unknown; failedReason: string | null };

export async function jobStatus(queueName: QueueName, jobId: string): Promise<JobStatus | null> {
  let queue = queues.get(queueName);
  if (!queue) {
    const connection = createRedis("web");
    connection.on("error", (error) => logRepeatedError("redis.web_connection_error", error));
    queue = new Queue(queueName, { connection, prefix: queuePrefix(queueName, env().QUEUE_PREFIX) });
    queue.on("error", (error) => logRepeatedError("queue.error", error, { queue: queueName }));
    queues.set(queueName, queue);
  }
  return withTimeout(read(queue, jobId));
}

async function read(queue: Queue, jobId: string): Promise<JobStatus | null> {
  const job = await queue.getJob(jobId);
  if (!job) return null;
  const state = await job.getState();
  return {
    state,
    progress: typeof job.progress === "number" ? job.progress : 0,
    result: job.returnvalue ?? null,
    failedReason: job.failedReason ?? null,
  };
}
