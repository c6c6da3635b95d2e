// A person's best week: the heaviest sequence of interventions they can do
// one after the other, travel included, within their weekly cap. The
// pricing of column generation (columns.ts) asks it with the relaxation's
// duals as weights; the construction of encadrant-bound weeks
// (supervisor-weeks.ts) with the interventions' values.
import { conflicts, type Problem } from "./problem";

/** One intervention a person could do: request r at start k. */
export interface WeekStep {
  r: number;
  k: number;
  start: number;
  end: number;
  site: number;
  day: number;
  /** Duration in units of the caller's minute step (the gcd of the durations). */
  units: number;
}

const EPS = 1e-6;

/**
 * The heaviest sequence of `steps` one person can do one after the other,
 * travel included, within `cap` (in the steps' unit of minutes): a longest
 * path over the steps in start order, the minutes used as the resource.
 * Steps are sorted by start; only those of positive weight count. Two steps
 * in a row are checked against each other: with travel times that obey the
 * triangle inequality the whole sequence is then compatible (callers check
 * it again). Returns the indices of the steps taken.
 */
export function heaviestWeek(problem: Problem, steps: readonly WeekStep[], cap: number, weights: ArrayLike<number>): { weight: number; steps: number[] } {
  const live = steps.map((_, i) => i).filter((i) => weights[i] > EPS && steps[i].units <= cap);
  const n = live.length;
  if (n === 0) return { weight: 0, steps: [] };
  const width = cap + 1;
  const best = new Float64Array(n * width).fill(-Infinity);
  const previous = new Int32Array(n * width).fill(-1);
  // The best sequence on earlier days, per minutes used (and where it ends).
  const earlier = new Float64Array(width).fill(-Infinity);
  const earlierEnd = new Int32Array(width).fill(-1);
  earlier[0] = 0;
  let earlierMax = 0;
  // The minutes used that a sequence ending at each step can have (the rest of its row is empty).
  const low = new Int32Array(n);
  const high = new Int32Array(n).fill(-1);
  let dayStart = 0;
  let top = 0;
  let topAt = -1;
  const before: number[] = [];
  for (let a = 0; a < n; a++) {
    const step = steps[live[a]];
    if (step.day !== steps[live[dayStart]].day) {
      for (let b = dayStart; b < a; b++)
        for (let m = low[b]; m <= high[b]; m++)
          if (best[b * width + m] > earlier[m]) {
            earlier[m] = best[b * width + m];
            earlierEnd[m] = b;
            earlierMax = Math.max(earlierMax, m);
          }
      dayStart = a;
    }
    // The same day's steps this one can follow, and the minutes they may have used.
    before.length = 0;
    let usedMax = earlierMax;
    for (let b = dayStart; b < a; b++) {
      const other = steps[live[b]];
      if (other.r !== step.r && high[b] >= 0 && !conflicts(problem, other.site, other.start, other.end, step.site, step.start, step.end)) {
        before.push(b);
        usedMax = Math.max(usedMax, high[b]);
      }
    }
    const w = weights[live[a]];
    low[a] = width;
    for (let m = step.units; m < width && m - step.units <= usedMax; m++) {
      const used = m - step.units;
      let value = earlier[used];
      let from = earlierEnd[used];
      for (const b of before) {
        if (best[b * width + used] <= value) continue;
        value = best[b * width + used];
        from = b;
      }
      if (value === -Infinity) continue;
      best[a * width + m] = value + w;
      previous[a * width + m] = from;
      low[a] = Math.min(low[a], m);
      high[a] = m;
      if (value + w > top) {
        top = value + w;
        topAt = a * width + m;
      }
    }
  }
  const path: number[] = [];
  for (let at = topAt; at >= 0; ) {
    const a = Math.floor(at / width);
    const m = at % width;
    path.push(live[a]);
    const from = previous[at];
    at = from < 0 ? -1 : from * width + (m - steps[live[a]].units);
  }
  return { weight: top, steps: path.reverse() };
}
