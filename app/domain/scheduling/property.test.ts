// Property tests: on random weeks, every plan the heuristic returns satisfies
// H1-H8, as judged by an independent validator (tests/support/plan-validator.ts,
// which shares no code with the engine).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { solve } from "./engine";
import { parseInstance, type Instance } from "./instance";
import { checkPlan } from "./rules";

const weeks = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    requests: fc.integer({ min: 1, max: 24 }),
    timeWindows: fc.boolean(),
    pinnedShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
    tightness: fc.double({ min: 0.5, max: 3, noNaN: true }),
    participants: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    supervisors: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map((options) => generateInstance(options));

function parsed(json: unknown): Instance {
  const result = parseInstance(json);
  if (!result.ok) throw new Error(`generated instance rejected at ${result.path}: ${result.message}`);
  return result.instance;
}

describe("random weeks", () => {
  it("every plan satisfies H1-H8 (independent validator) and explains each unassigned request", () => {
    fc.assert(
      fc.property(weeks, (json) => {
        const instance = parsed(json);
        const { plan, stats } = solve(instance, { iterations: 300 });
        const validation = validatePlan(instance, plan);
        expect(validation.violations).toEqual([]);
        expect(checkPlan(instance, plan)).toEqual([]);
        expect(validation.objective).toEqual(stats.objective);
        for (const unassigned of plan.unassigned) {
          expect(["H2", "H3", "H4", "H5", "H6", "H7", "H8", "capacity"]).toContain(unassigned.rule);
          expect(unassigned.reason.length).toBeGreaterThan(20);
        }
      }),
      { numRuns: 60, seed: 20261207 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(weeks, (json) => {
        const instance = parsed(json);
        expect(JSON.stringify(solve(instance, { iterations: 200 }).plan)).toBe(JSON.stringify(solve(structuredClone(instance), { iterations: 200 }).plan));
      }),
      { numRuns: 10, seed: 42 },
    );
  });

  it("the validator is not vacuous: it catches broken plans", () => {
    const instance = parsed(generateInstance({ requests: 30, seed: 3 }));
    const { plan } = solve(instance, { iterations: 100 });
    const [first, second] = plan.assignments;
    const broken = structuredClone(plan);
    broken.assignments[0].participantIds = broken.assignments[0].participantIds.slice(1); // H2
    broken.assignments[1] = { ...second, start: first.start, supervisorId: first.supervisorId }; // H6 (or H4)
    broken.unassigned.pop(); // H1
    const rules = new Set(validatePlan(instance, broken).violations.map((v) => v.split(":")[0]));
    expect(rules.has("H1")).toBe(true);
    expect(rules.has("H2")).toBe(true);
    expect(rules.has("H6") || rules.has("H4") || rules.has("START")).toBe(true);
  });
});
