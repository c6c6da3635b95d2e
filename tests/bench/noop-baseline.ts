// The scheduling benchmarks' baseline, measured in the same run as what they
// time (the house rule on a shared machine): a no-op BullMQ job on the test Redis.
import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { type Cluster, Redis } from "ioredis";

/**
 * Baseline: seconds per no-op BullMQ job (add in bulk -> completed by a Worker
 * that does nothing, concurrency 50) on a fresh queue of the test Redis (or
 * of the given connection: the topology test's Redis Cluster), removed
 * afterwards. Null without REDIS_URL nor a connection.
 */
export async function measureBaselineSeconds(jobs: number, redis?: Redis | Cluster): Promise<number | null> {
  if ((!redis && !process.env.REDIS_URL) || jobs <= 0) return null;
  const connection = redis ?? new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  // A hash tag: on a cluster every key of the queue shares one slot, as BullMQ's scripts need.
  const prefix = `{bench-noop-${randomBytes(3).toString("hex")}}`;
  const queue = new Queue("noop", { connection, prefix });
  // The worker blocks on its own connection (each kind's duplicate, for the type checker).
  const workerConnection = connection instanceof Redis ? connection.duplicate() : connection.duplicate();
  const worker = new Worker("noop", async () => {}, { connection: workerConnection, prefix, concurrency: 50 });
  try {
    await worker.waitUntilReady();
    const run = async (count: number) => {
      let done = 0;
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const onCompleted = () => {
          if (++done < count) return;
          worker.off("completed", onCompleted);
          resolve();
        };
        worker.on("completed", onCompleted);
        worker.once("failed", (_job, error) => reject(error));
        queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: "noop", data: { i } }))).catch(reject);
      });
      return (performance.now() - started) / 1000 / count;
    };
    await run(Math.max(1, Math.round(jobs / 10))); // warm-up: modules, JIT, Redis scripts
    return await run(jobs);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    workerConnection.disconnect();
    if (!redis) connection.disconnect();
  }
}

export const describeBaseline = (seconds: number | null) =>
  seconds === null ? "skipped (no REDIS_URL: source scripts/test-env.sh)" : `${Math.round(1 / seconds)} jobs/s (${(seconds * 1000).toFixed(2)} ms per job)`;
