// Worker thread of the default CLI (scripts/schedule.ts): runs its share of
// the heuristic searches (a week or a part of one, seed and iterations each) and posts their results,
// in the order given.
import { parentPort, workerData } from "node:worker_threads";
import { solve, type SolveOptions } from "../app/domain/scheduling/engine";
import type { Instance } from "../app/domain/scheduling/instance";

const { runs } = workerData as { runs: Array<{ instance: Instance } & Required<Pick<SolveOptions, "seed" | "iterations">>> };
try {
  parentPort!.postMessage({ ok: true, results: runs.map(({ instance, ...run }) => solve(instance, run)) });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
