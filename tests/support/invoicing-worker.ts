// The worker (same code as workers/index.ts) under a test's Redis prefix, with
// a short lock so a job of a killed worker comes back fast. For kill tests.
import { startWorkers } from "../../workers/index.ts";

await startWorkers({
  prefix: process.env.QUEUE_PREFIX,
  schedulers: false,
  concurrency: 4,
  lockDurationMs: Number(process.env.LOCK_MS ?? 3000),
} as Parameters<typeof startWorkers>[0]);
process.stdout.write("ready\n");
