import highsLoader from "highs";
import { describe, expect, it } from "vitest";
import { generateInstance } from "../../../tests/support/instance-generator";
import { validatePlan } from "../../../tests/support/plan-validator";
import { generateColumns, supportProblem } from "./columns";
import { planFromState, solveProblem } from "./engine";
import { buildModel } from "./exact-model";
import { describeColumnStage, solveGroupsByColumns, withColumnBounds } from "./exact-columns";
import { planWithOutcome, solveModel } from "./exact-solve";
import { refinementNotes } from "./exact-pipeline";
import { compileProblem } from "./problem";
import { PlanState } from "./state";
import { aParticipant, aRequest, aSupervisor, aWeek, parsed } from "./test-builders";

const noLimit = { maxRounds: 100, deadline: Infinity };
const all = (problem: { requests: Array<{ index: number }> }) => problem.requests.map((r) => r.index);

describe("column generation on person-weeks", () => {
  it("bounds by whole weeks: an encadrant's 4-hour cap takes one 3-hour intervention, not a fraction of a second", async () => {
    const highs = await highsLoader();
    const problem = compileProblem(
      parsed(
        aWeek({
          participants: [aParticipant("w-1"), aParticipant("w-2"), aParticipant("w-3")],
          supervisors: [aSupervisor("e-1", { weeklyMaxHours: 4 })],
          requests: ["2026-12-07", "2026-12-08", "2026-12-09"].map((day, i) => aRequest(`r-${i}`, { start: `${day}T09:00`, durationMinutes: 180 })),
        }),
      ),
    );
    // The compact model's relaxation spreads the cap over the three: 240 minutes.
    const outcome = generateColumns(highs, problem, all(problem), new PlanState(problem), 0, noLimit);
    expect(outcome.converged).toBe(true);
    expect(outcome.servedBound).toBe(180);
  });

  it("prices a week with the travel between sites: two interventions too close for the trip are never in one column", async () => {
    const highs = await highsLoader();
    const problem = compileProblem(
      parsed(
        aWeek({
          participants: [aParticipant("w-1"), aParticipant("w-2")],
          supervisors: [aSupervisor("e-1")],
          requests: [
            aRequest("gare-9h", { siteId: "gare", start: "2026-12-08T09:00", durationMinutes: 120 }),
            // 15 minutes after the first ends, 30 minutes away.
            aRequest("bercy-11h15", { siteId: "bercy", start: "2026-12-08T11:15", durationMinutes: 120 }),
            aRequest("bercy-13h45", { siteId: "bercy", start: "2026-12-08T13:45", durationMinutes: 60 }),
          ],
        }),
      ),
    );
    const outcome = generateColumns(highs, problem, all(problem), new PlanState(problem), 0, noLimit);
    expect(outcome.converged).toBe(true);
    // One encadrant: either morning intervention, then the afternoon one. Without the travel, 300.
    expect(outcome.servedBound).toBe(180);
  });

  it("on a generated week: a bound no plan exceeds, and the compact model cut to its support gives a valid plan at least as good as the heuristic's", async () => {
    const highs = await highsLoader();
    const instance = parsed(generateInstance({ requests: 40, seed: 3, timeWindows: true }));
    const problem = compileProblem(instance);
    const heuristic = solveProblem(problem, { iterations: 2000 }).state;
    const requests = all(problem);
    const pinnedKept = requests.filter((r) => problem.requests[r].pinned && heuristic.isAssigned(r)).length;
    const outcome = generateColumns(highs, problem, requests, heuristic, pinnedKept, noLimit);
    expect(outcome.rounds).toBeGreaterThan(1);
    expect(outcome.servedBound).toBeGreaterThanOrEqual(heuristic.served);

    // The support keeps the heuristic's staffing and only people eligible in the week.
    const cut = supportProblem(problem, outcome.support, heuristic);
    for (const r of requests) {
      const staffing = heuristic.staffing(r);
      if (staffing) expect(cut.eligibleParticipants[r][staffing.startIndex]).toEqual(expect.arrayContaining(staffing.participants));
      for (const [k, people] of problem.eligibleParticipants[r].entries()) expect(people).toEqual(expect.arrayContaining(cut.eligibleParticipants[r][k]));
    }
    const model = buildModel(cut, requests, 0);
    const solved = solveModel(highs, cut, model, heuristic, 60, 200, { time: 0, nodes: 0 });
    expect(solved).not.toBeNull();
    const plan = planWithOutcome(problem, heuristic, requests, solved!);
    expect(validatePlan(instance, planFromState(plan)).violations).toEqual([]);
    expect(plan.served).toBeGreaterThanOrEqual(heuristic.served);
    expect(plan.served).toBeLessThanOrEqual(outcome.servedBound);
  });

  it("as a pipeline stage: a bound for each group, a plan never worse, and the tighter of its bound and the whole solve's kept", async () => {
    const highs = await highsLoader();
    const instance = parsed(generateInstance({ requests: 40, seed: 3, timeWindows: true }));
    const problem = compileProblem(instance);
    const initial = solveProblem(problem, { iterations: 100 }).state;
    const group = all(problem);
    const stage = solveGroupsByColumns(highs, problem, initial, [group], { rounds: 100, servedNodeLimit: 200, nodeLimit: 10, deadline: performance.now() + 60_000 });
    const bound = stage.bounds.get(group)!;
    const everything = group.reduce((sum, r) => sum + problem.requests[r].value, 0);
    expect(stage.priced).toBe(1);
    expect(bound).toBeLessThan(everything);
    expect(stage.state.served).toBeGreaterThanOrEqual(initial.served);
    expect(bound).toBeGreaterThanOrEqual(stage.state.served);
    expect(validatePlan(instance, planFromState(stage.state)).violations).toEqual([]);

    // A whole solve stopped at once (bounded only by all the group could serve) takes the relaxation's bound.
    const served = stage.state.served;
    const stopped = withColumnBounds([{ group, served, servedBound: everything, proven: false }], stage.bounds);
    expect(stopped).toEqual({ wholeGroups: [{ group, served, servedBound: Math.max(served, bound), proven: served >= bound }], tightened: 1 });
    // A tighter whole solve keeps its own.
    const tight = { group, served, servedBound: served, proven: true };
    expect(withColumnBounds([tight], stage.bounds)).toEqual({ wholeGroups: [tight], tightened: 0 });

    expect(describeColumnStage({ priced: 2, tightened: 1, improved: 0 })).toBe(
      "puis la génération de colonnes (semaines entières par personne) sur 2 groupes : borne resserrée sur 1 groupe, plan amélioré sur 0 groupe",
    );
    // The run report follows the order the stages ran: windows, columns, whole solve.
    const notes = refinementNotes({ state: stage.state, solved: 3, improved: 0, timeStops: 0, nodeStops: 0, servedGain: 0, wholeGroups: [tight], columns: { priced: 1, tightened: 0, improved: 0 } });
    expect(notes.map((note) => note.split(" ").slice(0, 3).join(" "))).toEqual(["puis revu par", "puis la génération", "puis le groupe"]);
  });
});
