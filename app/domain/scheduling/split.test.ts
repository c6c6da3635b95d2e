import { describe, expect, it } from "vitest";
import { generateCity } from "../../../tests/support/city-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { insertIntoPlan } from "./engine";
import { parseInstance } from "./instance";
import { mergePlans, splitWeek } from "./split";

const structureOf = (skill: string) => skill.split("/")[0];

describe("splitWeek", () => {
  const { instance, structures } = generateCity({ requests: 800, seed: 7 });

  it("splits a city's week by structure: each structure whole in one part, nobody in two parts", () => {
    const split = splitWeek(instance, { minRequests: 100, maxParts: 3 })!;
    expect(structures.length).toBeGreaterThan(3);
    expect(split.parts).toHaveLength(3);
    const partOfRequest = new Map(split.parts.flatMap((part, i) => part.requests.map((r) => [r.id, i] as const)));
    expect(partOfRequest.size + split.unservable.length).toBe(instance.requests.length);
    // A structure's interventions share its people: never in two parts.
    const partsOfStructure = new Map<string, Set<number>>();
    for (const request of instance.requests) {
      const part = partOfRequest.get(request.id);
      if (part === undefined) continue;
      const parts = partsOfStructure.get(structureOf(request.skill)!) ?? new Set();
      partsOfStructure.set(structureOf(request.skill)!, parts.add(part));
    }
    for (const parts of partsOfStructure.values()) expect(parts.size).toBe(1);
    const people = split.parts.flatMap((part) => [...part.participants, ...part.supervisors].map((p) => p.id));
    expect(new Set(people).size).toBe(people.length);
    // Parts of similar size (largest groups first into the lightest part).
    const sizes = split.parts.map((p) => p.requests.length);
    expect(Math.max(...sizes)).toBeLessThan(2 * Math.min(...sizes));
    for (const part of split.parts) expect(parseInstance(part).ok).toBe(true);
  });

  it("gives plans that, merged, are a valid plan of the whole week", () => {
    // Without pins: the generator pins some people where they cannot be, which no plan can make valid.
    const { instance } = generateCity({ requests: 800, seed: 7, pinnedShare: 0 });
    const split = splitWeek(instance, { minRequests: 100, maxParts: 4 })!;
    const merged = mergePlans(split.parts.map((part) => insertIntoPlan(part).plan));
    expect(merged.assignments.length).toBeGreaterThan(0);
    expect(validatePlan(instance, { ...merged, unassigned: [...merged.unassigned, ...split.unservable.map((id) => ({ requestId: id, rule: "H3" as const, reason: "-" }))] }).violations).toEqual([]);
  });

  it("keeps small weeks, and weeks of one group, whole", () => {
    expect(splitWeek(instance, { minRequests: 1_000, maxParts: 8 })).toBeNull();
    const oneStructure = { ...instance, requests: instance.requests.filter((r) => structureOf(r.skill) === structures[0]!.id) };
    expect(splitWeek(oneStructure, { minRequests: 1, maxParts: 8 })).toBeNull();
  });
});
