// A worker process for tests that kill workers: same code as workers/index.ts,
// under the test's Redis prefix and a short lock so stalled jobs come back fast.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
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
// SIGUSR2: how late the event loop ran since the last SIGUSR2 (benchmarks: a blocked loop delays every job), as one line.
// and how busy it was (event-loop utilisation: the share of the time it ran code).
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
let since = performance.eventLoopUtilization();
process.on("SIGUSR2", () => {
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  const busy = Math.round(100 * performance.eventLoopUtilization(since).utilization);
  process.stdout.write(`event-loop ${JSON.stringify({ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), busy })}\n`);
  loop.reset();
  since = performance.eventLoopUtilization();
});
