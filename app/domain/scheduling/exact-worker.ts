// Worker thread of solveExact and solveHeuristicInWorker (exact.ts): solves, posts the result (and the search's progress).
import { parentPort, workerData } from "node:worker_threads";
import highsLoader from "highs";
import { solveExactWith, weeklySearchResult } from "./exact-pipeline";
import type { ExactOptions, WorkerMode } from "./exact-types";
import type { Instance } from "./instance";
import { compileProblem } from "./problem";

const { instance, options, mode } = workerData as { instance: Instance; options: ExactOptions; mode: WorkerMode };
try {
  const problem = compileProblem(instance);
  const result =
    mode === "heuristic" ? weeklySearchResult(await highsLoader(), problem, options, (share) => parentPort!.postMessage({ progress: share })) : solveExactWith(await highsLoader(), problem, options);
  parentPort!.postMessage({ ok: true, result });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
