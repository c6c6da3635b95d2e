// The city-scale generator (tests/support/city-generator.ts): the weeks the
// city benchmark staffs must be what they claim to be, and valid instances.
import { describe, expect, it } from "vitest";
import { CITY_SCALE, generateCity, travelMinutes } from "../../../tests/support/city-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { solve } from "./engine";
import { findComponents } from "./exact-model";
import { parseInstance } from "./instance";
import { compileProblem } from "./problem";

const structureOf = (skill: string) => skill.split("/")[0];

describe("generateCity", () => {
  const city = generateCity({ requests: 2_000, seed: 4 });
  const { instance, structures } = city;

  it("makes structures with their own people, sites across Paris and the suburbs, some sites shared, demand close to capacity", () => {
    // CITY_SCALE's ratios: 1 structure, 8 encadrants and 150 people per 200 interventions.
    expect(structures).toHaveLength(10);
    expect(instance.requests).toHaveLength(2_000);
    expect(instance.supervisors).toHaveLength(80);
    expect(instance.participants).toHaveLength(1_500);
    for (const structure of structures) {
      expect(structure.participantIds.length).toBeGreaterThanOrEqual(2);
      expect(structure.supervisorIds.length).toBeGreaterThanOrEqual(1);
      expect(structure.siteIds.length).toBeGreaterThanOrEqual(1);
    }
    // People are their structure's: every skill they have is one of its prestations.
    const structureOfPerson = new Map(structures.flatMap((s) => [...s.participantIds, ...s.supervisorIds].map((id) => [id, s.id])));
    for (const person of [...instance.participants, ...instance.supervisors]) {
      expect(person.skills.length).toBeGreaterThan(0);
      for (const skill of person.skills) expect(structureOf(skill)).toBe(structureOfPerson.get(person.id));
    }
    // A request asks a structure serving its site, on a site it owns or shares.
    const byId = new Map(structures.map((s) => [s.id, s]));
    for (const request of instance.requests) {
      const structure = byId.get(structureOf(request.skill))!;
      expect([...structure.siteIds, ...structure.sharedSiteIds]).toContain(request.siteId);
    }
    const shared = new Set(structures.flatMap((s) => s.sharedSiteIds));
    expect(shared.size).toBeGreaterThan(0);
    const servedTwice = instance.requests.filter((r) => shared.has(r.siteId) && structureOf(r.skill) !== city.sites[r.siteId].structureId);
    expect(servedTwice.length).toBeGreaterThan(0);
    // Paris (within 6 km of Notre-Dame) and the suburbs both have sites.
    const distances = Object.values(city.sites).map((site) => Math.hypot(site.x, site.y));
    expect(distances.some((d) => d < 6)).toBe(true);
    expect(distances.some((d) => d > 12)).toBe(true);
    // Travel is listed between the sites a structure serves, and grows with distance.
    const [first] = structures;
    const [a, b] = [...first.siteIds, ...first.sharedSiteIds].sort();
    if (b) {
      const listed = instance.sites.find((s) => s.id === a)!.travelMinutes[b];
      expect(listed).toBe(travelMinutes(city.sites[a], city.sites[b]));
    }
    expect(travelMinutes({ x: 0, y: 0 }, { x: 0, y: 1 })).toBeLessThan(travelMinutes({ x: 0, y: 0 }, { x: 0, y: 20 }));
    // Participant-minutes asked against the people's targets: close to 1 (the default tightness).
    const asked = instance.requests.reduce((sum, r) => sum + r.durationMinutes * r.participantsNeeded, 0);
    const targeted = instance.participants.reduce((sum, w) => sum + 60 * w.weeklyTargetHours, 0);
    expect(asked / targeted).toBeGreaterThan(0.9);
    expect(asked / targeted).toBeLessThan(1.1);
    // Teams of 2 to 4, interventions of a few hours, about 12 hours a person.
    expect(new Set(instance.requests.map((r) => r.participantsNeeded))).toEqual(new Set([2, 3, 4]));
    expect(Math.max(...instance.requests.map((r) => r.durationMinutes))).toBeLessThanOrEqual(5 * 60);
    expect(targeted / 60 / instance.participants.length).toBeCloseTo(12, 0);
  });

  it("gives the same week for the same seed, another for another seed", () => {
    expect(generateCity({ requests: 2_000, seed: 4 })).toEqual(city);
    expect(generateCity({ requests: 2_000, seed: 5 }).instance.requests).not.toEqual(instance.requests);
  });

  it("is a valid instance the engine staffs with a valid plan, and splits by structure", { timeout: 60_000 }, () => {
    // A smaller city (3 structures) keeps the solve and the quadratic validator quick.
    const small = generateCity({ requests: 600, seed: 4 }).instance;
    const parsed = parseInstance(JSON.parse(JSON.stringify(small)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { plan } = solve(parsed.instance, { iterations: 2_000 });
    expect(validatePlan(small, plan).violations).toEqual([]);
    expect(plan.assignments.length).toBeGreaterThan(0);
    // No group of interventions spans two structures: the week splits at least by structure.
    const problem = compileProblem(parsed.instance);
    for (const group of findComponents(problem)) {
      expect(new Set(group.map((r) => structureOf(problem.requests[r].skill))).size).toBe(1);
    }
  });

  it("makes the city of the issue at full scale: 100 structures, 800 encadrants, 15,000 people, 20,000 interventions", { timeout: 60_000 }, () => {
    const full = generateCity({ requests: CITY_SCALE.requests, seed: 1 });
    expect(full.structures).toHaveLength(100);
    expect(full.instance.supervisors).toHaveLength(800);
    expect(full.instance.participants).toHaveLength(15_000);
    expect(full.instance.requests).toHaveLength(20_000);
    expect(parseInstance(JSON.parse(JSON.stringify(full.instance))).ok).toBe(true);
  });
});
