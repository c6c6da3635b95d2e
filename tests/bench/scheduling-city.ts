// City-scale benchmark of the default CLI path (the heuristic), not part of the test suite:
//
//   source scripts/test-env.sh        # the test Redis, for the baseline (REDIS_URL)
//   nice npx tsx tests/bench/scheduling-city.ts [--sizes 5000,20000] [--seed 1] [--lp aggregate|full|columns|no] [--lp-seconds 20] [--baseline-jobs 2000]
//
// For each size, a generated city week (tests/support/city-generator.ts: 1
// structure, 8 encadrants and 150 people per 200 interventions) is written to
// a file and staffed by `npm run -s schedule -- --in week.json --out plan.json
// --stats` as a user runs it (a new process), and it prints:
// - the time: the process's wall time, and the engine's own (--stats wallSeconds);
// - the peak memory of the process (--stats peakMemoryMB, worker threads included);
// - the plan's validity by the independent validator (tests/support/plan-validator.ts);
// - the gap on served participant-minutes to an LP bound, per independent group
//   of requests (a city week splits at least by structure): by default
//   (--lp aggregate) a cheap LP on the minutes the group's encadrants and
//   workers can give per day and per week (see lpBound: valid, but loose);
//   with --lp full, the linear relaxation of the exact model where HiGHS
//   solves it within --lp-seconds (default 20) per group, tighter but
//   2 s to 2 min per 200-intervention structure; with --lp columns, the
//   relaxation of column generation on person-weeks (columns.ts), priced to
//   convergence per group: the tightest LP, some seconds per structure;
//   --lp no skips them; the capacity bound (problem.ts's capacityBound) is
//   printed beside;
// - with --exact-groups N (N > 0, or "all"), a bound that is tight on these
//   weeks: N of the week's independent groups (evenly spread; a group is one
//   structure here) are each written as a week of their own (splitWeek's
//   parts: its requests, its people and sites) and planned by
//   `npm run -s schedule -- --exact --time-limit S --stats` (--exact-seconds,
//   default 300), two at once; its servedUpperBound bounds every plan of the
//   group, so their sum bounds those groups, and the heuristic's served
//   minutes on the same groups are compared with it (the whole week's gap
//   when every group is bounded). The compact and aggregate LP bounds are
//   12 to 13 % above the proven optimum of such a group, which is why this
//   one exists (--lp columns equals it on generateCity(200, 1));
// - how time grows with size (exponent between consecutive sizes);
// beside the targets of issue 23: 5,000 in < 10 s, 20,000 in < 60 s, < 2 GB,
// within 1 % of the LP bound. For scale on a shared machine, a no-op BullMQ
// job (tests/bench/noop-baseline.ts) is measured before and after the weeks,
// and each time is also given as a number of those jobs.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import highsLoader from "highs";
import { generateColumns } from "../../app/domain/scheduling/columns";
import { buildModelWithinBudget, findComponents, type Highs } from "../../app/domain/scheduling/exact-model";
import { parseInstance, type Instance, type Plan } from "../../app/domain/scheduling/instance";
import { MINUTES_PER_DAY, parseDateTime } from "../../app/domain/scheduling/time";
import { capacityBound, compileProblem, dayOf, startIsPossible, type Problem } from "../../app/domain/scheduling/problem";
import { splitWeek } from "../../app/domain/scheduling/split";
import { PlanState } from "../../app/domain/scheduling/state";
import { generateCity } from "../support/city-generator";
import { validatePlan } from "../support/plan-validator";
import { describeBaseline, measureBaselineSeconds } from "./noop-baseline";
import { runScheduleCli } from "./schedule-cli";

const TARGETS: Record<number, number> = { 5000: 10, 20000: 60 };
const MEMORY_TARGET_MB = 2048;
const GAP_TARGET_PERCENT = 1;

function settingsFrom(args: string[]) {
  const settings = { sizes: [5000, 20000], seed: 1, lp: "aggregate" as LpMode, lpSeconds: 20, baselineJobs: 2000, exactGroups: 0, exactSeconds: 300 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "--sizes") settings.sizes = value.split(",").map(Number);
    else if (flag === "--seed") settings.seed = Number(value);
    else if (flag === "--lp") {
      if (value !== "full" && value !== "aggregate" && value !== "columns" && value !== "no") throw new Error("--lp full|aggregate|columns|no");
      settings.lp = value;
    } else if (flag === "--lp-seconds") settings.lpSeconds = Number(value);
    else if (flag === "--baseline-jobs") settings.baselineJobs = Number(value);
    else if (flag === "--exact-groups") settings.exactGroups = value === "all" ? Infinity : Number(value);
    else if (flag === "--exact-seconds") settings.exactSeconds = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return settings;
}

type LpMode = "full" | "aggregate" | "columns" | "no";

interface Bound {
  bound: number;
  groups: number;
  /** Groups bounded by the exact model's LP solved to optimality, or by column generation (the rest by the aggregate LP). */
  fullLp: number;
  seconds: number;
}

/**
 * Upper bound on served participant-minutes, per independent group of requests
 * (findComponents: a person links two requests they could both serve; a city
 * week splits at least by structure), the smaller of two LP bounds:
 * - aggregate (always): the requests a group could staff, served in fractions
 *   z in [0, 1], within the minutes its people can give: per week day and per
 *   week, encadrants' minutes (each min(its weekly cap, its windows that day /
 *   that week)) at least the led minutes (sum of duration x z), workers'
 *   minutes at least the served participant-minutes (sum of value x z). Every plan
 *   satisfies these, so the LP's optimum bounds it. Cheap (16 rows a group);
 *   it ignores clashes and skills inside the group, so it is loose;
 * - full (--lp full): the linear relaxation of the exact model (exact-model.ts's
 *   buildModel, served minutes only, every variable continuous), counted only
 *   when HiGHS solves it to optimality within --lp-seconds; tighter, but
 *   2 s to 2 min per 200-request structure on the shared 2-core machine;
 * - columns (--lp columns): column generation on person-weeks (columns.ts)
 *   priced to convergence (at most 200 rounds), its bound on served minutes
 *   with the pins the plan keeps (`assigned`), as the solver's bound is.
 */
function lpBound(highs: Highs, problem: Problem, mode: Exclude<LpMode, "no">, lpSeconds: number, plan: Plan): Bound {
  const assigned = new Set(plan.assignments.map((a) => a.requestId));
  // The columns' first agendas: the CLI's plan (the bound is the relaxation's, whatever the start; a good one converges sooner).
  const seed = mode === "columns" ? planState(problem, plan) : null;
  const started = performance.now();
  let bound = 0;
  let fullLp = 0;
  const groups = findComponents(problem);
  for (const group of groups) {
    let groupBound = aggregateBound(highs, problem, group);
    if (mode === "full") {
      const full = fullLpBound(highs, problem, group, lpSeconds);
      if (full !== null && full < groupBound) {
        groupBound = full;
        fullLp++;
      }
    } else if (mode === "columns") {
      const pinnedKept = group.filter((r) => problem.requests[r].pinned && assigned.has(problem.requests[r].id)).length;
      const columns = generateColumns(highs, problem, group, seed!, pinnedKept, { maxRounds: 200, deadline: Infinity });
      if (columns.servedBound < groupBound) {
        groupBound = columns.servedBound;
        fullLp++;
      }
    }
    bound += groupBound;
  }
  return { bound, groups: groups.length, fullLp, seconds: (performance.now() - started) / 1000 };
}

/** The plan as the problem's state: each assignment at its candidate start, with its people. */
function planState(problem: Problem, plan: Plan): PlanState {
  const state = new PlanState(problem);
  const requestIndex = new Map(problem.requests.map((r) => [r.id, r.index]));
  const personIndex = new Map(problem.people.map((p) => [p.id, p.index]));
  const weekStart = problem.weekStartDay * MINUTES_PER_DAY;
  for (const a of plan.assignments) {
    const r = requestIndex.get(a.requestId)!;
    const k = problem.requests[r].starts.indexOf(parseDateTime(a.start)! - weekStart);
    if (k < 0) throw new Error(`${a.requestId}: start ${a.start} is not one of its candidate starts`);
    state.assign(
      r,
      k,
      personIndex.get(a.supervisorId)!,
      a.participantIds.map((id) => personIndex.get(id)!),
    );
  }
  return state;
}

function solveLp(
  highs: Highs,
  numCols: number,
  cost: number[],
  colUpper: number[],
  rowLower: number[],
  rowUpper: number[],
  starts: number[],
  indices: number[],
  values: number[],
  seconds: number,
): number | null {
  const lp = highs.createModel();
  try {
    lp.passModel({
      numCols,
      numRows: rowLower.length,
      sense: highs.constants.objectiveSense.maximize,
      colCost: cost,
      colLower: new Array(numCols).fill(0),
      colUpper,
      rowLower: rowLower.map((v) => (v === -Infinity ? -highs.infinity : v)),
      rowUpper: rowUpper.map((v) => (v === Infinity ? highs.infinity : v)),
      matrix: { format: "csr", numRows: rowLower.length, numCols, starts, indices, values },
    });
    lp.options.set({ output_flag: false, time_limit: seconds });
    lp.run();
    if (lp.getModelStatus() !== highs.constants.modelStatus.optimal) return null;
    // The dual bound of an LP solved to optimality is its objective; a little slack for rounding.
    return Math.floor(lp.getObjectiveValue() + 1e-6);
  } finally {
    lp.dispose();
  }
}

function aggregateBound(highs: Highs, problem: Problem, group: number[]): number {
  const staffable = group.filter((r) => problem.requests[r].starts.some((_, k) => startIsPossible(problem, r, k)));
  if (staffable.length === 0) return 0;
  const people = new Set<number>();
  for (const r of staffable) {
    problem.requests[r].starts.forEach((_, k) => {
      for (const p of problem.eligibleSupervisors[r][k]) people.add(p);
      for (const p of problem.eligibleParticipants[r][k]) people.add(p);
    });
  }
  // Rows 0-6: encadrants per day, 7: per week; 8-14: workers per day, 15: per week.
  const capacity = new Array<number>(16).fill(0);
  for (const p of people) {
    const person = problem.people[p];
    const cap = Math.max(0, person.capMinutes);
    const base = person.isSupervisor ? 0 : 8;
    let week = 0;
    person.windowsByDay.forEach((windows, day) => {
      const minutes = windows.reduce((sum, [from, to]) => sum + Math.max(0, to - from), 0);
      capacity[base + day] += Math.min(cap, minutes);
      week += minutes;
    });
    capacity[base + 7] += Math.min(cap, week);
  }
  const rows: Array<Array<[number, number]>> = capacity.map(() => []);
  staffable.forEach((r, col) => {
    const request = problem.requests[r];
    const day = dayOf(request.starts[0]);
    const sameDay = day === dayOf(request.starts[request.starts.length - 1]);
    if (sameDay) rows[day].push([col, request.duration]);
    rows[7].push([col, request.duration]);
    if (sameDay) rows[8 + day].push([col, request.value]);
    rows[15].push([col, request.value]);
  });
  const starts: number[] = [];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of rows) {
    starts.push(indices.length);
    for (const [col, value] of row) {
      indices.push(col);
      values.push(value);
    }
  }
  starts.push(indices.length);
  const bound = solveLp(
    highs,
    staffable.length,
    staffable.map((r) => problem.requests[r].value),
    staffable.map(() => 1),
    capacity.map(() => -Infinity),
    capacity,
    starts,
    indices,
    values,
    60,
  );
  // Without an optimal LP, all it could staff.
  return bound ?? staffable.reduce((sum, r) => sum + problem.requests[r].value, 0);
}

function fullLpBound(highs: Highs, problem: Problem, group: number[], seconds: number): number | null {
  const model = buildModelWithinBudget(problem, group, 0, "groupe");
  if (typeof model === "string") return null;
  if (model.numCols === 0) return 0;
  const cost = new Array<number>(model.numCols).fill(0);
  for (const [r, zs] of model.zCol) for (const z of zs) if (z >= 0) cost[z] = problem.requests[r].value;
  return solveLp(highs, model.numCols, cost, model.colUpper, model.rowLower, model.rowUpper, model.rowStarts, model.rowIndices, model.rowValues, seconds);
}

/** One group planned by the exact CLI: its bound, and what the heuristic's week plan and the exact plan serve of it. */
interface GroupBound {
  index: number;
  requests: number;
  bound: number;
  /** The solver bounded it (else the capacity bound: valid, loose), and proved its served minutes maximal. */
  bySolver: boolean;
  proven: boolean;
  served: number;
  exactServed: number;
  seconds: number;
}

interface ExactBound {
  groups: number;
  bounded: GroupBound[];
  seconds: number;
}

/** `count` of `total` indices, evenly spread (all of them when count >= total). */
function spread(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * total) / count));
}

/** The exact CLI's bound on `count` of the week's independent groups (see the header), against the heuristic's plan. */
async function exactBound(instance: Instance, assigned: Set<string>, count: number, seconds: number, scratch: string): Promise<ExactBound> {
  const started = performance.now();
  // One part per independent group, with only its people and sites (splitWeek, as the weekly job splits a week).
  const groups = splitWeek(instance, { minRequests: 0, maxParts: Number.MAX_SAFE_INTEGER })?.parts ?? [instance];
  const chosen = spread(groups.length, count);
  const result: ExactBound = { groups: groups.length, bounded: [], seconds: 0 };
  const served = (requests: Instance["requests"], ids: Set<string>) => requests.reduce((sum, r) => sum + (ids.has(r.id) ? r.participantsNeeded * r.durationMinutes : 0), 0);
  const bounds = async (index: number) => {
    const week = groups[index]!;
    const requests = week.requests;
    const path = join(scratch, `group-${index}.json`);
    const planPath = join(scratch, `group-${index}-plan.json`);
    writeFileSync(path, JSON.stringify(week));
    const run = await runScheduleCli(["--in", path, "--out", planPath, "--exact", "--time-limit", String(seconds), "--stats"]);
    if (run.code !== 0) throw new Error(`the exact CLI exited ${run.code} on group ${index}: ${run.stderr}`);
    writeFileSync(join(scratch, `group-${index}-stats.json`), run.stderr);
    const stats = JSON.parse(run.stderr) as { servedUpperBound: number; servedOptimal: boolean; boundSource: "solver" | "capacity" };
    const exactPlan = JSON.parse(readFileSync(planPath, "utf8")) as { assignments: Array<{ requestId: string }> };
    const group: GroupBound = {
      index,
      requests: requests.length,
      bound: stats.servedUpperBound,
      bySolver: stats.boundSource === "solver",
      proven: stats.servedOptimal,
      served: served(requests, assigned),
      exactServed: served(requests, new Set(exactPlan.assignments.map((a) => a.requestId))),
      seconds: run.seconds,
    };
    result.bounded.push(group);
    console.log(
      `  group ${index} (${group.requests} requests): heuristic ${group.served}, exact plan ${group.exactServed}, bound ${group.bound} (${group.proven ? "proven" : group.bySolver ? "solver" : "capacity"}), ${group.seconds.toFixed(0)} s`,
    );
  };
  let next = 0;
  const lane = async () => {
    while (next < chosen.length) await bounds(chosen[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(cpus().length, chosen.length) }, lane));
  result.seconds = (performance.now() - started) / 1000;
  return result;
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
  exact: ExactBound | null;
  capacity: number;
}

async function main() {
  const settings = settingsFrom(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), "city-bench-"));
  console.log(`# City-scale scheduling benchmark (default CLI path, the heuristic)`);
  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; seed ${settings.seed}`,
  );
  const baselineBefore = await measureBaselineSeconds(settings.baselineJobs);
  console.log(`baseline before: no-op BullMQ job, ${describeBaseline(baselineBefore)}`);
  const highs = settings.lp !== "no" ? await highsLoader() : null;
  const rows: Row[] = [];
  for (const size of settings.sizes) {
    const { instance } = generateCity({ requests: size, seed: settings.seed });
    const weekPath = join(scratch, `week-${size}.json`);
    const planPath = join(scratch, `plan-${size}.json`);
    writeFileSync(weekPath, JSON.stringify(instance));
    const run = await runScheduleCli(["--in", weekPath, "--out", planPath, "--stats"]);
    if (run.code !== 0) throw new Error(`the CLI exited ${run.code} on ${size} requests: ${run.stderr}`);
    const stats = JSON.parse(run.stderr) as { wallSeconds: number; peakMemoryMB: number; objective: { servedParticipantMinutes: number }; assigned: number };
    const plan = JSON.parse(readFileSync(planPath, "utf8"));
    const validation = validatePlan(instance, plan);
    const parsed = parseInstance(instance);
    if (!parsed.ok) throw new Error(`generated week invalid: ${parsed.path} ${parsed.message}`);
    const problem = compileProblem(parsed.instance as Instance);
    const assignedIds = new Set<string>(plan.assignments.map((a: { requestId: string }) => a.requestId));
    const lp = highs && settings.lp !== "no" ? lpBound(highs, problem, settings.lp, settings.lpSeconds, plan) : null;
    const exact = settings.exactGroups > 0 ? await exactBound(parsed.instance as Instance, assignedIds, settings.exactGroups, settings.exactSeconds, scratch) : null;
    rows.push({
      size,
      processSeconds: run.seconds,
      engineSeconds: stats.wallSeconds,
      peakMemoryMB: stats.peakMemoryMB,
      served: validation.objective.servedParticipantMinutes,
      assigned: stats.assigned,
      violations: validation.violations.length,
      lp,
      exact,
      capacity: capacityBound(problem),
    });
    console.log(
      `${size} requests: CLI ${run.seconds.toFixed(1)} s (engine ${stats.wallSeconds.toFixed(1)} s), ${stats.peakMemoryMB} MB, LP bound ${lp ? `${lp.seconds.toFixed(1)} s` : "skipped"}${exact ? `, exact bound on ${exact.bounded.length} groups ${exact.seconds.toFixed(0)} s` : ""}`,
    );
  }
  const baselineAfter = await measureBaselineSeconds(settings.baselineJobs);
  console.log(`baseline after: no-op BullMQ job, ${describeBaseline(baselineAfter)}`);
  const baseline = baselineBefore !== null && baselineAfter !== null ? (baselineBefore + baselineAfter) / 2 : null;

  const percent = (value: number) => `${value.toFixed(2)} %`;
  console.log(
    "\n| requests | CLI wall s (target) | engine s | × no-op jobs | peak memory MB (target < 2,048) | valid | assigned | served worker-min | LP bound (groups, of which by the full LP or columns) | gap to LP bound (target ≤ 1 %) | capacity bound | gap to capacity bound |",
  );
  console.log("|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const target = TARGETS[row.size];
    const gap = row.lp ? ((row.lp.bound - row.served) / row.lp.bound) * 100 : null;
    console.log(
      `| ${row.size.toLocaleString("en")} | ${row.processSeconds.toFixed(1)}${target ? ` (< ${target}: ${row.processSeconds < target ? "met" : "NOT met"})` : ""} | ${row.engineSeconds.toFixed(1)} | ` +
        `${baseline ? Math.round(row.processSeconds / baseline).toLocaleString("en") : "—"} | ${row.peakMemoryMB} (${row.peakMemoryMB < MEMORY_TARGET_MB ? "met" : "NOT met"}) | ` +
        `${row.violations === 0 ? "yes" : `NO (${row.violations})`} | ${row.assigned} | ${row.served.toLocaleString("en")} | ` +
        `${row.lp ? `${row.lp.bound.toLocaleString("en")} (${row.lp.groups}, ${row.lp.fullLp})` : "not computed"} | ` +
        `${gap === null ? "—" : `${percent(gap)} (${gap <= GAP_TARGET_PERCENT ? "met" : "NOT met"})`} | ${row.capacity.toLocaleString("en")} | ` +
        `${percent(((row.capacity - row.served) / row.capacity) * 100)} |`,
    );
  }
  for (const row of rows.filter((r) => r.exact)) {
    const { bounded, groups, seconds } = row.exact!;
    const sum = (items: GroupBound[], value: (g: GroupBound) => number) => items.reduce((total, g) => total + value(g), 0);
    const gap = (bound: number, served: number) => (bound > 0 ? ((bound - served) / bound) * 100 : 0);
    const bySolver = bounded.filter((g) => g.bySolver);
    const solverGap = gap(
      sum(bySolver, (g) => g.bound),
      sum(bySolver, (g) => g.served),
    );
    const best = sum(bounded, (g) => Math.max(g.served, g.exactServed));
    console.log(
      `exact CLI on ${bounded.length} of the ${groups} groups of the ${row.size.toLocaleString("en")}-request week (${seconds.toFixed(0)} s): ${bounded.filter((g) => g.proven).length} proven optimal, ` +
        `${bySolver.length} bounded by the solver, ${bounded.length - bySolver.length} only by their capacity (the solver's time limit)`,
    );
    console.log(
      `  on the ${bySolver.length} groups the solver bounded: the heuristic serves ${sum(bySolver, (g) => g.served).toLocaleString("en")} of a bound of ${sum(bySolver, (g) => g.bound).toLocaleString("en")}: ` +
        `gap ${percent(solverGap)} (target ≤ 1 %: ${bySolver.length > 0 && solverGap <= GAP_TARGET_PERCENT ? "met" : "NOT met"})`,
    );
    console.log(
      `  on all ${bounded.length}: the heuristic serves ${sum(bounded, (g) => g.served).toLocaleString("en")}, the best plan known (the better of it and the exact plan, per group) ${best.toLocaleString("en")}: ` +
        `${percent(
          gap(
            best,
            sum(bounded, (g) => g.served),
          ),
        )} below; bound ${sum(bounded, (g) => g.bound).toLocaleString("en")} (capacity where the solver did not bound)`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const exponent = Math.log(b.processSeconds / a.processSeconds) / Math.log(b.size / a.size);
    console.log(
      `growth ${a.size} → ${b.size}: time × ${(b.processSeconds / a.processSeconds).toFixed(2)} for size × ${(b.size / a.size).toFixed(1)} (time ∝ size^${exponent.toFixed(2)}), memory × ${(b.peakMemoryMB / a.peakMemoryMB).toFixed(2)}`,
    );
  }
}

void main();
