import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { solve } from "./engine";
import { solveExact, solveHeuristicInWorker } from "./exact";
import { buildModel, findComponents, leastModelNonzeros, overMemoryBudget, solverBytes } from "./exact-model";
import { compileProblem } from "./problem";
import { compareObjectives } from "./objective";
import { checkPlan } from "./rules";
import { aRequest, aSupervisor, aWeek, aParticipant, parsed } from "./test-builders";

const example = JSON.parse(readFileSync(new URL("./fixtures/example-small.json", import.meta.url), "utf8"));

describe("solveExact (HiGHS)", () => {
  it("proves the contract example's optimum, in a worker thread", async () => {
    const instance = parsed(example);
    const { plan, stats } = await solveExact(instance, { timeLimitSeconds: 20 });
    expect(stats.notes).toEqual([]); // really solved in the worker thread
    expect(stats.optimal).toBe(true);
    expect(stats.gap).toBe(0);
    expect(stats.objective).toEqual({ pinnedKept: 1, servedParticipantMinutes: 1050, shortfall: 1170, travel: 0 });
    expect(plan.unassigned.map((u) => u.requestId).sort()).toEqual(["r-005", "r-006"]);
    expect(validatePlan(instance, plan).violations).toEqual([]);
  });

  it("keeps a pinned request first, then maximises served minutes (ejection case)", async () => {
    const instance = parsed(
      aWeek({
        participants: [aParticipant("w-1", { weeklyTargetHours: 8 })],
        supervisors: [aSupervisor("e-1")],
        requests: [
          aRequest("r-middle", { start: "2026-12-08T10:00", durationMinutes: 240 }),
          aRequest("r-morning", { start: "2026-12-08T08:00", durationMinutes: 180 }),
          aRequest("r-afternoon", { start: "2026-12-08T13:00", durationMinutes: 180 }),
          aRequest("r-pinned", { start: "2026-12-09T09:00", durationMinutes: 60, pinned: { participantIds: ["w-1"] } }),
        ],
      }),
    );
    const { plan, stats } = await solveExact(instance, { timeLimitSeconds: 10, inThread: true });
    expect(stats.optimal).toBe(true);
    expect(plan.assignments.map((a) => a.requestId).sort()).toEqual(["r-afternoon", "r-morning", "r-pinned"]);
  });

  it("minimises the shortfall, then travel, once served minutes are maximal", async () => {
    const instance = parsed(
      aWeek({
        // w-1 and w-2 miss 1 h each after the mornings, w-3 misses 3 h: the
        // best shortfall gives w-3 one afternoon (-2 h) and w-1 or w-2 the other
        // (-1 h); the best travel keeps each person on the same site.
        participants: [aParticipant("w-1"), aParticipant("w-2"), aParticipant("w-3")],
        supervisors: [aSupervisor("e-gare"), aSupervisor("e-bercy")],
        requests: [
          aRequest("r-gare-am", { start: "2026-12-08T08:00", pinned: { supervisorId: "e-gare", participantIds: ["w-1"] } }),
          aRequest("r-bercy-am", { siteId: "bercy", start: "2026-12-08T08:00", pinned: { supervisorId: "e-bercy", participantIds: ["w-2"] } }),
          aRequest("r-gare-pm", { start: "2026-12-08T14:00" }),
          aRequest("r-bercy-pm", { siteId: "bercy", start: "2026-12-08T14:00" }),
        ],
      }),
    );
    const { plan, stats } = await solveExact(instance, { timeLimitSeconds: 10, inThread: true });
    expect(stats.optimal).toBe(true);
    expect(stats.objective).toMatchObject({ servedParticipantMinutes: 480, shortfall: 120, travel: 0 });
    expect(plan.assignments.find((a) => a.requestId === "r-gare-pm")).toMatchObject({ supervisorId: "e-gare" });
    expect(plan.assignments.find((a) => a.requestId === "r-bercy-pm")).toMatchObject({ supervisorId: "e-bercy" });
    const afternoonParticipants = plan.assignments.filter((a) => a.requestId.endsWith("-pm")).flatMap((a) => a.participantIds);
    expect(afternoonParticipants).toContain("w-3");
  });

  it("solves the smallest independent groups exactly within maxExactRequests and leaves the others to the heuristic", async () => {
    // Two groups nobody shares (other skill, other people): cleaning (3 interventions) and gardening (2).
    const gardening = { skills: ["espaces-verts"] };
    const instance = parsed(
      aWeek({
        participants: [aParticipant("w-clean"), aParticipant("w-garden", gardening)],
        supervisors: [aSupervisor("e-clean"), aSupervisor("e-garden", gardening)],
        requests: [
          aRequest("r-clean-1", { start: "2026-12-08T08:00" }),
          aRequest("r-clean-2", { start: "2026-12-08T10:30" }),
          aRequest("r-clean-3", { start: "2026-12-09T08:00" }),
          aRequest("r-garden-1", { siteId: "bercy", skill: "espaces-verts", start: "2026-12-08T08:00" }),
          aRequest("r-garden-2", { siteId: "bercy", skill: "espaces-verts", start: "2026-12-10T08:00" }),
        ],
      }),
    );
    const within = await solveExact(instance, { timeLimitSeconds: 10, inThread: true, maxExactRequests: 4 });
    expect(within.stats.components).toBe(2);
    expect(within.stats.heuristicComponents).toBe(1);
    expect(within.stats.optimal).toBe(false);
    expect(within.stats.notes).toEqual(["groupe de 3 interventions au-delà des 4 interventions résolues exactement : heuristique"]);
    expect(within.plan.assignments.map((a) => a.requestId).sort()).toEqual(["r-clean-1", "r-clean-2", "r-clean-3", "r-garden-1", "r-garden-2"]);
    expect(validatePlan(instance, within.plan).violations).toEqual([]);

    const all = await solveExact(instance, { timeLimitSeconds: 10, inThread: true, maxExactRequests: 5 });
    expect(all.stats).toMatchObject({ components: 2, heuristicComponents: 0, optimal: true, notes: [] });
  });

  it("is never worse than the heuristic, and both plans are valid, on generated weeks", async () => {
    for (const seed of [11, 12, 13]) {
      const instance = parsed(generateInstance({ requests: 14, seed, timeWindows: seed % 2 === 0, pinnedShare: 0.2 }));
      const heuristic = solve(instance);
      const exact = await solveExact(instance, { timeLimitSeconds: 10, inThread: true });
      expect(validatePlan(instance, exact.plan).violations).toEqual([]);
      expect(checkPlan(instance, exact.plan)).toEqual([]);
      expect(compareObjectives(exact.stats.objective, heuristic.stats.objective)).toBeGreaterThanOrEqual(0);
      if (exact.stats.optimalUpToShortfall) {
        expect(heuristic.stats.objective.servedParticipantMinutes).toBe(exact.stats.objective.servedParticipantMinutes);
      }
    }
  });
});

describe("solveHeuristicInWorker (the weekly job's long search)", () => {
  it("searches in a worker thread, tells its progress as it goes, and gives the plan the same budget gives here", { timeout: 60_000 }, async () => {
    const instance = parsed(generateInstance({ requests: 40, seed: 3, timeWindows: false }));
    const shares: number[] = [];
    const { plan, stats } = await solveHeuristicInWorker(instance, { iterations: 3000, onProgress: (share) => shares.push(share) });
    expect(plan).toEqual(solve(instance, { iterations: 3000 }).plan);
    expect(checkPlan(instance, plan)).toEqual([]);
    expect(stats.notes).toEqual([]);
    expect(Number.isNaN(stats.gap)).toBe(true);
    // About one report per 1 % of the iterations, in order, below 1 (the end is the result itself).
    expect(shares.length).toBe(100);
    expect(shares[0]).toBe(0);
    expect(shares.every((share, i) => share < 1 && (i === 0 || share > shares[i - 1]!))).toBe(true);
  });
});

describe("the solver's memory budget (issue 23: HiGHS aborted at 2 GiB on a week given whole)", () => {
  it("refuses a model over the budget before building it, and again once built, in French", () => {
    expect(overMemoryBudget(400_000, "groupe de 300 interventions")).toBeNull();
    expect(overMemoryBudget(600_000, "groupe de 300 interventions")).toMatch(
      /^groupe de 300 interventions : modèle estimé à 1.208 Mo \(600.000 coefficients\), au-delà du budget mémoire du solveur \(1.024 Mo\) : heuristique$/,
    );
    // The count made before building never exceeds the model built: it only refuses what would be refused.
    for (const seed of [1, 2]) {
      const problem = compileProblem(parsed(generateInstance({ requests: 60, seed, timeWindows: seed === 2 })));
      for (const group of findComponents(problem)) {
        expect(leastModelNonzeros(problem, group)).toBeLessThanOrEqual(buildModel(problem, group, 0).rowIndices.length);
      }
    }
  });

  it("keeps the heuristic's plan for a group over the budget and says so, the other groups solved", async () => {
    const instance = parsed(generateInstance({ requests: 40, seed: 3, timeWindows: false }));
    const problem = compileProblem(instance);
    const groups = findComponents(problem);
    const sizes = groups.map((group) => buildModel(problem, group, 400_000).rowIndices.length).sort((a, b) => a - b);
    // A budget between the two largest models: only the largest group is refused.
    const budget = solverBytes((sizes.at(-1)! + sizes.at(-2)!) / 2);
    const { plan, stats } = await solveExact(instance, { timeLimitSeconds: 20, inThread: true, memoryBudgetBytes: budget });
    expect(stats.heuristicComponents).toBe(1);
    expect(stats.notes.filter((note) => note.includes("au-delà du budget mémoire du solveur"))).toHaveLength(1);
    expect(stats.optimal).toBe(false);
    expect(validatePlan(instance, plan).violations).toEqual([]);
  });
});
