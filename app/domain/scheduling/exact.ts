// The exact solver's entry point. The pipeline (exact-pipeline.ts) is CPU-bound and
// synchronous, so it runs in a worker thread: the caller's event loop (a
// BullMQ worker, the CLI) stays responsive and a hard deadline can stop it.
// If the thread cannot start (for instance inside a bundle where the .ts file
// does not exist) or misses the deadline, we fall back to the heuristic and
// say so in the stats.
import type { Worker } from "node:worker_threads";
import highsLoader from "highs";
import { findComponents } from "./exact-model";
import { heuristicFallbackResult, solveExactWith } from "./exact-pipeline";
import type { ExactOptions, ExactResult, WorkerMode } from "./exact-types";
import type { Instance } from "./instance";
import { compileProblem } from "./problem";
import { chooseWeeklySolver, weeklySolverOptions, type WeeklyLimits, type WeeklySolver } from "./weekly-solver";
import { startThread } from "~/utils/worker-thread.ts";

export type { ExactOptions, ExactResult, ExactStats, WindowOptions } from "./exact-types";

export interface SolveExactOptions extends ExactOptions {
  /** Solve in the calling thread instead of a worker thread (blocks the event loop). */
  inThread?: boolean;
  /**
   * When the worker thread cannot start or dies (HiGHS out of memory): solve
   * in this thread (default, for the CLI) or return the heuristic's plan (a
   * queue job, whose event loop must stay free to keep its lock).
   */
  onWorkerFailure?: "in-thread" | "heuristic";
}

/** Extra seconds the worker gets beyond the solver time limit before it is stopped. */
const DEADLINE_MARGIN_SECONDS = 15;

/**
 * Solves an instance (already checked by parseInstance) with the MIP.
 * Resolves with the plan and stats: `optimal`, the relative `gap`, and notes
 * on any component left to the heuristic.
 */
export async function solveExact(instance: Instance, options: SolveExactOptions = {}): Promise<ExactResult> {
  if (options.inThread) return solveExactInThread(instance, options);
  try {
    return await solveInWorker(instance, options);
  } catch (error) {
    if (error instanceof WorkerUnavailable) {
      if (options.onWorkerFailure === "heuristic") return heuristicFallback(instance, options, `solveur exact arrêté (fil d'exécution séparé indisponible : ${error.message})`);
      const result = await solveExactInThread(instance, options);
      result.stats.notes.push(`fil d'exécution séparé indisponible (${error.message}) : résolu dans le fil principal`);
      return result;
    }
    throw error;
  }
}

export async function solveExactInThread(instance: Instance, options: ExactOptions = {}): Promise<ExactResult> {
  const highs = await highsLoader();
  return solveExactWith(highs, compileProblem(instance), options);
}

class WorkerUnavailable extends Error {}

/**
 * The weekly search of a week too big for the exact solver: the heuristic
 * with a long budget (options.iterations), then day windows re-solved exactly
 * (options.windows, exact-refine.ts). In a worker thread like the exact
 * solver, so that the weekly job's event loop stays free (its lock is
 * renewed) for the minute or two of a big week. When the thread cannot start
 * or misses the deadline: the heuristic's default budget in this thread.
 */
export async function solveHeuristicInWorker(instance: Instance, options: ExactOptions & { onProgress?: (share: number) => void } = {}): Promise<ExactResult> {
  const { onProgress, ...solverOptions } = options;
  try {
    return await solveInWorker(instance, solverOptions, "heuristic", onProgress);
  } catch (error) {
    if (error instanceof WorkerUnavailable) return heuristicFallback(instance, options, `fil d'exécution séparé indisponible (${error.message})`);
    throw error;
  }
}

function solveInWorker(instance: Instance, options: ExactOptions, mode: WorkerMode = "exact", onProgress?: (share: number) => void): Promise<ExactResult> {
  const timeLimit = options.timeLimitSeconds ?? 30;
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      // From the sources (tsx) or compiled: app/utils/worker-thread.ts.
      worker = startThread(new URL("./exact-worker.ts", import.meta.url), { workerData: { instance, options, mode } });
    } catch (error) {
      reject(new WorkerUnavailable(error instanceof Error ? error.message : String(error)));
      return;
    }
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      void worker.terminate();
      action();
    };
    const deadline = setTimeout(
      () =>
        finish(() =>
          resolve(heuristicFallback(instance, options, `${mode === "exact" ? "solveur exact arrêté" : "recherche longue arrêtée"} (délai de ${timeLimit + DEADLINE_MARGIN_SECONDS} s dépassé)`)),
        ),
      (timeLimit + DEADLINE_MARGIN_SECONDS) * 1000,
    );
    worker.on("message", (message: { progress: number } | { ok: true; result: ExactResult } | { ok: false; error: string }) => {
      if ("progress" in message) onProgress?.(message.progress);
      else finish(() => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    });
    worker.once("error", (error) => finish(() => reject(new WorkerUnavailable(error.message))));
    worker.once("exit", (code) => finish(() => reject(new WorkerUnavailable(`arrêt inattendu (code ${code})`))));
  });
}

/**
 * The heuristic's plan in the exact solver's result shape, with why the
 * solver did not plan it. In the calling thread, so with the default budget
 * (a second or two): a longer search goes to the worker (searchInThread).
 */
export function heuristicFallback(instance: Instance, options: ExactOptions, why: string): ExactResult {
  return heuristicFallbackResult(compileProblem(instance), options.seed, `${why} : plan heuristique`);
}

/**
 * How a week is solved, for the weekly job and the CLI's --exact alike: the
 * exact solver when some independent group of its interventions fits within
 * limits.maxRequests, else the heuristic's long search (with its day windows).
 */
export function chooseSolverFor(instance: Instance, limits: WeeklyLimits): WeeklySolver {
  const groups = findComponents(compileProblem(instance)).map((group) => group.length);
  return chooseWeeklySolver(instance.requests.length, groups, limits.maxRequests);
}

/**
 * Solves a week the way `choice` says, in a worker thread, with the
 * heuristic's budget `iterations` (alone, or as the exact solver's start).
 * Never throws: whatever goes wrong in the thread (HiGHS out of memory, a
 * bug), the heuristic's default plan here, with why in its notes.
 */
export async function solveWeekSafely(instance: Instance, choice: WeeklySolver, limits: WeeklyLimits, iterations: number, onProgress?: (share: number) => void, seed?: number): Promise<ExactResult> {
  const options = { ...weeklySolverOptions(limits, iterations), seed };
  const exact = choice.kind === "exact";
  try {
    return exact ? await solveExact(instance, { ...options, onWorkerFailure: "heuristic" }) : await solveHeuristicInWorker(instance, { ...options, onProgress });
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    return heuristicFallback(instance, { seed }, `${exact ? "solveur exact" : "recherche longue"} en erreur (${why})`);
  }
}
