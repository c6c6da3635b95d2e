// A worker process for tests that kill workers: same code as workers/index.ts,
// under the test's Redis prefix and a short lock so stalled jobs come back fast.
import { startWorkers } from "../../workers/index.ts";

await startWorkers({
  prefix: process.env.QUEUE_PREFIX,
  schedulers: false,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
  lockDurationMs: Number(process.env.LOCK_MS ?? 2000),
});
process.stdout.write("ready\n");
