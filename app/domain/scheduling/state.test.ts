// The plan state's clash test (H6 with travel, H7 cap) is the local search's
// innermost loop and is written for speed; here it is held to the plain rule
// of problem.ts (conflicts, capMinutes) on plans of random weeks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateCity } from "../../../tests/support/city-generator";
import { generateInstance } from "../../../tests/support/instance-generator";
import { seededRandom } from "~/utils/seeded-random.ts";
import { solveProblem } from "./engine";
import { parseInstance } from "./instance";
import { compileProblem, conflicts, type Problem } from "./problem";
import type { PlanState } from "./state";

function problemOf(options: Parameters<typeof generateInstance>[0]): Problem {
  const parsed = parseInstance(generateInstance(options));
  if (!parsed.ok) throw new Error(`generated instance rejected at ${parsed.path}: ${parsed.message}`);
  return compileProblem(parsed.instance);
}

/** H6 and H7 for person p (who does not hold r) taking request r at start k, from the rule's own definition. */
function fitsByTheRule(problem: Problem, state: PlanState, p: number, r: number, k: number, ignore: number): boolean {
  const request = problem.requests[r];
  const start = request.starts[k];
  let minutes = request.duration;
  for (const q of state.agenda[p]) {
    if (q === ignore) continue;
    minutes += problem.requests[q].duration;
    const other = problem.requests[q];
    const qStart = other.starts[state.startIndex[q]];
    if (conflicts(problem, request.site, start, start + request.duration, other.site, qStart, qStart + other.duration)) return false;
  }
  return minutes <= problem.people[p].capMinutes;
}

describe("plan state", () => {
  it("isFree agrees with H6 (travel included) and H7 on the plans of random weeks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 5, max: 60 }), fc.boolean(), (seed, requests, timeWindows) => {
        const problem = problemOf({ requests, seed, timeWindows, tightness: 1.6 });
        const { state } = solveProblem(problem, { iterations: 50, seed });
        const random = seededRandom(seed);
        const pick = (n: number) => Math.floor(random() * n);
        for (let probe = 0; probe < 200; probe++) {
          const p = pick(problem.people.length);
          const r = pick(problem.requests.length);
          const k = pick(problem.requests[r].starts.length);
          const agenda = state.agenda[p];
          if (agenda.includes(r)) continue; // the search asks only about requests the person does not hold
          const ignore = agenda.length > 0 && random() < 0.3 ? agenda[pick(agenda.length)] : -1;
          expect(state.isFree(p, r, k, ignore), `person ${p}, request ${r}, start ${k}, ignoring ${ignore}`).toBe(fitsByTheRule(problem, state, p, r, k, ignore));
        }
        for (const request of problem.requests) {
          if (state.isAssigned(request.index)) {
            expect(state.startOf(request.index)).toBe(request.starts[state.startIndex[request.index]]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("isFree agrees with the rule where an encadrant's week holds dozens of assignments (the clash test skips the earlier ones by bisection)", () => {
    for (const seed of [1, 2]) {
      const parsed = parseInstance(generateCity({ requests: 200, seed }).instance);
      if (!parsed.ok) throw new Error(`generated city week rejected at ${parsed.path}: ${parsed.message}`);
      const problem = compileProblem(parsed.instance);
      const { state } = solveProblem(problem, { iterations: 200, seed });
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const busy = problem.people.filter((person) => state.agenda[person.index].length >= 8).map((person) => person.index);
      expect(busy.length).toBeGreaterThan(0);
      let clashes = 0;
      for (let probe = 0; probe < 2000; probe++) {
        const p = busy[pick(busy.length)];
        const r = pick(problem.requests.length);
        const k = pick(problem.requests[r].starts.length);
        if (state.agenda[p].includes(r)) continue;
        // H6 alone (busy people are often at their cap, which would hide a missed clash).
        const request = problem.requests[r];
        const start = request.starts[k];
        const clashByTheRule = state.agenda[p].some((q) =>
          conflicts(problem, request.site, start, start + request.duration, problem.requests[q].site, state.startOf(q), state.startOf(q) + problem.requests[q].duration),
        );
        expect(state.clashWith(p, r, k) >= 0, `person ${p}, request ${r}, start ${k}`).toBe(clashByTheRule);
        expect(state.isFree(p, r, k)).toBe(fitsByTheRule(problem, state, p, r, k, -1));
        if (clashByTheRule) clashes++;
      }
      expect(clashes).toBeGreaterThan(0);
    }
  });

  it("fingerprints a request's staffing: another start, encadrant or team changes it, putting it back restores it", () => {
    const problem = problemOf({ requests: 40, seed: 11, timeWindows: true });
    const { state } = solveProblem(problem, { iterations: 20, seed: 11 });
    let changedSome = 0;
    for (const request of problem.requests) {
      const r = request.index;
      const staffing = state.staffing(r);
      if (!staffing) {
        expect(state.staffingPrint[r]).toBe(0);
        continue;
      }
      const print = state.staffingPrint[r];
      const people = state.agenda.map((_, p) => state.fingerprint[p]);
      const others = problem.eligibleParticipants[r][staffing.startIndex].filter((w) => !staffing.participants.includes(w));
      state.unassign(r);
      expect(state.staffingPrint[r]).toBe(0);
      if (others.length > 0) {
        state.assign(r, staffing.startIndex, staffing.supervisor, [others[0], ...staffing.participants.slice(1)]);
        expect(state.staffingPrint[r]).not.toBe(print);
        changedSome++;
        state.unassign(r);
      }
      state.assign(r, staffing.startIndex, staffing.supervisor, staffing.participants);
      expect(state.staffingPrint[r]).toBe(print);
      expect(state.agenda.map((_, p) => state.fingerprint[p])).toEqual(people);
    }
    expect(changedSome).toBeGreaterThan(0);
  });
});
