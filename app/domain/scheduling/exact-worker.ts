// Worker thread of solveExact (exact.ts): loads HiGHS, solves, posts the result.
import { parentPort, workerData } from "node:worker_threads";
import highsLoader from "highs";
import { solveExactWith, type ExactOptions } from "./exact-model";
import type { Instance } from "./instance";
import { compileProblem } from "./problem";

const { instance, options } = workerData as { instance: Instance; options: ExactOptions };
try {
  const highs = await highsLoader();
  const result = solveExactWith(highs, compileProblem(instance), options);
  parentPort!.postMessage({ ok: true, result });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
}
