// Worker thread of the default CLI (scripts/schedule.ts): runs the heuristic
// searches it is sent, one at a time (a week or a part of one, seed and
// iterations each), and posts each result with the index it came with.
import { parentPort } from "node:worker_threads";
import { solve, type SolveOptions } from "../app/domain/scheduling/engine";
import type { Instance } from "../app/domain/scheduling/instance";

type Run = { instance: Instance } & Required<Pick<SolveOptions, "seed" | "iterations">>;

parentPort!.on("message", ({ index, run }: { index: number; run: Run }) => {
  try {
    const { instance, ...options } = run;
    parentPort!.postMessage({ ok: true, index, result: solve(instance, options) });
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
