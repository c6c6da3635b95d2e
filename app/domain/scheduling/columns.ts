// Column generation on person-weeks (issue 23). A column is one person's
// whole week: interventions they could do one after the other (travel
// included) within their weekly cap. The master picks at most one column per
// person and the requests served, each served start covered by one encadrant
// and a full team (pinned workers included) among the chosen columns:
//
//   max  sum (value + BIG if pinned) z[r,k]
//   s.t. sum_k z[r,k] <= 1                                   per request
//        encadrants' columns holding (r,k)          >= z[r,k]        per start
//        workers' columns holding (r,k)             >= need z[r,k]   per start
//        pinned worker w's columns holding (r,k)    >= z[r,k]
//        p's columns                                <= 1             per person
//
// Its linear relaxation, solved by pricing (a longest path over a person's
// possible interventions in start order, the minutes used as the resource),
// bounds the served minutes far tighter than the compact model's (a person's
// week is whole, never a fraction of clashing interventions), and gives a
// valid bound at every round. Who the relaxation uses at each start (its
// support) is a small neighbourhood of the optimum: supportProblem cuts the
// week to it, for the compact model (exact-columns.ts).
import type { Highs } from "./exact-model";
import { gcd } from "./exact-model";
import { heaviestWeek, inWeekOrder, type WeekStep } from "./person-week";
import { conflicts, dayOf, startIsPossible, type Problem } from "./problem";
import type { PlanState } from "./state";

/** One way a person can be used: request r at start k, covering a master row. */
interface Use extends WeekStep {
  /** The start's encadrant row (supervisors) or team row (workers). */
  row: number;
  /** The pinned-worker row of this worker at this start, or -1. */
  pinRow: number;
}

export interface ColumnLimits {
  /** Most pricing rounds: a count, so the same week gives the same bound and support. */
  maxRounds: number;
  /** performance.now() past which no round starts (a loaded machine's guard). */
  deadline: number;
}

export interface ColumnOutcome {
  /** An upper bound on the served participant-minutes of `requests` (pins kept as given), from the best pricing round. */
  servedBound: number;
  /** The master's LP value at the last round, in served minutes (the bound when converged). */
  lpServed: number;
  rounds: number;
  columns: number;
  /** True when no column could improve the LP any more. */
  converged: boolean;
  /** Who the relaxations used at each start: r * START_KEY + k -> people. */
  support: Map<number, Set<number>>;
}

/** Keys of (request, start) pairs: more candidate starts than any request has. */
const START_KEY = 100_000;

const EPS = 1e-6;

/**
 * Column generation over `requests` (an independent group, or the whole
 * week), from the agendas of `seed`. `pinnedKept`: the pinned requests of
 * the group the plan keeps (the bound on served minutes assumes no more can
 * be kept, as the compact model's does).
 */
export function generateColumns(highs: Highs, problem: Problem, requests: number[], seed: PlanState, pinnedKept: number, limits: ColumnLimits): ColumnOutcome {
  const { constants } = highs;
  const inf = highs.infinity;
  const inGroup = new Set(requests);

  // Rows and the z columns, then the people's uses.
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const addRow = (lower: number, upper: number) => {
    rowLower.push(lower);
    rowUpper.push(upper);
    return rowLower.length - 1;
  };
  const zCols: Array<{ r: number; k: number; cost: number; entries: Array<[number, number]> }> = [];
  const usesOf = new Map<number, Use[]>();
  const addUse = (person: number, use: Use) => {
    if (!usesOf.has(person)) usesOf.set(person, []);
    usesOf.get(person)!.push(use);
  };
  const totalValue = requests.reduce((sum, r) => sum + problem.requests[r].value, 0);
  const step = requests.reduce((s, r) => gcd(s, problem.requests[r].value), 0) || 1;
  const big = Math.ceil((totalValue + 1) / step) * step;
  for (const r of requests) {
    const request = problem.requests[r];
    const requestRow = addRow(-inf, 1);
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) continue;
      const start = request.starts[k];
      const supRow = addRow(0, inf);
      const teamRow = addRow(0, inf);
      const entries: Array<[number, number]> = [
        [requestRow, 1],
        [supRow, -1],
        [teamRow, -request.need],
      ];
      const pinRows = new Map<number, number>();
      for (const w of request.pinnedParticipants) {
        const row = addRow(0, inf);
        pinRows.set(w, row);
        entries.push([row, -1]);
      }
      zCols.push({ r, k, cost: -(request.value + (request.pinned ? big : 0)), entries });
      const base = { r, k, start, end: start + request.duration, site: request.site, day: dayOf(start), units: request.duration };
      for (const s of problem.eligibleSupervisors[r][k]) addUse(s, { ...base, row: supRow, pinRow: -1 });
      for (const w of problem.eligibleParticipants[r][k]) addUse(w, { ...base, row: teamRow, pinRow: pinRows.get(w) ?? -1 });
    }
  }
  const people = [...usesOf.keys()].sort((a, b) => a - b);
  const convexityRow = new Map<number, number>();
  const unitOf = new Map<number, number>();
  for (const p of people) {
    convexityRow.set(p, addRow(-inf, 1));
    unitOf.set(p, inWeekOrder(usesOf.get(p)!));
  }

  const model = highs.createModel();
  try {
    const numRows = rowLower.length;
    model.passModel({
      numCols: 0,
      numRows,
      sense: constants.objectiveSense.minimize,
      colCost: [],
      colLower: [],
      colUpper: [],
      rowLower,
      rowUpper,
      matrix: { format: "csc", numRows, numCols: 0, starts: [0], indices: [], values: [] },
    });
    model.options.set({ output_flag: false });
    // Column data, by model column: z (r, k) or a person's agenda (indices into their uses).
    const columnOf: Array<{ z: number } | { person: number; uses: number[] }> = [];
    for (const [i, z] of zCols.entries()) {
      const entries = [...z.entries].sort((a, b) => a[0] - b[0]);
      model.addCol(z.cost, 0, inf, { indices: entries.map((e) => e[0]), values: entries.map((e) => e[1]) });
      columnOf.push({ z: i });
    }
    const known = new Set<string>();
    const addAgenda = (person: number, useIndices: number[]): boolean => {
      if (useIndices.length === 0) return false;
      const sorted = [...useIndices].sort((a, b) => a - b);
      const key = `${person}:${sorted.join(",")}`;
      if (known.has(key)) return false;
      known.add(key);
      const uses = usesOf.get(person)!;
      const rows = new Map<number, number>([[convexityRow.get(person)!, 1]]);
      for (const i of sorted) {
        rows.set(uses[i].row, (rows.get(uses[i].row) ?? 0) + 1);
        if (uses[i].pinRow >= 0) rows.set(uses[i].pinRow, 1);
      }
      const entries = [...rows.entries()].sort((a, b) => a[0] - b[0]);
      model.addCol(0, 0, inf, { indices: entries.map((e) => e[0]), values: entries.map((e) => e[1]) });
      columnOf.push({ person, uses: sorted });
      return true;
    };
    // The seed's agendas, as the first columns.
    const useIndexOf = new Map<number, Map<string, number>>();
    for (const p of people) useIndexOf.set(p, new Map(usesOf.get(p)!.map((u, i) => [`${u.r}:${u.k}`, i])));
    // An assignment of the seed the person is not eligible for here (none, from the heuristic) is left out.
    for (const p of people)
      addAgenda(
        p,
        seed.agenda[p].flatMap((r) => {
          const use = inGroup.has(r) ? useIndexOf.get(p)!.get(`${r}:${seed.startIndex[r]}`) : undefined;
          return use === undefined ? [] : [use];
        }),
      );

    // Pricing rounds, until no column improves the LP. The bound of a round
    // is the LP's value plus each person's best reduced cost (each person has
    // one column at most).
    const support = new Map<number, Set<number>>();
    let rounds = 0;
    let bound = Infinity;
    let lpValue = 0;
    let converged = false;
    while (rounds < limits.maxRounds && performance.now() < limits.deadline) {
      model.zeroAllClocks();
      if (Number.isFinite(limits.deadline)) model.options.set({ time_limit: Math.max(0.05, (limits.deadline - performance.now()) / 1000) });
      model.run();
      if (model.getModelStatus() !== constants.modelStatus.optimal) break;
      rounds++;
      lpValue = -model.getObjectiveValue();
      const solution = model.getSolution();
      solution.colValue.forEach((value, i) => {
        const c = columnOf[i];
        if ("z" in c || value < EPS) return;
        for (const u of c.uses) {
          const use = usesOf.get(c.person)![u];
          const key = use.r * START_KEY + use.k;
          if (!support.has(key)) support.set(key, new Set());
          support.get(key)!.add(c.person);
        }
      });
      const duals = solution.rowDual;
      let added = 0;
      let gain = 0;
      for (const p of people) {
        const uses = usesOf.get(p)!;
        const weights = uses.map((u) => duals[u.row] + (u.pinRow >= 0 ? duals[u.pinRow] : 0));
        const path = heaviestWeek(problem, uses, Math.floor(problem.people[p].capMinutes / unitOf.get(p)!), weights);
        const reduced = path.weight + duals[convexityRow.get(p)!];
        if (reduced <= EPS) continue;
        gain += reduced;
        if (addAgenda(p, repairAgenda(problem, p, uses, path.steps))) added++;
      }
      bound = Math.min(bound, lpValue + gain);
      if (gain <= EPS) converged = true;
      if (converged || added === 0) break;
    }
    const served = (value: number) => Math.min(totalValue, Math.floor((value - big * pinnedKept) / step + EPS) * step);
    return { servedBound: served(bound), lpServed: served(lpValue), rounds, columns: columnOf.length - zCols.length, converged, support };
  } finally {
    model.dispose();
  }
}

/** The agenda without the uses that break a rule (two starts of one request, a clash): the later of such a pair goes. */
function repairAgenda(problem: Problem, p: number, uses: Use[], agenda: number[]): number[] {
  const kept: number[] = [];
  let minutes = 0;
  for (const i of agenda) {
    const u = uses[i];
    const duration = u.end - u.start;
    const clash = kept.some((j) => uses[j].r === u.r || conflicts(problem, uses[j].site, uses[j].start, uses[j].end, u.site, u.start, u.end));
    if (clash || minutes + duration > problem.people[p].capMinutes) continue;
    kept.push(i);
    minutes += duration;
  }
  return kept;
}

/** The problem with each start's eligible people cut to `support` and the seed's staffing: a small model around the LP's choices. */
export function supportProblem(problem: Problem, support: Map<number, Set<number>>, seed: PlanState): Problem {
  const keep = new Map<number, Set<number>>();
  for (const [key, people] of support) keep.set(key, new Set(people));
  for (let r = 0; r < problem.requests.length; r++) {
    const staffing = seed.staffing(r);
    if (!staffing) continue;
    const key = r * START_KEY + staffing.startIndex;
    if (!keep.has(key)) keep.set(key, new Set());
    for (const p of [staffing.supervisor, ...staffing.participants]) keep.get(key)!.add(p);
  }
  const cut = (lists: number[][][]) => lists.map((byStart, r) => byStart.map((people, k) => people.filter((p) => keep.get(r * START_KEY + k)?.has(p))));
  return { ...problem, eligibleSupervisors: cut(problem.eligibleSupervisors), eligibleParticipants: cut(problem.eligibleParticipants) };
}
