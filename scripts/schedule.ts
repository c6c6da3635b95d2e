// Staff one week from a JSON instance (see /shared/scheduling/CONTRACT.md):
//
//   npm run -s schedule -- --in instance.json --out plan.json
//
// Options
//   --in FILE          the instance ("-" = standard input); required
//   --out FILE         where to write the plan; "-" or absent = standard output
//   --exact            plan the week as the weekly job does: the exact MIP
//                      solver (HiGHS) on its independent groups of up to 80
//                      interventions, the heuristic's long search then day
//                      windows re-solved exactly on larger ones
//   --time-limit S     time budget of --exact in seconds (default 30)
//   --seed N           seed of the heuristic's local search (default 1)
//   --iterations N     one local search of N iterations (default: the searches
//                      of cliRuns, scaled to the week)
//   --stats            print the objective and solver figures on standard error
//                      (and the process's peak memory, peakMemoryMB)
//   --help             this text
//
// Default solver: the heuristic (greedy + local search). It is deterministic
// (same instance, same plan on every machine: a count of iterations, never
// the clock), staffs 1,000 requests in about a second and searches longer on
// weeks of up to 300 requests, from several seeds on up to 2 cores, where a
// few seconds bring it closer to the optimum (cliRuns); the exact solver proves
// optimality but its result under a time limit depends on the machine's speed,
// so it is opt-in with --exact. --exact never gives the solver a model over
// its memory budget, and whatever stops the solver, it hands out the
// heuristic's plan; --stats then says what is proven and the bound
// (servedUpperBound, servedGapPercent, and `report`, the planning board's lines).
//
// Exit codes: 0 with a valid plan; 2 when the input is unusable (unknown
// flag, unreadable file, invalid JSON, or an instance problem, named by its
// JSON path, e.g. workers[3].weeklyTargetHours); 1 on an internal error.
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defaultIterations, type SolveStats, solve, weeklyIterations } from "../app/domain/scheduling/engine";
import { chooseSolverFor, solveWeekSafely } from "../app/domain/scheduling/exact";
import { parseInstance, type Instance, type Plan } from "../app/domain/scheduling/instance";
import { compareObjectives, computeObjective } from "../app/domain/scheduling/objective";
import { mergePlans, type SplitLimits, splitWeek, unservablePlan, type WeekParts } from "../app/domain/scheduling/split";
import { capacityBound, compileProblem } from "../app/domain/scheduling/problem";
import type { Worker } from "node:worker_threads";
import { startThread } from "../app/utils/worker-thread";
import { describeWeeklySolver, servedGapPercent, WEEKLY_EXACT, weeklyReport } from "../app/domain/scheduling/weekly-solver";

const USAGE = "usage : npm run -s schedule -- --in instance.json [--out plan.json|-] [--exact [--time-limit S]] [--seed N] [--iterations N] [--stats]";

class InputError extends Error {}

interface Options {
  input: string;
  output: string;
  exact: boolean;
  timeLimit: number;
  seed?: number;
  iterations?: number;
  stats: boolean;
}

function parseArguments(args: string[]): Options | "help" {
  const options: Partial<Options> = { output: "-", exact: false, timeLimit: 30, stats: false };
  const value = (flag: string, i: number) => {
    const next = args[i + 1];
    if (next === undefined || (next.startsWith("--") && next !== "-")) throw new InputError(`${flag} attend une valeur. ${USAGE}`);
    return next;
  };
  const positiveNumber = (flag: string, text: string, integer: boolean) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InputError(`${flag} attend un nombre ${integer ? "entier " : ""}positif, pas « ${text} ».`);
    }
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    switch (arg) {
      case "--help":
      case "-h":
        return "help";
      case "--in":
        options.input = value(arg, i++);
        break;
      case "--out":
        options.output = value(arg, i++);
        break;
      case "--exact":
        options.exact = true;
        break;
      case "--time-limit":
        options.timeLimit = positiveNumber(arg, value(arg, i++), false);
        break;
      case "--seed":
        options.seed = positiveNumber(arg, value(arg, i++), true);
        break;
      case "--iterations":
        options.iterations = positiveNumber(arg, value(arg, i++), true);
        break;
      case "--stats":
        options.stats = true;
        break;
      default:
        throw new InputError(`option inconnue « ${arg} ». ${USAGE}`);
    }
  }
  if (!options.input) throw new InputError(`--in est obligatoire. ${USAGE}`);
  return options as Options;
}

function readInput(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "fichier introuvable" : code === "EISDIR" ? "c'est un dossier" : (code ?? "lecture impossible");
    throw new InputError(`impossible de lire l'instance « ${path} » : ${why}.`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    const found = offset < text.length ? `« ${text[offset]} » inattendu` : "fin de fichier inattendue";
    throw new InputError(`« ${path} » n'est pas du JSON valide (ligne ${line}, colonne ${column}) : ${found}.`);
  }
}

/**
 * Offset of the first JSON syntax error in text (JSON.parse does not say
 * where on every Node version): a minimal recursive-descent scan.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = () => {
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      space();
      if (text[i] === "}") return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ":") fail();
        i++;
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!number) fail();
    i += number![0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : text.length;
  } catch (offset) {
    return typeof offset === "number" ? Math.min(offset, text.length) : 0;
  }
}

async function main(): Promise<number> {
  let options: Options | "help";
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof InputError) return fail(error.message);
    throw error;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let json: unknown;
  try {
    json = parseJson(readInput(options.input), options.input);
  } catch (error) {
    if (error instanceof InputError) return fail(error.message);
    throw error;
  }
  // Threads load (tsx and the engine, some 0.5 s) while the week is checked and split, not after.
  const threads = !options.exact && !options.iterations ? startSearchThreads(requestCountOf(json)) : [];
  try {
    const parsed = parseInstance(json);
    if (!parsed.ok) return fail(`instance invalide, ${parsed.path} : ${parsed.message}`);

    const started = performance.now();
    let plan: Plan;
    let summary: Record<string, unknown>;
    if (options.exact) {
      const result = await solveWeekExactly(parsed.instance, options);
      plan = result.plan;
      summary = result.summary;
    } else {
      const result = await solveAtOnce(parsed.instance, options, threads);
      plan = result.plan;
      summary = { solver: "heuristic", ...result.stats, runs: result.runs, ...(result.parts ? { parts: result.parts } : {}) };
    }
    const seconds = (performance.now() - started) / 1000;
    return writePlan(plan, summary, seconds, options);
  } finally {
    for (const thread of threads) void thread.worker.terminate();
  }
}

function writePlan(plan: Plan, summary: Record<string, unknown>, seconds: number, options: Options): number {
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (options.output === "-") process.stdout.write(text);
  else {
    try {
      writeFileSync(options.output, text);
    } catch (error) {
      return fail(`impossible d'écrire le plan dans « ${options.output} » : ${(error as NodeJS.ErrnoException).code ?? error}.`);
    }
  }
  // Peak resident memory of the whole process, worker threads included (maxRSS is in KiB).
  const peakMemoryMB = Math.round(process.resourceUsage().maxRSS / 1024);
  if (options.stats) process.stderr.write(`${JSON.stringify({ ...summary, wallSeconds: Number(seconds.toFixed(3)), peakMemoryMB })}\n`);
  return 0;
}

/**
 * The default CLI's searches on a week of n requests, in the order their
 * plans are compared: the engine's default budget, then longer searches
 * (CLI_ITERATIONS) from several seeds up to 300 requests, fewer seeds and
 * iterations beyond, the default alone from 600 requests (so 1,000 requests
 * stay within their 2 s). Counts, not a clock: the same week gives the same
 * plan.
 *
 * Why several seeds: on generated weeks the annealing ends in a different
 * plateau from each seed, up to 1.2 % apart at 150 requests, and no seed is
 * best on every week (README, "Closer to the optimum, default CLI").
 */
export function cliRuns(requestCount: number, seed = 1): Array<{ seed: number; iterations: number }> {
  const runs = [{ seed, iterations: defaultIterations(requestCount) }];
  // Two seeds: one search per thread on 2 cores, within the 10 s (a third gained on 1 of 6 weeks and cost some 3 s).
  const seeds = requestCount <= 300 ? 2 : 1;
  const longer = Math.round(CLI_ITERATIONS * Math.min(1, Math.max(0, (600 - requestCount) / 300)));
  if (longer <= runs[0].iterations) return runs;
  for (let s = 0; s < seeds; s++) runs.push({ seed: seed + s, iterations: longer });
  return runs;
}

const CLI_ITERATIONS = 20_000;

/**
 * The default CLI's plan: with --iterations, that search; else every search
 * of cliRuns, shared among the worker threads, and the best plan, the first
 * in cliRuns' order on a tie, whichever thread ends first. Keeping the best
 * never loses what the engine's default found.
 */
async function solveAtOnce(instance: Instance, options: Options, threads: SearchThread[]): Promise<ReturnType<typeof solve> & { runs: Array<{ seed: number; iterations: number }>; parts?: number }> {
  if (options.iterations) {
    const run = { seed: options.seed ?? 1, iterations: options.iterations };
    return { ...solve(instance, run), runs: [run] };
  }
  const split = splitWeek(instance, CLI_SPLIT);
  if (split) return solveInParts(instance, split, options.seed ?? 1, threads);
  const runs = cliRuns(instance.requests.length, options.seed);
  const results = await solveRuns(
    runs.map((run) => ({ instance, ...run })),
    threads,
  );
  let best = results[0];
  for (const result of results) if (compareObjectives(result.stats.objective, best.stats.objective) > 0) best = result;
  return { ...best, runs };
}

/**
 * From 2,500 requests (a city: a structure's people serve only its own
 * interventions), the week's independent parts are searched apart, each with
 * its own budget (PART_ITERATIONS_PER_REQUEST), on up to 2 threads. One
 * search over the whole week spreads its moves over every structure: on the
 * generated city week of 5,000 requests its plan served 4 % less than the
 * exact plans of the same structures.
 *
 * The budget, 3 iterations a request: a city's parts are encadrant-bound,
 * so the search starts from the encadrants' heaviest weeks
 * (supervisor-weeks.ts) and adds little to them (5 a request served 0.08 %
 * more on the 5,000-request week, for 10 % more CPU, past the 10 s on
 * 2 cores; figures in the README, "City scale").
 */
const CLI_SPLIT: SplitLimits = { minRequests: 2500, maxParts: Number.MAX_SAFE_INTEGER };
const PART_ITERATIONS_PER_REQUEST = 3;

async function solveInParts(
  instance: Instance,
  split: WeekParts,
  seed: number,
  threads: SearchThread[],
): Promise<ReturnType<typeof solve> & { runs: Array<{ seed: number; iterations: number }>; parts: number }> {
  const runs = split.parts.map((part) => ({ instance: part, seed, iterations: PART_ITERATIONS_PER_REQUEST * part.requests.length }));
  const results = await solveRuns(runs, threads);
  const plan = mergePlans([...results.map((r) => r.plan), unservablePlan(instance, split.unservable)]);
  const objective = computeObjective(instance, plan, split.problem);
  const total = (value: (stats: SolveStats) => number) => results.reduce((sum, r) => sum + value(r.stats), 0);
  // People in no part (nobody asks their skills) fall short of their whole target, in the greedy plan as in the final one.
  const shortfallOutside = objective.shortfall - total((s) => s.objective.shortfall);
  const greedyObjective = {
    pinnedKept: total((s) => s.greedyObjective.pinnedKept),
    servedParticipantMinutes: total((s) => s.greedyObjective.servedParticipantMinutes),
    shortfall: total((s) => s.greedyObjective.shortfall) + shortfallOutside,
    travel: total((s) => s.greedyObjective.travel),
  };
  return {
    plan,
    stats: { objective, greedyObjective, iterations: total((s) => s.iterations), improvements: total((s) => s.improvements), requests: instance.requests.length, assigned: plan.assignments.length },
    runs: [{ seed, iterations: total((s) => s.iterations) }],
    parts: split.parts.length,
  };
}

type Run = { instance: Instance; seed: number; iterations: number };

/** Requests in the week's JSON, read before it is checked (0 when it is not a list): whether to start threads at once. */
function requestCountOf(json: unknown): number {
  const requests = (json as { requests?: unknown } | null)?.requests;
  return Array.isArray(requests) ? requests.length : 0;
}

/**
 * The worker threads (one per core, at most 2) of the searches a week of n
 * requests will get (cliRuns, or its parts from CLI_SPLIT's size), none when
 * it gets one search. Started before the week is checked and split, which
 * hides their loading (tsx and the engine, some 0.5 s each).
 */
function startSearchThreads(requestCount: number): SearchThread[] {
  const searches = requestCount >= CLI_SPLIT.minRequests ? CLI_SPLIT.maxParts : cliRuns(requestCount).length;
  const count = Math.min(2, availableParallelism(), searches);
  if (count < 2) return [];
  return Array.from({ length: count }, () => new SearchThread());
}

/** A worker thread of scripts/schedule-worker.ts; a failure before it is given work is kept for solveRuns to report. */
class SearchThread {
  readonly worker: Worker = startThread(new URL("./schedule-worker.ts", import.meta.url));
  failure: Error | null = null;
  constructor() {
    this.worker.once("error", (error) => (this.failure ??= error));
    this.worker.once("exit", (code) => (this.failure ??= new Error(`le fil de calcul s'est arrêté (code ${code})`)));
  }
}

/**
 * Each run's result, in order: on the threads when there are 2, else here.
 * Each thread takes the next run, the longest first, when done with one, so
 * that both end about together whatever each run costs (parts of the same
 * size can differ twofold). A run's plan is the same on any thread.
 */
async function solveRuns(runs: Run[], threads: SearchThread[]): Promise<Array<ReturnType<typeof solve>>> {
  if (threads.length < 2 || runs.length < 2) return runs.map(({ instance, ...run }) => solve(instance, run));
  const order = runs.map((_, i) => i).sort((a, b) => runs[b].iterations - runs[a].iterations || a - b);
  const results = new Array<ReturnType<typeof solve>>(runs.length);
  let next = 0;
  await Promise.all(
    threads.map(
      (thread) =>
        new Promise<void>((resolve, reject) => {
          if (thread.failure) return reject(thread.failure);
          const give = () => {
            if (next >= order.length) return resolve();
            const index = order[next++];
            thread.worker.postMessage({ index, run: runs[index] });
          };
          thread.worker.on("message", (message: { ok: true; index: number; result: ReturnType<typeof solve> } | { ok: false; error: string }) => {
            if (!message.ok) return reject(new Error(message.error));
            results[message.index] = message.result;
            give();
          });
          thread.worker.once("error", reject);
          thread.worker.once("exit", (code) => reject(new Error(`le fil de calcul s'est arrêté (code ${code})`)));
          give();
        }),
    ),
  );
  return results;
}

/**
 * --exact: the weekly job's way (chooseSolverFor, solveWeekSafely) within
 * --time-limit, and what it proved. The bound on served participant-minutes is the
 * solver's when it bounded every group, else what the people could work at
 * most (capacityBound).
 */
async function solveWeekExactly(instance: Instance, options: Options): Promise<{ plan: Plan; summary: Record<string, unknown> }> {
  const limits = { ...WEEKLY_EXACT, timeLimitSeconds: options.timeLimit };
  const choice = chooseSolverFor(instance, limits);
  if (choice.kind === "heuristic" && choice.why === "empty") {
    const result = solve(instance, { seed: options.seed, iterations: options.iterations });
    return {
      plan: result.plan,
      summary: { solver: "exact", optimal: true, servedOptimal: true, gap: 0, servedUpperBound: 0, servedGapPercent: 0, report: describeWeeklySolver(weeklyReport(choice, undefined, 0, limits)) },
    };
  }
  const iterations = options.iterations ?? weeklyIterations(instance.requests.length);
  const result = await solveWeekSafely(instance, choice, limits, iterations, undefined, options.seed);
  const report = weeklyReport(choice, result, instance.requests.length, limits);
  const served = result.stats.objective.servedParticipantMinutes;
  const solverBound = result.stats.servedUpperBound;
  const boundedBySolver = Number.isFinite(solverBound);
  const servedUpperBound = boundedBySolver ? solverBound : capacityBound(compileProblem(instance));
  return {
    plan: result.plan,
    summary: {
      solver: "exact",
      method: report.kind === "exact" ? "exact" : "heuristic+windows",
      ...result.stats,
      servedOptimal: result.stats.servedOptimal || (boundedBySolver && served >= solverBound),
      servedUpperBound,
      boundSource: boundedBySolver ? "solver" : "capacity",
      servedGapPercent: servedGapPercent(served, servedUpperBound),
      report: describeWeeklySolver(report),
    },
  };
}

function fail(message: string): number {
  process.stderr.write(`schedule : ${message}\n`);
  return 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: one line, no stack (set DEBUG=schedule to see it).
    const detail = process.env.DEBUG?.includes("schedule") && error instanceof Error ? error.stack : String(error);
    process.stderr.write(`schedule : erreur interne : ${detail}\n`);
    process.exitCode = 1;
  },
);
