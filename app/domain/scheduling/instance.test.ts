import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseInstance } from "./instance";
import { aRequest, aSupervisor, aWeek, aParticipant } from "./test-builders";

const example = JSON.parse(readFileSync(new URL("./fixtures/example-small.json", import.meta.url), "utf8"));

/** The example with one change applied, parsed. */
function parseWith(change: (instance: any) => void) {
  const copy = structuredClone(example);
  change(copy);
  return parseInstance(copy);
}

describe("parseInstance", () => {
  it("accepts the contract's example", () => {
    const result = parseInstance(example);
    expect(result.ok).toBe(true);
  });

  it.each([
    ["a weekly target outside 3..16", (i: any) => (i.participants[3].weeklyTargetHours = 20), "participants[3].weeklyTargetHours", /3 à 16 h/],
    ["a weekly target below 3", (i: any) => (i.participants[0].weeklyTargetHours = 2), "participants[0].weeklyTargetHours", /3 à 16 h/],
    ["a worker's weekly max over 16", (i: any) => (i.participants[1].weeklyMaxHours = 17), "participants[1].weeklyMaxHours", /16 h/],
    ["a target above the max", (i: any) => (i.participants[1].weeklyTargetHours = 9), "participants[1].weeklyTargetHours", /dépasse/],
    ["a contract longer than 12 months", (i: any) => (i.participants[0].contractEnd = "2027-03-01"), "participants[0].contractEnd", /12 mois.*2027-02-28/],
    ["a contract ending before it starts", (i: any) => (i.participants[0].contractEnd = "2026-02-01"), "participants[0].contractEnd", /précède/],
    ["a date that does not exist", (i: any) => (i.participants[0].contractStart = "2026-02-30"), "participants[0].contractStart", /inexistante/],
    ["an unknown site in a request", (i: any) => (i.requests[2].siteId = "nowhere"), "requests[2].siteId", /site inconnu « nowhere »/],
    ["an unknown site in travel times", (i: any) => (i.sites[1].travelMinutes.nowhere = 5), 'sites[1].travelMinutes["nowhere"]', /site inconnu/],
    ["a request outside the week", (i: any) => (i.requests[0].start = "2026-12-14T09:00"), "requests[0].start", /hors de la semaine/],
    ["a request before the week", (i: any) => (i.requests[0].start = "2026-12-06T23:00"), "requests[0].start", /hors de la semaine/],
    ["a negative duration", (i: any) => (i.requests[4].durationMinutes = -30), "requests[4].durationMinutes", /strictement positive/],
    ["a zero duration", (i: any) => (i.requests[4].durationMinutes = 0), "requests[4].durationMinutes", /strictement positive/],
    ["zero workers needed", (i: any) => (i.requests[1].participantsNeeded = 0), "requests[1].participantsNeeded", /au moins 1/],
    ["availability from after to", (i: any) => (i.participants[2].availability[1] = { day: 2, from: "17:00", to: "08:00" }), "participants[2].availability[1].from", /doit précéder/],
    ["availability from equal to", (i: any) => (i.supervisors[0].availability[0].to = "08:00"), "supervisors[0].availability[0].from", /doit précéder/],
    ["an absence from after to", (i: any) => (i.participants[2].absences[0].to = "2026-12-09T00:00"), "participants[2].absences[0].from", /doit précéder/],
    ["a weekStart that is not a Monday", (i: any) => (i.weekStart = "2026-12-08"), "weekStart", /n'est pas un lundi/],
    ["latestStart before start", (i: any) => (i.requests[0].latestStart = "2026-12-08T08:00"), "requests[0].latestStart", /précède/],
    ["a duplicate worker id", (i: any) => (i.participants[4].id = "w-01"), "participants[4].id", /déjà utilisé/],
    ["a supervisor with a worker's id", (i: any) => (i.supervisors[1].id = "w-02"), "supervisors[1].id", /déjà utilisé/],
    ["a duplicate request id", (i: any) => (i.requests[5].id = "r-001"), "requests[5].id", /en double/],
    ["an unknown pinned supervisor", (i: any) => (i.requests[2].pinned.supervisorId = "e-09"), "requests[2].pinned.supervisorId", /encadrant inconnu/],
    ["a worker pinned as supervisor", (i: any) => (i.requests[2].pinned.supervisorId = "w-05"), "requests[2].pinned.supervisorId", /c'est un salarié/],
    ["an unknown pinned worker", (i: any) => (i.requests[2].pinned.participantIds = ["w-99"]), "requests[2].pinned.participantIds[0]", /salarié inconnu/],
    ["more pinned workers than needed", (i: any) => (i.requests[2].pinned.participantIds = ["w-05", "w-01"]), "requests[2].pinned.participantIds", /2 salariés épinglés/],
    ["a missing field", (i: any) => delete i.participants[2].skills, "participants[2].skills", /manquant/],
    ["a wrong type", (i: any) => (i.requests[0].durationMinutes = "180"), "requests[0].durationMinutes", /nombre/],
    ["an unknown field (a typo)", (i: any) => (i.requests[0].lateststart = "2026-12-08T10:00"), "requests[0].lateststart", /champ inconnu/],
    ["a malformed time", (i: any) => (i.requests[0].start = "2026-12-08 09:00"), "requests[0].start", /AAAA-MM-JJTHH:MM/],
    ["an unknown timezone", (i: any) => (i.timezone = "Mars/Olympus"), "timezone", /fuseau/],
    ["asymmetric travel times", (i: any) => (i.sites[1].travelMinutes["cinq-toits"] = 10), 'sites[1].travelMinutes["cinq-toits"]', /symétrique/],
  ])("rejects %s, naming the path", (_label, change, path, message) => {
    const result = parseWith(change);
    expect(result).toMatchObject({ ok: false, path });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("accepts a contract of exactly 12 months and a latestStart equal to start", () => {
    const week = aWeek({
      participants: [aParticipant("w-1", { contractStart: "2026-01-31", contractEnd: "2027-01-30" })],
      supervisors: [aSupervisor("e-1")],
      requests: [aRequest("r-1", { latestStart: "2026-12-08T09:00" })],
    });
    expect(parseInstance(week).ok).toBe(true);
  });

  it("never throws on garbage", () => {
    for (const garbage of [null, 42, "text", [], { requests: "none" }]) {
      expect(parseInstance(garbage).ok).toBe(false);
    }
  });
});
