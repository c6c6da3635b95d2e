import { describe, expect, it } from "vitest";
import { aRequest, aSupervisor, aWeek, aParticipant, parsed } from "./test-builders";
import { chooseWeeklySolver, describeWeeklySolver, exactSolveShare, sameInstance, servedGapPercent, silentSearchShare, type WeeklySolverReport } from "./weekly-solver";

const report = (over: Partial<WeeklySolverReport>): WeeklySolverReport => ({
  kind: "exact",
  requests: 40,
  maxRequests: 80,
  optimal: true,
  servedOptimal: true,
  gapPercent: 0,
  reproducible: true,
  seconds: 3.24,
  notes: [],
  ...over,
});

describe("exact solve progress", () => {
  it("moves at once, passes half at about 20 s, keeps moving on a long solve and never reaches the end", () => {
    const at = [0, 2, 20, 64, 300, 900].map((seconds) => exactSolveShare(seconds));
    expect(at[0]).toBe(0);
    expect(at[1]).toBeGreaterThan(0.05);
    expect(at[2]).toBeGreaterThan(0.45);
    expect(at[2]).toBeLessThan(0.55);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThan(at[i - 1]);
    expect(at[5]).toBeLessThan(1);
  });

  it("moves the weekly search's bar on from its last news while a whole-group solve is silent, never to the end", () => {
    expect(silentSearchShare(0.4, 0)).toBe(0.4);
    const at = [2, 60, 210, 600, 1200].map((seconds) => silentSearchShare(0.4, seconds));
    expect(at[0]).toBeGreaterThan(0.4);
    expect(at[2]).toBeGreaterThan(0.65);
    expect(at[2]).toBeLessThan(0.75);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThan(at[i - 1]);
    expect(at[4]).toBeLessThan(1);
  });
});

describe("weekly solver choice", () => {
  it("takes the exact solver when some independent group fits the limit, the heuristic when none does or the week is empty", () => {
    expect(chooseWeeklySolver(80, [80], 80)).toEqual({ kind: "exact" });
    expect(chooseWeeklySolver(81, [81], 80)).toEqual({ kind: "heuristic", why: "too-large" });
    // 150 interventions in three groups: the two small ones can still be proven.
    expect(chooseWeeklySolver(150, [100, 30, 20], 80)).toEqual({ kind: "exact" });
    expect(chooseWeeklySolver(201, [120, 81], 80)).toEqual({ kind: "heuristic", why: "too-large" });
    // Nothing anyone could staff: the exact solver proves it at once.
    expect(chooseWeeklySolver(5, [], 80)).toEqual({ kind: "exact" });
    expect(chooseWeeklySolver(0, [], 80)).toEqual({ kind: "heuristic", why: "empty" });
  });

  it("measures the gap on served participant-minutes, in % with two decimals", () => {
    expect(servedGapPercent(12_000, 12_000)).toBe(0);
    expect(servedGapPercent(12_000, 12_100)).toBe(0.83);
    expect(servedGapPercent(12_000, Number.NaN)).toBeNull();
    expect(servedGapPercent(0, 0)).toBe(0);
  });

  it("sees the same week whatever order the database gave, and a changed pin or a new request", () => {
    const week = aWeek({
      participants: [aParticipant("w-1", { skills: ["nettoyage", "accueil"] }), aParticipant("w-2")],
      supervisors: [aSupervisor("e-1")],
      requests: [aRequest("r-1"), aRequest("r-2", { start: "2026-12-09T09:00", participantsNeeded: 2, pinned: { participantIds: ["w-1", "w-2"] } })],
    });
    const a = parsed(week);
    const reordered = parsed({
      ...week,
      participants: [...week.participants].reverse().map((w) => ({ ...w, skills: [...w.skills].reverse() })),
      requests: [...week.requests].reverse().map((r) => (r.pinned?.participantIds ? { ...r, pinned: { participantIds: [...r.pinned.participantIds].reverse() } } : r)),
    });
    expect(sameInstance(a, reordered)).toBe(true);
    const unpinned = parsed({ ...week, requests: week.requests.map((r) => ({ ...r, pinned: undefined })) });
    expect(sameInstance(a, unpinned)).toBe(false);
    const more = parsed({ ...week, requests: [...week.requests, aRequest("r-3")] });
    expect(sameInstance(a, more)).toBe(false);
  });
});

describe("run report in French", () => {
  it("says a proven optimum plainly", () => {
    expect(describeWeeklySolver(report({}))).toEqual(["Optimum prouvé par le solveur exact (3,2 s)."]);
  });

  it("gives the gap in French figures and warns when the time limit stopped the solver", () => {
    expect(describeWeeklySolver(report({ optimal: false, servedOptimal: false, gapPercent: 0.83, reproducible: false }))).toEqual([
      "Écart à l'optimum : 0,83 % au plus sur les heures servies (limite du solveur atteinte).",
      "Arrêté par la limite de temps : relancer l'optimisation peut donner un autre plan.",
    ]);
    const partly = report({
      optimal: false,
      servedOptimal: false,
      gapPercent: 1.5,
      heuristicGroups: 1,
      notes: ["groupe de 90 interventions au-delà des 80 interventions résolues exactement : heuristique"],
    });
    expect(describeWeeklySolver(partly)).toEqual([
      "Écart à l'optimum : 1,5 % au plus sur les heures servies (une partie de la semaine planifiée par l'heuristique).",
      "Groupe de 90 interventions au-delà des 80 interventions résolues exactement : heuristique.",
    ]);
  });

  it("names the heuristic and why it planned the week", () => {
    expect(describeWeeklySolver(report({ kind: "heuristic", why: "too-large", requests: 350, optimal: false, servedOptimal: false, gapPercent: null, seconds: 12.4 }))).toEqual([
      "Semaine trop grande pour le solveur exact (350 interventions, en groupes de plus de 80 qui partagent des personnes) : heuristique (12,4 s de recherche), sans preuve d'optimum.",
    ]);
    expect(
      describeWeeklySolver(
        report({ kind: "heuristic", why: "solver-stopped", optimal: false, servedOptimal: false, gapPercent: null, notes: ["solveur exact arrêté (délai de 105 s dépassé) : plan heuristique"] }),
      ),
    ).toEqual(["Solveur exact arrêté avant d'avoir un plan : heuristique rapide, sans preuve d'optimum.", "Solveur exact arrêté (délai de 105 s dépassé) : plan heuristique."]);
  });
});
