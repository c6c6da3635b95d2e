import { Queue, type JobsOptions } from "bullmq";
import { env } from "~/utils/env.server.ts";
import { queuePrefix, type RedisConnection } from "./connection.server.ts";
import { jobIdFor, QUEUE_NAMES, type QueueName } from "./registry.ts";

// Retries with backoff, and bounded history so Redis does not grow forever.
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

// The platform may be down for a while: submissions retry longer, from PA_RETRY_DELAY_MS.
const QUEUE_JOB_OPTIONS: Partial<Record<QueueName, () => JobsOptions>> = {
  einvoicing: () => ({ ...DEFAULT_JOB_OPTIONS, attempts: 12, backoff: { type: "exponential", delay: env().PA_RETRY_DELAY_MS } }),
};

export function createQueues(connection: RedisConnection, prefix?: string) {
  const queues = new Map<QueueName, Queue>();
  for (const name of QUEUE_NAMES) {
    queues.set(name, new Queue(name, { connection, prefix: queuePrefix(name, prefix), defaultJobOptions: QUEUE_JOB_OPTIONS[name]?.() ?? DEFAULT_JOB_OPTIONS }));
  }
  return {
    get: (name: QueueName) => queues.get(name)!,
    /** The outbox relay's publish: the jobId from the business key makes a re-publish a no-op. */
    async publish(row: { queue: string; jobName: string; businessKey: string; payload: unknown }) {
      const queue = queues.get(row.queue as QueueName);
      if (!queue) throw new Error(`Unknown queue ${row.queue}`);
      await queue.add(row.jobName, row.payload, { jobId: jobIdFor(row.queue, row.businessKey) });
    },
    close: () => Promise.all([...queues.values()].map((q) => q.close())),
  };
}
