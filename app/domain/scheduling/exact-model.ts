// The exact model: the week as a mixed-integer program for HiGHS, built here
// and solved by exact-solve.ts. This file knows only the Problem: how a week
// splits into independent groups, how big a group's model is, and its rows.
//
// Variables, for each request r and candidate start k that could be staffed
// alone:  z[r,k] (served at k), x[r,k,s] (supervisor s leads it),
// y[r,k,w] (worker w in the team), and per worker sf[w] (target shortfall).
// A person who would be forced anyway (the only eligible supervisor, a pinned
// worker, a team with no spare candidate) uses z directly.
//
// Constraints: one start per request; one supervisor and exactly the team
// size per served start (H2); H3-H5 and H8 by only creating eligible
// variables; H6 as clique constraints over overlapping intervals plus pairwise
// constraints when only the travel makes two interventions clash; H7 as
// knapsack rows; sf[w] >= target - assigned minutes.
//
// Three objectives, solved in turn by exact-solve.ts: (1) BIG x pinned kept +
// served participant-minutes, (2) the shortfall, (3) travel between consecutive
// same-day interventions (t[a,b] >= use_a + use_b - 1 - uses in between),
// when that part of the model stays small.
//
// The week is cut into independent components (requests connected by a
// person who could serve both); cutting by day or skill would not be exact,
// since weekly caps and the shortfall tie a person's days together.
import type highsLoader from "highs";
import { dayOf, startIsPossible, type Problem } from "./problem";

export type Highs = Awaited<ReturnType<typeof highsLoader>>;

/**
 * HiGHS runs as WebAssembly with a heap of at most 2 GiB and aborts past it
 * (issue 23: a 300-request week given whole to the CLI's exact mode grew to
 * 1.6 GB and aborted). Every model is sized before it is built (from its
 * columns), then once built (its nonzeros) before the solver gets it; one
 * over the budget is never solved: its group keeps the heuristic's plan and
 * the stats say so. Measured on generated weeks with a node limit of 100 and
 * a 60 s limit, the heap grew to 44 MB for 5,400 nonzeros, 132 MB for 51,000
 * and 474 MB for 445,000 (presolve copies and the search's nodes and cuts):
 * 64 MB plus 2,000 bytes per nonzero covers each with room. The budget is half
 * the heap, for the search's growth beyond those measures.
 */
export const SOLVER_MEMORY = {
  heapBytes: 2 ** 31,
  budgetBytes: 2 ** 30,
  baseBytes: 64 * 2 ** 20,
  bytesPerNonzero: 2_000,
} as const;

/** The solver memory a model of that many nonzeros is expected to take. */
export function solverBytes(nonzeros: number): number {
  return SOLVER_MEMORY.baseBytes + nonzeros * SOLVER_MEMORY.bytesPerNonzero;
}

/**
 * The fewest nonzeros buildModel would make for `requests`, counted without
 * building it (a city's week would not fit in memory as a model): each
 * candidate supervisor and worker of a possible start is a column in at least
 * its start's link row, and each start in its request's row.
 */
export function leastModelNonzeros(problem: Problem, requests: number[]): number {
  let nonzeros = 0;
  for (const r of requests) {
    const request = problem.requests[r];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) continue;
      nonzeros += 2 + problem.eligibleSupervisors[r][k].length + problem.eligibleParticipants[r][k].length;
    }
  }
  return nonzeros;
}

/** Null when a model of that many nonzeros fits the solver's memory budget, else why not, in French. */
export function overMemoryBudget(nonzeros: number, what: string, budgetBytes: number = SOLVER_MEMORY.budgetBytes): string | null {
  const bytes = solverBytes(nonzeros);
  if (bytes <= budgetBytes) return null;
  const megabytes = (value: number) => `${Math.round(value / 2 ** 20).toLocaleString("fr-FR")} Mo`;
  return `${what} : modèle estimé à ${megabytes(bytes)} (${nonzeros.toLocaleString("fr-FR")} coefficients), au-delà du budget mémoire du solveur (${megabytes(budgetBytes)}) : heuristique`;
}

/** buildModel, unless the model would not fit the solver's memory budget (checked before and after building): then why, in French. */
export function buildModelWithinBudget(problem: Problem, requests: number[], maxTravelNonzeros: number, what: string, budgetBytes: number = SOLVER_MEMORY.budgetBytes): Model | string {
  const before = overMemoryBudget(leastModelNonzeros(problem, requests), what, budgetBytes);
  if (before) return before;
  const model = buildModel(problem, requests, maxTravelNonzeros);
  return overMemoryBudget(model.rowIndices.length, what, budgetBytes) ?? model;
}

/**
 * The components to solve exactly: smallest first (then in their order), as
 * long as their interventions add up to at most `budget`. Smallest first
 * proves the most groups within the budget, and the choice is reproducible.
 */
export function chooseExactComponents(components: number[][], budget: number): Set<number[]> {
  const chosen = new Set<number[]>();
  let used = 0;
  const bySize = components.map((c, i) => ({ c, i })).sort((a, b) => a.c.length - b.c.length || a.i - b.i);
  for (const { c } of bySize) {
    if (used + c.length > budget) break;
    chosen.add(c);
    used += c.length;
  }
  return chosen;
}

/** Requests connected by a person who could serve both, each list sorted; only requests with some variable. */
export function findComponents(problem: Problem): number[][] {
  const parent = problem.requests.map((r) => r.index);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const firstRequestOf = new Map<number, number>();
  const useful: boolean[] = [];
  for (const request of problem.requests) {
    const r = request.index;
    let any = false;
    request.starts.forEach((_, k) => {
      if (!startIsPossible(problem, r, k)) return;
      any = true;
      for (const p of [...problem.eligibleSupervisors[r][k], ...problem.eligibleParticipants[r][k]]) {
        const first = firstRequestOf.get(p);
        if (first === undefined) firstRequestOf.set(p, r);
        else parent[find(r)] = find(first);
      }
    });
    useful.push(any);
  }
  const groups = new Map<number, number[]>();
  for (const request of problem.requests) {
    if (!useful[request.index]) continue;
    const root = find(request.index);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(request.index);
  }
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}

/** One way a person can be used: request r at start k, through column `col`. */
interface Use {
  r: number;
  k: number;
  col: number;
  start: number;
  end: number;
}

export interface Model {
  numCols: number;
  colCost1: number[];
  colCostShortfall: number[];
  colCostTravel: number[];
  colUpper: number[];
  integrality: number[];
  rowLower: number[];
  rowUpper: number[];
  rowStarts: number[];
  rowIndices: number[];
  rowValues: number[];
  big: number;
  /**
   * Every objective value of each stage is a multiple of its step (the gcd of
   * its coefficients): a solution within less than a step of the bound is
   * proven optimal, so HiGHS may stop there instead of closing the last minute.
   */
  steps: { served: number; shortfall: number; travel: number };
  /** z column per request and start (-1 when that start is impossible). */
  zCol: Map<number, number[]>;
  /** supervisor column per (r,k): person -> column. */
  supervisorCols: Map<string, Map<number, number>>;
  participantCols: Map<string, Map<number, number>>;
  shortfallCols: Map<number, number>;
  /** Travel variables and their (person, a, b) uses, for the warm start. */
  travelCols: Array<{ col: number; a: Use; b: Use; between: Use[] }>;
  travelIncluded: boolean;
}

export function buildModel(problem: Problem, component: number[], maxTravelNonzeros: number): Model {
  const m: Model = {
    numCols: 0,
    colCost1: [],
    colCostShortfall: [],
    colCostTravel: [],
    colUpper: [],
    integrality: [],
    rowLower: [],
    rowUpper: [],
    rowStarts: [0],
    rowIndices: [],
    rowValues: [],
    big: 0,
    steps: { served: 0, shortfall: 0, travel: 0 },
    zCol: new Map(),
    supervisorCols: new Map(),
    participantCols: new Map(),
    shortfallCols: new Map(),
    travelCols: [],
    travelIncluded: false,
  };
  const totalValue = component.reduce((sum, r) => sum + problem.requests[r].value, 0);
  m.steps.served = component.reduce((step, r) => gcd(step, problem.requests[r].value), 0) || 1;
  // BIG (per pinned request kept) above all served minutes, and a multiple of the step.
  m.big = Math.ceil((totalValue + 1) / m.steps.served) * m.steps.served;
  m.steps.shortfall = component.reduce((step, r) => gcd(step, problem.requests[r].duration), 0) || 1;
  const addCol = (cost1: number, integer: boolean, upper = 1) => {
    m.colCost1.push(cost1);
    m.colCostShortfall.push(0);
    m.colCostTravel.push(0);
    m.colUpper.push(upper);
    m.integrality.push(integer ? 1 : 0);
    return m.numCols++;
  };
  const addRow = (lower: number, upper: number, entries: Array<[number, number]>) => {
    for (const [col, value] of entries) {
      m.rowIndices.push(col);
      m.rowValues.push(value);
    }
    m.rowLower.push(lower);
    m.rowUpper.push(upper);
    m.rowStarts.push(m.rowIndices.length);
  };

  const usesOf = new Map<number, Use[]>();
  const addUse = (person: number, use: Use) => {
    if (!usesOf.has(person)) usesOf.set(person, []);
    usesOf.get(person)!.push(use);
  };

  for (const r of component) {
    const request = problem.requests[r];
    const zs: number[] = [];
    for (let k = 0; k < request.starts.length; k++) {
      if (!startIsPossible(problem, r, k)) {
        zs.push(-1);
        continue;
      }
      const start = request.starts[k];
      const end = start + request.duration;
      const z = addCol(request.value + (request.pinned ? m.big : 0), true);
      zs.push(z);
      const supervisors = problem.eligibleSupervisors[r][k];
      const supCols = new Map<number, number>();
      if (supervisors.length === 1) {
        supCols.set(supervisors[0], z);
      } else {
        for (const s of supervisors) supCols.set(s, addCol(0, true));
        addRow(0, 0, [...[...supCols.values()].map((c): [number, number] => [c, 1]), [z, -1]]);
      }
      m.supervisorCols.set(`${r}:${k}`, supCols);
      for (const [s, col] of supCols) addUse(s, { r, k, col, start, end });

      const participantCols = new Map<number, number>();
      for (const w of request.pinnedParticipants) participantCols.set(w, z);
      const free = problem.eligibleParticipants[r][k].filter((w) => !request.pinnedParticipants.includes(w));
      const missing = request.need - request.pinnedParticipants.length;
      if (missing > 0) {
        if (free.length === missing) {
          for (const w of free) participantCols.set(w, z);
        } else {
          const cols = free.map((w) => {
            const col = addCol(0, true);
            participantCols.set(w, col);
            return col;
          });
          addRow(0, 0, [...cols.map((c): [number, number] => [c, 1]), [z, -missing]]);
        }
      }
      m.participantCols.set(`${r}:${k}`, participantCols);
      for (const [w, col] of participantCols) addUse(w, { r, k, col, start, end });
    }
    m.zCol.set(r, zs);
    const possible = zs.filter((z) => z >= 0);
    if (possible.length > 1)
      addRow(
        -Infinity,
        1,
        possible.map((z): [number, number] => [z, 1]),
      );
  }

  const siteOf = (use: Use) => problem.requests[use.r].site;
  const travelRows: Array<() => void> = [];
  let travelNonzeros = 0;
  const people = [...usesOf.keys()].sort((a, b) => a - b);
  for (const p of people) {
    const uses = usesOf.get(p)!.sort((a, b) => a.start - b.start || a.end - b.end || a.col - b.col);
    // H6, overlaps: maximal cliques of intervals containing a start time.
    const starts = [...new Set(uses.map((u) => u.start))];
    for (let i = 0; i < starts.length; i++) {
      const t = starts[i];
      const next = i + 1 < starts.length ? starts[i + 1] : Infinity;
      const active = uses.filter((u) => u.start <= t && t < u.end);
      const cols = [...new Set(active.map((u) => u.col))];
      if (cols.length < 2) continue;
      if (!active.some((u) => u.end <= next)) continue; // contained in the next clique
      addRow(
        -Infinity,
        1,
        cols.map((c): [number, number] => [c, 1]),
      );
    }
    // H6, travel: intervals that do not overlap but are too close for the trip.
    for (let i = 0; i < uses.length; i++) {
      const a = uses[i];
      for (let j = i + 1; j < uses.length; j++) {
        const b = uses[j];
        if (b.start >= a.end + problem.maxTravel) break;
        if (a.r === b.r || b.start < a.end) continue; // same request, or overlapping (cliques above)
        if (a.end + problem.travel[siteOf(a)][siteOf(b)] > b.start)
          addRow(-Infinity, 1, [
            [a.col, 1],
            [b.col, 1],
          ]);
      }
    }
    // H7: only when the person could be asked for more than the cap.
    const person = problem.people[p];
    const durationByRequest = new Map<number, number>();
    for (const u of uses) durationByRequest.set(u.r, problem.requests[u.r].duration);
    const maxPossible = [...durationByRequest.values()].reduce((a, b) => a + b, 0);
    const useEntries = () => {
      const byCol = new Map<number, number>();
      for (const u of uses) byCol.set(u.col, problem.requests[u.r].duration);
      return [...byCol.entries()] as Array<[number, number]>;
    };
    if (maxPossible > person.capMinutes) addRow(-Infinity, person.capMinutes, useEntries());
    // Shortfall: sf + assigned minutes >= target.
    if (!person.isSupervisor && person.targetMinutes > 0) {
      m.steps.shortfall = gcd(m.steps.shortfall, person.targetMinutes);
      const sf = addCol(0, false, person.targetMinutes);
      m.colCostShortfall[sf] = 1;
      m.shortfallCols.set(p, sf);
      addRow(person.targetMinutes, Infinity, [[sf, 1], ...useEntries()]);
    }
    // Travel between consecutive same-day interventions: t[a,b] >= a + b - 1 -
    // (uses starting strictly between them). Uses are sorted by start, so the
    // ones in between are a contiguous slice; built later if small enough.
    const firstAfter = (start: number) => {
      let lo = 0;
      let hi = uses.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (uses[mid].start <= start) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const firstAtOrAfter = (start: number) => firstAfter(start - 1);
    for (let i = 0; i < uses.length; i++) {
      const a = uses[i];
      const from = firstAfter(a.start);
      for (let j = from; j < uses.length; j++) {
        const b = uses[j];
        if (dayOf(b.start) !== dayOf(a.start)) break;
        const travel = problem.travel[siteOf(a)][siteOf(b)];
        if (a.r === b.r || travel === 0 || a.end + travel > b.start) continue;
        const to = firstAtOrAfter(b.start);
        travelNonzeros += 3 + (to - from);
        if (travelNonzeros > maxTravelNonzeros) continue;
        travelRows.push(() => {
          const between = uses.slice(from, to);
          const col = addCol(0, false);
          m.colCostTravel[col] = travel;
          m.steps.travel = gcd(m.steps.travel, travel);
          m.travelCols.push({ col, a, b, between });
          addRow(-1, Infinity, [[col, 1], [a.col, -1], [b.col, -1], ...between.map((c): [number, number] => [c.col, 1])]);
        });
      }
    }
  }
  if (travelNonzeros <= maxTravelNonzeros) {
    for (const add of travelRows) add();
    m.travelIncluded = true;
  }
  return m;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}
