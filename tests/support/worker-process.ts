// A worker process for tests that kill workers: same code as workers/index.ts,
// under the test's Redis prefix and a short lock so stalled jobs come back fast.
import { startWorkers } from "../../workers/index.ts";

const stop = await startWorkers({
  prefix: process.env.QUEUE_PREFIX,
  schedulers: false,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
  lockDurationMs: Number(process.env.LOCK_MS ?? 2000),
});
process.stdout.write("ready\n");
// SIGTERM: a clean stop (benchmarks profile the worker); SIGKILL stays a crash.
process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
