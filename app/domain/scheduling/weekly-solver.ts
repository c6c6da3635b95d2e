// How the weekly optimisation chooses its solver, what it records about it,
// and how the planning board says it in French. Pure: no I/O, no HiGHS (the
// planning board imports it).
import type { ExactOptions, ExactResult, WindowOptions } from "./exact-types";
import type { Instance } from "./instance";

/** What bounds the weekly optimisation's solvers (WEEKLY_EXACT; tests pass smaller ones). */
export interface WeeklyLimits {
  maxRequests: number;
  nodeLimit: number;
  timeLimitSeconds: number;
  windows?: WindowOptions;
}

/**
 * The weekly optimisation's use of the exact solver. Measured with
 * tests/bench/scheduling-exact-threshold.ts on the shared, loaded 2-core
 * machine (see README): up to 75 interventions proven optimal within 64 s
 * (most of it in the travel stage), 90 with time windows and 100 stopped by the
 * 90 s limit, whose plans then need not repeat.
 */
export const WEEKLY_EXACT = {
  /**
   * Interventions solved exactly in all. A week splits into independent groups
   * (interventions that no one person could both do are apart): the smallest
   * groups are solved exactly up to this many interventions together, the rest
   * keep the heuristic's plan; a week whose groups are all larger goes
   * straight to the heuristic.
   */
  maxRequests: 80,
  /** Branch-and-bound nodes per solver stage: the limit meant to bind, so the same week gives the same plan. */
  nodeLimit: 100,
  /**
   * The job's 30 minutes (issue 23). Node limits decide the smaller weeks
   * (64 s for the largest exact week, 17 minutes to prove a 200-intervention
   * week with time windows); on the hardest such week the whole-group solve is
   * what the clock stops, and the report says so (another run may differ).
   */
  timeLimitSeconds: 1800,
  /**
   * Larger groups: after the heuristic, windows of two or three days re-solved
   * exactly, the rest of the week fixed (exact-refine.ts), at most 60 solves in
   * all. A day in none of those windows is solved alone up to 180 starts: with
   * time windows a 200-request week has days of 129 to 169 starts, which no
   * window reached; a 1,000-request week without time windows has days of 153
   * to 200 (one week gained 450 minutes; each took about 100 s instead of 12).
   * Larger days (a 1,000-request week with time windows: 600 and more) keep
   * the heuristic's plan.
   * Then a group of up to 700 candidate starts (interventions without a time
   * window have one: the generated 200-request weeks have 160 to 175 starts
   * without time windows, 598 to 692 with, a 1,000-request week 865 and more)
   * is solved whole, from the windows' plan: up to 1,000 nodes for its served
   * minutes, since the last steps of the gap take hundreds (100 left a
   * 200-request week 0.27 % from its bound, 1,000 proved its optimum), and
   * the windows' 100 for its shortfall (1,000 ran for more than 30 minutes
   * without reaching the 5 % the windows accept). With time windows that is
   * about 15 minutes of served-minutes stage: one week proven in 114 s in all,
   * two brought within 0.25 % and 0.5 % of their bound in 22 minutes (47,730
   * minutes each, from 47,430 and 47,580; the first one's optimum is 47,820,
   * proven by a 25-minute solve with no node limit).
   * Before that whole solve, a group of more than 300 starts (the weeks with
   * time windows) goes through the column stage (exact-columns.ts): up to 100
   * pricing rounds (the generated weeks converge in 15 to 60), then the model
   * cut to the relaxation's support, with the same 1,000 nodes. From its
   * plan, the whole solve proved the first week's optimum (47,820) in 17
   * minutes in all, and brought the second within 0.25 % of its bound;
   * the smaller groups, proven without it, skip it.
   * Measured with tests/bench/scheduling.ts and scheduling-weekly.ts (see README).
   */
  windows: { maxStarts: 120, maxDays: 3, maxDayStarts: 180, maxSolves: 60, maxWholeStarts: 700, wholeNodeLimit: 1000, columns: { rounds: 100, minStarts: 300 } },
} as const satisfies WeeklyLimits;

/**
 * The solver options of the weekly optimisation, for the job and the
 * benchmark alike: the heuristic's weekly budget (`iterations`), then the
 * exact solver on the groups that fit and day windows on the others.
 */
export function weeklySolverOptions(limits: WeeklyLimits, iterations: number): ExactOptions {
  return {
    iterations,
    nodeLimit: limits.nodeLimit,
    timeLimitSeconds: limits.timeLimitSeconds,
    maxExactRequests: limits.maxRequests,
    windows: limits.windows,
  };
}

/**
 * The exact solver's share of the progress bar after `seconds`, since HiGHS
 * reports nothing while it solves: a curve that passes half at about 20 s
 * (the exact solves measured took 3 to 64 s; `scaleSeconds` stretches it) and
 * nears 1 without reaching it, so the bar keeps moving on a long solve and
 * never stands full before the end.
 */
export function exactSolveShare(seconds: number, scaleSeconds = 30): number {
  return 1 - Math.exp(-Math.max(0, seconds) / scaleSeconds);
}

/**
 * The weekly search's share of the bar after `silentSeconds` without news
 * since it reported `lastShare`: its windows report as they go, but a
 * whole-group solve says nothing for up to 20 minutes, so the bar creeps from
 * there towards the end (half the way in about 3.5 minutes).
 */
export function silentSearchShare(lastShare: number, silentSeconds: number): number {
  return lastShare + (1 - lastShare) * exactSolveShare(silentSeconds, 300);
}

/** Why the heuristic planned a week rather than the exact solver. */
export type HeuristicReason = "empty" | "too-large" | "solver-stopped" | "week-changed";

export type WeeklySolver = { kind: "exact" } | { kind: "heuristic"; why: HeuristicReason };

/** What a planning run records about its solver (PlanningRun.stats.solver). */
export interface WeeklySolverReport {
  kind: "exact" | "heuristic";
  why?: HeuristicReason;
  /** Interventions in the week, and the exact solver's limit. */
  requests: number;
  maxRequests: number;
  /** All four levels of the objective proven optimal. */
  optimal: boolean;
  /** Pins kept and served participant-minutes proven maximal. */
  servedOptimal: boolean;
  /** Relative gap on served participant-minutes, in % (2 decimals); null when nothing bounds it (heuristic). */
  gapPercent: number | null;
  /** Independent groups of interventions left to the heuristic (beyond maxRequests in all, or too large). */
  heuristicGroups?: number;
  /** False when the wall-clock limit stopped the solver: running again may give another plan. */
  reproducible: boolean;
  seconds: number;
  /** The solver's own remarks (components left to the heuristic, fallback reasons), in French. */
  notes: string[];
}

/**
 * The exact solver when some independent group of the week's interventions
 * (sizes in `groups`, see findComponents) fits within maxRequests, the
 * heuristic when every group is larger or the week is empty.
 */
export function chooseWeeklySolver(requests: number, groups: number[], maxRequests: number = WEEKLY_EXACT.maxRequests): WeeklySolver {
  if (requests === 0) return { kind: "heuristic", why: "empty" };
  return groups.length > 0 && groups.every((size) => size > maxRequests) ? { kind: "heuristic", why: "too-large" } : { kind: "exact" };
}

/**
 * What a planning run (and the CLI's --stats) records about the solver that
 * planned the week: `solved` is what chooseSolverFor's choice returned
 * (absent when the heuristic planned under the lock: an empty or changed week).
 */
export function weeklyReport(choice: WeeklySolver, solved: ExactResult | undefined, requests: number, limits: WeeklyLimits): WeeklySolverReport {
  const seconds = solved && Number.isFinite(solved.stats.seconds) ? Math.round(solved.stats.seconds * 10) / 10 : 0;
  if (choice.kind === "heuristic") {
    return {
      kind: "heuristic",
      why: choice.why,
      requests,
      maxRequests: limits.maxRequests,
      optimal: false,
      servedOptimal: false,
      gapPercent: null,
      // A fallback (deadline, thread lost) or a window stopped by the clock: another run may differ.
      reproducible: !solved || (!solved.stats.fellBack && solved.stats.timeLimitStops === 0),
      seconds,
      notes: solved ? solved.stats.notes : [],
    };
  }
  const stats = solved!.stats;
  // exact.ts's fallbacks (deadline, thread lost, invalid plan) hand back the heuristic's plan with no gap.
  const stopped = Number.isNaN(stats.gap);
  return {
    kind: stopped ? "heuristic" : "exact",
    ...(stopped ? { why: "solver-stopped" as const } : {}),
    requests,
    maxRequests: limits.maxRequests,
    optimal: !stopped && stats.optimal,
    servedOptimal: !stopped && stats.servedOptimal,
    gapPercent: stopped ? null : stats.servedOptimal ? 0 : servedGapPercent(stats.objective.servedParticipantMinutes, stats.servedUpperBound),
    heuristicGroups: stopped ? 0 : stats.heuristicComponents,
    reproducible: stats.timeLimitStops === 0 && !stopped,
    seconds,
    notes: stats.notes,
  };
}

/**
 * Relative gap on served participant-minutes: (upper bound - served) / served, in %.
 * The solver's own gap also counts kept pins (weighted big), which would make
 * a week with pins look closer to the optimum than it is.
 */
export function servedGapPercent(served: number, upperBound: number): number | null {
  if (!Number.isFinite(upperBound)) return null;
  if (served <= 0) return upperBound > 0 ? null : 0;
  return Math.round((Math.max(0, upperBound - served) / served) * 10_000) / 100;
}

/**
 * True when two instances describe the same week: same people, sites and
 * requests with the same pins, whatever order the database returned them in.
 * A plan computed on one is then exactly right for the other.
 */
export function sameInstance(a: Instance, b: Instance): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const percent = (value: number) => `${value.toLocaleString("fr-FR", { maximumFractionDigits: 2 })} %`;
const seconds = (value: number) => `${value.toLocaleString("fr-FR", { maximumFractionDigits: 1 })} s`;

/** The run report's lines about the solver, in plain French (first line: the verdict). */
export function describeWeeklySolver(report: WeeklySolverReport): string[] {
  const lines: string[] = [];
  if (report.kind === "exact") {
    if (report.optimal) lines.push(`Optimum prouvé par le solveur exact (${seconds(report.seconds)}).`);
    else if (report.servedOptimal)
      lines.push("Heures servies au maximum, prouvé par le solveur exact ; la répartition des heures entre les personnes ou les trajets ne sont pas prouvés optimaux (limite du solveur atteinte).");
    else if (report.gapPercent !== null)
      lines.push(
        `Écart à l'optimum : ${percent(report.gapPercent)} au plus sur les heures servies (${
          report.heuristicGroups ? "une partie de la semaine planifiée par l'heuristique" : "limite du solveur atteinte"
        }).`,
      );
    else lines.push("Solveur exact arrêté à sa limite : écart à l'optimum inconnu.");
    if (!report.reproducible) lines.push("Arrêté par la limite de temps : relancer l'optimisation peut donner un autre plan.");
  } else if (report.why === "empty") {
    lines.push("Aucune intervention à planifier cette semaine.");
  } else if (report.why === "too-large") {
    lines.push(
      `Semaine trop grande pour le solveur exact (${report.requests} interventions, en groupes de plus de ${report.maxRequests} qui partagent des personnes) : heuristique${report.seconds > 0 ? ` (${seconds(report.seconds)} de recherche)` : ""}, sans preuve d'optimum.`,
    );
  } else if (report.why === "week-changed") {
    lines.push("La semaine a changé pendant le calcul exact : heuristique rapide sur la semaine à jour, sans preuve d'optimum.");
  } else {
    lines.push("Solveur exact arrêté avant d'avoir un plan : heuristique rapide, sans preuve d'optimum.");
  }
  return [...lines, ...report.notes.map((note) => `${note.charAt(0).toUpperCase()}${note.slice(1)}.`)];
}
