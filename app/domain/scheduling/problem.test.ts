// The compiled problem's eligibility lists are ascending, so the search asks
// "is p eligible?" by binary search (isEligible) in its inner loops.
import { describe, expect, it } from "vitest";
import { generateCity } from "../../../tests/support/city-generator";
import { generateInstance } from "../../../tests/support/instance-generator";
import { parseInstance, type Instance } from "./instance";
import { compileProblem, isEligible } from "./problem";

function compiled(instance: Instance) {
  const parsed = parseInstance(JSON.parse(JSON.stringify(instance)));
  if (!parsed.ok) throw new Error(`generated instance rejected at ${parsed.path}: ${parsed.message}`);
  return compileProblem(parsed.instance);
}

describe("eligibility lists", () => {
  it("are ascending, and isEligible answers as includes does, on a city week and a week with time windows", () => {
    for (const problem of [compiled(generateCity({ requests: 400, seed: 3 }).instance), compiled(generateInstance({ requests: 120, seed: 9, timeWindows: true }))]) {
      let checked = 0;
      for (const lists of [problem.eligibleParticipants, problem.eligibleSupervisors]) {
        for (const byStart of lists) {
          for (const list of byStart) {
            for (let i = 1; i < list.length; i++) expect(list[i]).toBeGreaterThan(list[i - 1]);
            for (let p = 0; p < problem.people.length; p += 7) {
              expect(isEligible(list, p)).toBe(list.includes(p));
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(1000);
    }
  });

  it("isEligible finds the first, the last and no one in an empty list", () => {
    expect(isEligible([2, 5, 9], 2)).toBe(true);
    expect(isEligible([2, 5, 9], 9)).toBe(true);
    expect(isEligible([2, 5, 9], 6)).toBe(false);
    expect(isEligible([], 0)).toBe(false);
  });
});
