import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { addAbsence, addSupervisorAbsence } from "~/data/people.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { fromParisLocal, toParisDate } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { replanIntervention } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createUser, createParticipant } from "../support/factories.ts";

// Someone of a confirmed team is marked absent: within the notice period
// (7 days) only their place is re-staffed, the others keep their schedule.

const now = new Date();
/** The first weekday `from` days ahead or later, Paris date. */
function weekdayFrom(from: number) {
  for (let d = from; d < from + 4; d++) {
    const day = toParisDate(new Date(now.getTime() + d * DAY_MS));
    const iso = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (iso >= 1 && iso <= 5) return day;
  }
  throw new Error("no weekday");
}
const soon = weekdayFrom(3); // within the notice period
const later = weekdayFrom(10); // beyond it
const at = (date: string, time: string) => fromParisLocal(`${date}T${time}`);

async function world(code: string) {
  const skill = await createSkill(db(), { code, label: "Nettoyage" });
  const site = await createSite(db());
  const coordinator = await createUser(db(), { role: "COORDINATOR" });
  const actor: Actor = { userId: coordinator.id, organisationId: coordinator.membership!.organisationId, role: "COORDINATOR" };
  const supervisors = [await createSupervisor(db(), { skillIds: [skill.id] }), await createSupervisor(db(), { skillIds: [skill.id] })];
  // The team has a small weekly target, met by the afternoon below; the spares want
  // many hours: re-staffing freely prefers them (served minutes against shortfall).
  const team = await Promise.all([0, 1, 2].map(() => createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 180 })));
  const spares = await Promise.all([0, 1, 2].map(() => createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 960 })));
  const prestationId = (await createPrestation(db(), { skillId: skill.id })).id;
  const confirmed = async (date: string) => {
    const serviceRequest = await createServiceRequest(db(), {
      prestationId,
      siteId: site.id,
      teamSize: 3,
      durationMinutes: 180,
      interventions: [
        {
          startsAt: at(date, "09:00"),
          durationMinutes: 180,
          participantsNeeded: 3,
          status: "SCHEDULED",
          supervisorId: supervisors[0]!.id,
          confirmedAt: new Date(now.getTime() - 3 * DAY_MS),
          participantIds: team.map((w) => w.id),
        },
      ],
    });
    // The same afternoon, two of the team already reach their weekly target elsewhere.
    await createServiceRequest(db(), {
      prestationId,
      siteId: site.id,
      teamSize: 2,
      durationMinutes: 180,
      interventions: [
        {
          startsAt: at(date, "14:00"),
          durationMinutes: 180,
          participantsNeeded: 2,
          status: "SCHEDULED",
          supervisorId: supervisors[1]!.id,
          confirmedAt: new Date(now.getTime() - 3 * DAY_MS),
          participantIds: [team[1]!.id, team[2]!.id],
        },
      ],
    });
    return serviceRequest.interventions[0]!;
  };
  return { skill, actor, supervisors, team, spares, confirmed };
}

const staffing = async (interventionId: string) => {
  const i = await db().intervention.findUniqueOrThrow({
    where: { id: interventionId },
    select: { status: true, startsAt: true, supervisorId: true, unstaffedReason: true, assignments: { select: { participantId: true } } },
  });
  return { ...i, participantIds: i.assignments.map((a) => a.participantId).sort() };
};

/** Marks the person absent on that day and runs the re-planning job the absence queued. */
async function absentOn(actor: Actor, participantId: string, day: string, interventionId: string) {
  const result = await addAbsence(actor, participantId, day, day);
  expect(result!.replanned).toContain(interventionId);
  const job = await db().outboxEvent.findFirstOrThrow({ where: { jobName: "replan-intervention", businessKey: `replan:${interventionId}:absence:${result!.absenceId}` } });
  return replanIntervention(job.payload as { interventionId: string }, now);
}

describe("an absence within the notice period", async () => {
  it("replaces only the absent person; the two others and the encadrant stay", async () => {
    const w = await world("nettoyage-absence-1");
    const intervention = await w.confirmed(soon);
    const [absent, ...others] = w.team;
    expect(await absentOn(w.actor, absent!.id, soon, intervention.id)).toMatchObject({ staffed: 1 });
    const after = await staffing(intervention.id);
    expect(after.status).toBe("SCHEDULED");
    expect(after.startsAt).toEqual(intervention.startsAt);
    expect(after.supervisorId).toBe(w.supervisors[0]!.id);
    expect(after.participantIds).toHaveLength(3);
    expect(after.participantIds).not.toContain(absent!.id);
    for (const o of others) expect(after.participantIds).toContain(o.id);
    expect(after.participantIds.filter((id) => w.spares.some((s) => s.id === id))).toHaveLength(1);
  });

  it("replaces only the encadrant when the encadrant is the absent one", async () => {
    const w = await world("nettoyage-absence-2");
    const intervention = await w.confirmed(soon);
    // As the people page records it: the absence and, in the same transaction, the re-planning job.
    const result = await addSupervisorAbsence(w.actor, w.supervisors[0]!.id, soon, soon);
    expect(result!.replanned).toEqual([intervention.id]);
    const job = await db().outboxEvent.findFirstOrThrow({ where: { jobName: "replan-intervention", businessKey: `replan:${intervention.id}:absence:${result!.absenceId}` } });
    expect(await replanIntervention(job.payload as { interventionId: string }, now)).toMatchObject({ staffed: 1 });
    expect(await db().auditLog.count({ where: { action: "supervisor.absence_added", entityId: w.supervisors[0]!.id } })).toBe(1);
    const after = await staffing(intervention.id);
    expect(after.supervisorId).toBe(w.supervisors[1]!.id);
    expect(after.participantIds).toEqual(w.team.map((t) => t.id).sort());
  });

  it("leaves it unstaffed, with a French reason, when nobody can take the absent person's place", async () => {
    const w = await world("nettoyage-absence-3");
    const intervention = await w.confirmed(soon);
    await db().participantSkill.deleteMany({ where: { participantId: { in: w.spares.map((s) => s.id) } } });
    expect(await absentOn(w.actor, w.team[0]!.id, soon, intervention.id)).toMatchObject({ staffed: 0 });
    const after = await staffing(intervention.id);
    expect(after.status).toBe("ACCEPTED");
    expect(after.participantIds).toEqual([]);
    expect(after.unstaffedReason).toMatch(/^Seuls 2 salariés ayant la compétence nettoyage-absence-3 sont disponibles le .+ de 9 h à 12 h ; il en faut 3\.$/);
  });
});

describe("an absence beyond the notice period", async () => {
  it("re-staffs the intervention freely: the absent person is replaced, the team may change", async () => {
    const w = await world("nettoyage-absence-4");
    const intervention = await w.confirmed(later);
    expect(await absentOn(w.actor, w.team[0]!.id, later, intervention.id)).toMatchObject({ staffed: 1 });
    const after = await staffing(intervention.id);
    expect(after.status).toBe("SCHEDULED");
    expect(after.participantIds).toHaveLength(3);
    expect(after.participantIds).not.toContain(w.team[0]!.id);
    // Free to choose, the engine takes the spares who need the hours, not only one of them.
    expect(after.participantIds.filter((id) => w.spares.some((s) => s.id === id)).length).toBeGreaterThan(1);
  });
});
