// City-scale benchmark of the default CLI path (the heuristic), not part of the test suite:
//
//   source scripts/test-env.sh        # the test Redis, for the baseline (REDIS_URL)
//   npx tsx tests/bench/scheduling-city.ts [--sizes 5000,20000] [--seed 1] [--lp yes|no] [--baseline-jobs 2000]
//
// For each size, a generated city week (tests/support/city-generator.ts: 1
// structure, 8 encadrants and 150 people per 200 interventions) is written to
// a file and staffed by `npm run -s schedule -- --in week.json --out plan.json
// --stats` as a user runs it (a new process), and it prints:
// - the time: the process's wall time, and the engine's own (--stats wallSeconds);
// - the peak memory of the process (--stats peakMemoryMB, worker threads included);
// - the plan's validity by the independent validator (tests/support/plan-validator.ts);
// - the gap on served worker-minutes to the LP bound: the linear relaxation
//   of the exact model (exact-model.ts's buildModel) maximising served
//   minutes, solved by HiGHS per independent group (a city week splits at
//   least by structure), within the solver's memory budget; a group over it
//   is bounded by all it could serve, and the table says how many. Not cheap:
//   about 13 to 40 s per 200-intervention structure on the shared 2-core
//   machine, so `--lp no` skips it on big weeks; the table then gives only the
//   capacity bound (problem.ts's capacityBound: all that people may still work,
//   all that encadrants may lead), which is weak;
// - how time grows with size (exponent between consecutive sizes);
// beside the targets of issue 23: 5,000 in < 10 s, 20,000 in < 60 s, < 2 GB,
// within 1 % of the LP bound. For scale on a shared machine, a no-op BullMQ
// job (tests/bench/noop-baseline.ts) is measured before and after the weeks,
// and each time is also given as a number of those jobs.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import highsLoader from "highs";
import { buildModelWithinBudget, findComponents, type Highs } from "../../app/domain/scheduling/exact-model";
import { parseInstance, type Instance } from "../../app/domain/scheduling/instance";
import { capacityBound, compileProblem, type Problem } from "../../app/domain/scheduling/problem";
import { generateCity } from "../support/city-generator";
import { validatePlan } from "../support/plan-validator";
import { describeBaseline, measureBaselineSeconds } from "./noop-baseline";

const TARGETS: Record<number, number> = { 5000: 10, 20000: 60 };
const MEMORY_TARGET_MB = 2048;
const GAP_TARGET_PERCENT = 1;

function settingsFrom(args: string[]) {
  const settings = { sizes: [5000, 20000], seed: 1, lp: true, baselineJobs: 2000 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "--sizes") settings.sizes = value.split(",").map(Number);
    else if (flag === "--seed") settings.seed = Number(value);
    else if (flag === "--lp") settings.lp = value !== "no";
    else if (flag === "--baseline-jobs") settings.baselineJobs = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return settings;
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The CLI as a user runs it (npm's "schedule" script is `tsx scripts/schedule.ts`). */
function runCli(args: string[]): Promise<{ code: number | null; seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/schedule.ts", ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stderr }));
  });
}

/**
 * Upper bound on served worker-minutes: the LP relaxation of the exact model
 * (served minutes only, every variable continuous), per independent group.
 */
function lpBound(highs: Highs, problem: Problem): { bound: number; groups: number; overBudget: number; seconds: number } {
  const started = performance.now();
  let bound = 0;
  let overBudget = 0;
  const groups = findComponents(problem);
  for (const group of groups) {
    const model = buildModelWithinBudget(problem, group, 0, "groupe");
    if (typeof model === "string") {
      overBudget++;
      bound += group.reduce((sum, r) => sum + problem.requests[r].value, 0);
      continue;
    }
    if (model.numCols === 0) continue;
    const cost = new Array<number>(model.numCols).fill(0);
    for (const [r, zs] of model.zCol) for (const z of zs) if (z >= 0) cost[z] = problem.requests[r].value;
    const lp = highs.createModel();
    try {
      lp.passModel({
        numCols: model.numCols,
        numRows: model.rowLower.length,
        sense: highs.constants.objectiveSense.maximize,
        colCost: cost,
        colLower: new Array(model.numCols).fill(0),
        colUpper: model.colUpper,
        rowLower: model.rowLower.map((v) => (v === -Infinity ? -highs.infinity : v)),
        rowUpper: model.rowUpper.map((v) => (v === Infinity ? highs.infinity : v)),
        matrix: { format: "csr", numRows: model.rowLower.length, numCols: model.numCols, starts: model.rowStarts, indices: model.rowIndices, values: model.rowValues },
      });
      lp.options.set({ output_flag: false });
      lp.run();
      // The dual bound of an LP solved to optimality is its objective; a little slack for rounding.
      bound += Math.floor(lp.getObjectiveValue() + 1e-6);
    } finally {
      lp.dispose();
    }
  }
  return { bound, groups: groups.length, overBudget, seconds: (performance.now() - started) / 1000 };
}

interface Row {
  size: number;
  processSeconds: number;
  engineSeconds: number;
  peakMemoryMB: number;
  served: number;
  assigned: number;
  violations: number;
  lp: ReturnType<typeof lpBound> | null;
  capacity: number;
}

async function main() {
  const settings = settingsFrom(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), "city-bench-"));
  console.log(`# City-scale scheduling benchmark (default CLI path, the heuristic)`);
  console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}; seed ${settings.seed}`);
  const baselineBefore = await measureBaselineSeconds(settings.baselineJobs);
  console.log(`baseline before: no-op BullMQ job, ${describeBaseline(baselineBefore)}`);
  const highs = settings.lp ? await highsLoader() : null;
  const rows: Row[] = [];
  for (const size of settings.sizes) {
    const { instance } = generateCity({ requests: size, seed: settings.seed });
    const weekPath = join(scratch, `week-${size}.json`);
    const planPath = join(scratch, `plan-${size}.json`);
    writeFileSync(weekPath, JSON.stringify(instance));
    const run = await runCli(["--in", weekPath, "--out", planPath, "--stats"]);
    if (run.code !== 0) throw new Error(`the CLI exited ${run.code} on ${size} requests: ${run.stderr}`);
    const stats = JSON.parse(run.stderr) as { wallSeconds: number; peakMemoryMB: number; objective: { servedWorkerMinutes: number }; assigned: number };
    const plan = JSON.parse(readFileSync(planPath, "utf8"));
    const validation = validatePlan(instance, plan);
    const parsed = parseInstance(instance);
    if (!parsed.ok) throw new Error(`generated week invalid: ${parsed.path} ${parsed.message}`);
    const problem = compileProblem(parsed.instance as Instance);
    const lp = highs ? lpBound(highs, problem) : null;
    rows.push({
      size,
      processSeconds: run.seconds,
      engineSeconds: stats.wallSeconds,
      peakMemoryMB: stats.peakMemoryMB,
      served: validation.objective.servedWorkerMinutes,
      assigned: stats.assigned,
      violations: validation.violations.length,
      lp,
      capacity: capacityBound(problem),
    });
    console.log(`${size} requests: CLI ${run.seconds.toFixed(1)} s (engine ${stats.wallSeconds.toFixed(1)} s), ${stats.peakMemoryMB} MB, LP bound ${lp ? `${lp.seconds.toFixed(1)} s` : "skipped"}`);
  }
  const baselineAfter = await measureBaselineSeconds(settings.baselineJobs);
  console.log(`baseline after: no-op BullMQ job, ${describeBaseline(baselineAfter)}`);
  const baseline = baselineBefore !== null && baselineAfter !== null ? (baselineBefore + baselineAfter) / 2 : null;

  const percent = (value: number) => `${value.toFixed(2)} %`;
  console.log("\n| requests | CLI wall s (target) | engine s | × no-op jobs | peak memory MB (target < 2,048) | valid | assigned | served worker-min | LP bound (groups, over budget) | gap to LP bound (target ≤ 1 %) | capacity bound | gap to capacity bound |");
  console.log("|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const target = TARGETS[row.size];
    const gap = row.lp ? ((row.lp.bound - row.served) / row.lp.bound) * 100 : null;
    console.log(
      `| ${row.size.toLocaleString("en")} | ${row.processSeconds.toFixed(1)}${target ? ` (< ${target}: ${row.processSeconds < target ? "met" : "NOT met"})` : ""} | ${row.engineSeconds.toFixed(1)} | ` +
        `${baseline ? Math.round(row.processSeconds / baseline).toLocaleString("en") : "—"} | ${row.peakMemoryMB} (${row.peakMemoryMB < MEMORY_TARGET_MB ? "met" : "NOT met"}) | ` +
        `${row.violations === 0 ? "yes" : `NO (${row.violations})`} | ${row.assigned} | ${row.served.toLocaleString("en")} | ` +
        `${row.lp ? `${row.lp.bound.toLocaleString("en")} (${row.lp.groups}, ${row.lp.overBudget})` : "not computed"} | ` +
        `${gap === null ? "—" : `${percent(gap)} (${gap <= GAP_TARGET_PERCENT ? "met" : "NOT met"})`} | ${row.capacity.toLocaleString("en")} | ` +
        `${percent(((row.capacity - row.served) / row.capacity) * 100)} |`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const exponent = Math.log(b.processSeconds / a.processSeconds) / Math.log(b.size / a.size);
    console.log(`growth ${a.size} → ${b.size}: time × ${(b.processSeconds / a.processSeconds).toFixed(2)} for size × ${(b.size / a.size).toFixed(1)} (time ∝ size^${exponent.toFixed(2)}), memory × ${(b.peakMemoryMB / a.peakMemoryMB).toFixed(2)}`);
  }
}

void main();
