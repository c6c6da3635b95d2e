// A person's best week: the heaviest sequence of interventions they can do
// one after the other, travel included, within their weekly cap. The
// pricing of column generation (columns.ts) asks it with the relaxation's
// duals as weights; the construction of encadrant-bound weeks
// (supervisor-weeks.ts) with the interventions' values.
import { gcd } from "./exact-model";
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
 * Puts a person's steps (durations in minutes) as heaviestWeek reads them:
 * in start order, durations in units of their gcd. Returns that unit.
 */
export function inWeekOrder(steps: WeekStep[]): number {
  steps.sort((a, b) => a.start - b.start || a.end - b.end || a.r - b.r);
  const unit = steps.reduce((g, step) => gcd(g, step.units), 0) || 1;
  for (const step of steps) step.units /= unit;
  return unit;
}

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
  // best[a * width + m]: the heaviest sequence ending at live step a having used m; previous: the step before it.
  const { best, previous } = scratch(n * width);
  best.fill(Number.NEGATIVE_INFINITY, 0, n * width);
  // The best sequence on earlier days, per minutes used (and where it ends).
  const earlier = new Float64Array(width).fill(Number.NEGATIVE_INFINITY);
  const earlierEnd = new Int32Array(width).fill(-1);
  earlier[0] = 0;
  let earlierMax = 0;
  // The same day's steps that ended early enough for any later step (maxTravel before its start), merged:
  // per minutes used, the best two sequences ending at steps of different requests (a step never follows its own request).
  const sure = new Float64Array(width);
  const sureFrom = new Int32Array(width);
  const sureRequest = new Int32Array(width);
  const second = new Float64Array(width);
  const secondFrom = new Int32Array(width);
  let sureMax = -1;
  const merged = new Uint8Array(n);
  let byEnd: number[] = [];
  let next = 0;
  // The minutes used that a sequence ending at each step can have (the rest of its row is empty).
  const low = new Int32Array(n);
  const high = new Int32Array(n).fill(-1);
  let dayStart = 0;
  let top = 0;
  let topAt = -1;
  for (let a = 0; a < n; a++) {
    const step = steps[live[a]];
    if (a === 0 || step.day !== steps[live[dayStart]].day) {
      for (let b = dayStart; b < a; b++)
        for (let m = low[b]; m <= high[b]; m++)
          if (best[b * width + m] > earlier[m]) {
            earlier[m] = best[b * width + m];
            earlierEnd[m] = b;
            earlierMax = Math.max(earlierMax, m);
          }
      dayStart = a;
      sure.fill(Number.NEGATIVE_INFINITY);
      second.fill(Number.NEGATIVE_INFINITY);
      sureRequest.fill(-1);
      sureMax = -1;
      let dayEnd = a;
      while (dayEnd < n && steps[live[dayEnd]].day === step.day) dayEnd++;
      byEnd = [];
      for (let b = a; b < dayEnd; b++) byEnd.push(b);
      byEnd.sort((x, y) => steps[live[x]].end - steps[live[y]].end || x - y);
      next = 0;
    }
    // Steps that ended maxTravel before this one starts can precede it (and every later step): merged once.
    while (next < byEnd.length && steps[live[byEnd[next]]].end + problem.maxTravel <= step.start) {
      const b = byEnd[next++];
      merged[b] = 1;
      const request = steps[live[b]].r;
      for (let m = low[b]; m <= high[b]; m++) {
        const value = best[b * width + m];
        if (value > sure[m]) {
          if (sureRequest[m] !== request) {
            second[m] = sure[m];
            secondFrom[m] = sureFrom[m];
          }
          sure[m] = value;
          sureFrom[m] = b;
          sureRequest[m] = request;
          sureMax = Math.max(sureMax, m);
        } else if (request !== sureRequest[m] && value > second[m]) {
          second[m] = value;
          secondFrom[m] = b;
        }
      }
    }
    // Where a sequence may come from: an earlier day, a merged step, or one of the day's other steps it can follow.
    const row = a * width;
    const room = width - 1 - step.units;
    for (let used = 0; used <= Math.min(earlierMax, room); used++) {
      best[row + used + step.units] = earlier[used];
      previous[row + used + step.units] = earlierEnd[used];
    }
    for (let used = 0; used <= Math.min(sureMax, room); used++) {
      const own = sureRequest[used] === step.r;
      const value = own ? second[used] : sure[used];
      if (value > best[row + used + step.units]) {
        best[row + used + step.units] = value;
        previous[row + used + step.units] = own ? secondFrom[used] : sureFrom[used];
      }
    }
    for (let b = dayStart; b < a; b++) {
      if (merged[b]) continue;
      const other = steps[live[b]];
      if (other.r === step.r || high[b] < 0 || conflicts(problem, other.site, other.start, other.end, step.site, step.start, step.end)) continue;
      for (let used = low[b]; used <= Math.min(high[b], room); used++) {
        const value = best[b * width + used];
        if (value > best[row + used + step.units]) {
          best[row + used + step.units] = value;
          previous[row + used + step.units] = b;
        }
      }
    }
    const w = weights[live[a]];
    low[a] = width;
    for (let m = step.units; m < width; m++) {
      if (best[row + m] === Number.NEGATIVE_INFINITY) continue;
      best[row + m] += w;
      low[a] = Math.min(low[a], m);
      high[a] = m;
      if (best[row + m] > top) {
        top = best[row + m];
        topAt = row + m;
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

/** The tables of heaviestWeek, kept between calls (it is called for every person, round after round). */
let tables = { best: new Float64Array(0), previous: new Int32Array(0) };
function scratch(size: number): typeof tables {
  if (tables.best.length < size) tables = { best: new Float64Array(size), previous: new Int32Array(size) };
  return tables;
}
