import { describe, expect, it } from "vitest";
import type { Instance } from "~/domain/scheduling/instance.ts";
import { dphReport, payrollRows, progressionPercent, participantAlerts, type WorkedEntry } from "./people.ts";
import { checkChange, humanise, RULE_LABELS, ruleIds, ruleLabel } from "./steering.ts";

const window = [1, 2, 3, 4, 5].map((day) => ({ day, from: "08:00", to: "17:00" }));
const participant = (id: string, skills = ["nettoyage"]) => ({
  id,
  skills,
  weeklyTargetHours: 6,
  weeklyMaxHours: 16,
  hoursAlreadyPlanned: 0,
  contractStart: "2026-01-01",
  contractEnd: "2026-12-31",
  availability: window,
  absences: [] as { from: string; to: string }[],
});
const instance: Instance = {
  timezone: "Europe/Paris",
  weekStart: "2026-12-07",
  sites: [{ id: "s1", travelMinutes: {} }],
  participants: [participant("w1"), participant("w2"), participant("w3", ["cuisine"])],
  supervisors: [{ id: "e1", skills: ["nettoyage"], maxTeamSize: 4, availability: window, absences: [] }],
  requests: [
    { id: "r1", siteId: "s1", skill: "nettoyage", start: "2026-12-08T09:00", durationMinutes: 120, participantsNeeded: 2 },
    { id: "r2", siteId: "s1", skill: "nettoyage", start: "2026-12-08T10:00", durationMinutes: 60, participantsNeeded: 1 },
  ],
};
const staffing = [
  { interventionId: "r1", supervisorId: "e1", participantIds: ["w1", "w2"] },
  { interventionId: "r2", supervisorId: null, participantIds: [] },
];

describe("steering checks", () => {
  it("accepts the current team and names the rules a change breaks", () => {
    const keep = { interventionId: "r1", supervisorId: "e1", participantIds: ["w1", "w2"], supervisorPinned: false, pinnedParticipantIds: [] };
    expect(checkChange(instance, staffing, keep)).toEqual([]);
    expect(ruleIds(checkChange(instance, staffing, { ...keep, participantIds: ["w1"] }))).toEqual(["H2"]);
    expect(ruleIds(checkChange(instance, staffing, { ...keep, participantIds: ["w1", "w3"] }))).toEqual(["H3"]);
    // r2 overlaps r1: its encadrant and worker would be in two places at once.
    const clash = { interventionId: "r2", supervisorId: "e1", participantIds: ["w1"], supervisorPinned: false, pinnedParticipantIds: [] };
    expect(ruleIds(checkChange(instance, staffing, clash))).toEqual(["H6"]);
  });

  it("shows names instead of ids", () => {
    expect(
      humanise(
        "w1 ne peut pas enchaîner r1 et r2",
        new Map([
          ["w1", "Awa P."],
          ["r1", "l'intervention A"],
          ["r2", "l'intervention B"],
        ]),
      ),
    ).toBe("Awa P. ne peut pas enchaîner l'intervention A et l'intervention B");
  });
});

describe("people", () => {
  const today = new Date("2026-12-01T10:00:00Z");
  it("raises the DPH alerts", () => {
    expect(participantAlerts({ contractEnd: new Date("2026-12-20T00:00:00Z"), plannedMinutes: 120, weeklyMaxMinutes: 960 }, today).map((a) => a.kind)).toEqual(["contract-ending", "under-3h"]);
    expect(participantAlerts({ contractEnd: new Date("2027-06-01T00:00:00Z"), plannedMinutes: 1000, weeklyMaxMinutes: 960 }, today).map((a) => a.kind)).toEqual(["over-16h"]);
    expect(participantAlerts({ contractEnd: new Date("2027-06-01T00:00:00Z"), plannedMinutes: 600, weeklyMaxMinutes: 960 }, today)).toEqual([]);
    expect([progressionPercent(180), progressionPercent(960), progressionPercent(570)]).toEqual([0, 100, 50]);
  });

  it("adds up the month's hours per person and per partner", () => {
    const e = (participantId: string, minutesWorked: number, organisationId: string, absent = false, day = "2026-12-08"): WorkedEntry => ({
      participantId,
      firstName: participantId,
      lastInitial: "X",
      minutesWorked,
      absent,
      day,
      organisationId,
      organisationName: organisationId.toUpperCase(),
    });
    const entries = [e("a", 120, "p1"), e("a", 90, "p2", false, "2026-12-09"), e("b", 0, "p1", true), e("b", 60, "p1")];
    expect(payrollRows(entries)).toEqual([
      { participantId: "a", name: "a X.", minutes: 210, days: 2, interventions: 2, absences: 0 },
      { participantId: "b", name: "b X.", minutes: 60, days: 1, interventions: 1, absences: 1 },
    ]);
    expect(dphReport(entries)).toEqual({
      minutes: 270,
      people: 2,
      partners: 2,
      byPartner: [
        { name: "P1", minutes: 180, people: 2 },
        { name: "P2", minutes: 90, people: 1 },
      ],
    });
  });
});

describe("the engine's words for people", () => {
  it("names every rule the engine can give in French, never by its id", () => {
    for (const rule of ["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "start", "capacity"]) {
      expect(ruleLabel(rule)).toBe(RULE_LABELS[rule]);
      expect(ruleLabel(rule)).not.toMatch(/\bH\d\b|capacity/);
    }
    expect(ruleLabel("H9")).toBe("Règle de planification");
  });

  it("shows a skill by its catalogue label, and only where the engine names a skill", () => {
    const skills = new Map([
      ["espaces-verts", "Espaces verts"],
      ["tri", "Tri"],
    ]);
    const names = new Map([["w1", "Aminata K."]]);
    expect(humanise("Le salarié w1 n'a pas la compétence espaces-verts demandée par r1.", names, skills)).toBe("Le salarié Aminata K. n'a pas la compétence « Espaces verts » demandée par r1.");
    expect(humanise("Seuls 2 salariés ayant la compétence tri sont disponibles, triés.", names, skills)).toBe("Seuls 2 salariés ayant la compétence « Tri » sont disponibles, triés.");
    expect(humanise("la compétence inconnue-x", names, skills)).toBe("la compétence inconnue-x");
  });
});
