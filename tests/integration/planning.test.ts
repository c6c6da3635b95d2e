import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { recordTime } from "~/data/my-day.server.ts";
import { deliverNotification } from "~/data/notifications.server.ts";
import { addAbsence, workedEntries } from "~/data/people.server.ts";
import { previewChange, saveChange } from "~/data/planning.server.ts";
import { dphCsv, payrollCsv } from "~/domain/planning/people.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { optimiseWeek, replanIntervention } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createUser, createParticipant } from "../support/factories.ts";

// The coordinator's writes on the plan and the people, on a real database.
const week = parisWeekStart(new Date(Date.now() + 28 * DAY_MS));
const at = (dayOffset: number, time: string) => fromParisLocal(`${addDays(week, dayOffset)}T${time}`);

async function world() {
  const skill = await createSkill(db(), { code: `nettoyage-planning-${Date.now()}`, label: "Nettoyage" });
  const prestation = await createPrestation(db(), { skillId: skill.id });
  const site = await createSite(db());
  const supervisor = await createSupervisor(db(), { skillIds: [skill.id], maxTeamSize: 4 });
  const participants = [];
  for (let i = 0; i < 4; i++) participants.push(await createParticipant(db(), { skillIds: [skill.id], weeklyTargetMinutes: 480 }));
  const coordinator = await createUser(db(), { role: "COORDINATOR" });
  const actor = { userId: coordinator.id, organisationId: coordinator.membership!.organisationId, role: "COORDINATOR" as const };
  const staffed = (day: number, time: string, participantIds: string[], minutes = 120, supervisorId = supervisor.id) =>
    createServiceRequest(db(), {
      prestationId: prestation.id,
      siteId: site.id,
      organisationId: site.organisationId,
      teamSize: 2,
      durationMinutes: minutes,
      interventions: [{ startsAt: at(day, time), durationMinutes: minutes, participantsNeeded: 2, status: "SCHEDULED", supervisorId, participantIds }],
    });
  return { skill, prestation, site, supervisor, participants, actor, staffed };
}

const auditOf = (entityId: string, action: string) => db().auditLog.findMany({ where: { entityId, action } });

describe("steering the plan", async () => {
  const w = await world();

  it("refuses a team that breaks a hard rule, and saves it only when forced with a reason, audited", async () => {
    const serviceRequest = await w.staffed(0, "09:00", [w.participants[0]!.id, w.participants[1]!.id]);
    const intervention = serviceRequest.interventions[0]!;
    const change = { interventionId: intervention.id, supervisorId: w.supervisor.id, participantIds: [w.participants[0]!.id], supervisorPinned: false, pinnedParticipantIds: [] };

    const preview = await previewChange(week, change);
    expect(preview.violations.map((v) => v.rule)).toEqual(["H2"]);
    expect(preview.violations[0]!.message).toMatch(/équipe de 2 salarié/);

    const refused = await saveChange(w.actor, week, change, null);
    expect(refused).toMatchObject({ ok: false });
    expect(await db().assignment.count({ where: { interventionId: intervention.id } })).toBe(2);

    const forced = await saveChange(w.actor, week, change, { reason: "Le partenaire accepte une personne ce jour-là." });
    expect(forced).toEqual({ ok: true, forced: ["H2"] });
    const assignments = await db().assignment.findMany({ where: { interventionId: intervention.id } });
    expect(assignments.map((a) => a.participantId)).toEqual([w.participants[0]!.id]);
    expect(assignments[0]!.startsAt).toEqual(intervention.startsAt);
    const [audit] = await auditOf(intervention.id, "planning.forced");
    expect(audit!.details).toMatchObject({ rules: ["H2"], reason: "Le partenaire accepte une personne ce jour-là." });
    // Forced means pinned whole, so the week's optimisation keeps it as saved.
    expect(assignments[0]!.pinned).toBe(true);
    expect((await db().intervention.findUniqueOrThrow({ where: { id: intervention.id } })).supervisorPinned).toBe(true);
    await optimiseWeek({ weekStart: week });
    const after = await db().intervention.findUniqueOrThrow({ where: { id: intervention.id }, include: { assignments: true } });
    expect(after.supervisorId).toBe(w.supervisor.id);
    expect(after.assignments.map((a) => a.participantId)).toEqual([w.participants[0]!.id]);
  });

  it("saves a valid change with its pins and no forcing", async () => {
    const serviceRequest = await w.staffed(1, "09:00", [w.participants[0]!.id, w.participants[1]!.id]);
    const id = serviceRequest.interventions[0]!.id;
    const change = {
      interventionId: id,
      supervisorId: w.supervisor.id,
      participantIds: [w.participants[2]!.id, w.participants[1]!.id].sort(),
      supervisorPinned: true,
      pinnedParticipantIds: [w.participants[2]!.id],
    };
    expect((await previewChange(week, change)).violations).toEqual([]);
    expect(await saveChange(w.actor, week, change, null)).toEqual({ ok: true, forced: [] });
    const saved = await db().intervention.findUniqueOrThrow({ where: { id }, include: { assignments: true } });
    expect(saved.supervisorPinned).toBe(true);
    expect(saved.assignments.find((a) => a.participantId === w.participants[2]!.id)!.pinned).toBe(true);
    expect(await auditOf(id, "planning.forced")).toEqual([]);
    expect(await auditOf(id, "planning.changed")).toHaveLength(1);
  });

  it("names the overlap and, forced anyway, gets a French refusal from the database, never a crash", async () => {
    const first = await w.staffed(2, "09:00", [w.participants[0]!.id, w.participants[1]!.id]);
    const other = await createSupervisor(db(), { skillIds: [w.skill.id] });
    const second = await w.staffed(2, "10:00", [w.participants[2]!.id, w.participants[3]!.id], 120, other.id);
    const change = {
      interventionId: second.interventions[0]!.id,
      supervisorId: other.id,
      participantIds: [w.participants[0]!.id, w.participants[3]!.id],
      supervisorPinned: false,
      pinnedParticipantIds: [],
    };
    const preview = await previewChange(week, change);
    expect(preview.violations.map((v) => v.rule)).toContain("H6");
    expect(preview.violations.find((v) => v.rule === "H6")!.message).toContain(w.participants[0]!.firstName);
    const result = await saveChange(w.actor, week, change, { reason: "Essai de double réservation." });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toMatch(/déjà engagée/);
    expect(await db().assignment.count({ where: { interventionId: second.interventions[0]!.id } })).toBe(2);
    expect(first.interventions[0]!.id).toBeTruthy();
  });
});

describe("absences and hours", async () => {
  const w = await world();

  it("an absence (dates only) re-plans every intervention the person is on", async () => {
    const serviceRequest = await w.staffed(3, "09:00", [w.participants[0]!.id, w.participants[1]!.id]);
    const id = serviceRequest.interventions[0]!.id;
    const day = addDays(week, 3);
    const result = await addAbsence(w.actor, w.participants[0]!.id, day, day);
    expect(result!.replanned).toEqual([id]);
    const outbox = await db().outboxEvent.findMany({ where: { jobName: "replan-intervention", businessKey: { startsWith: `replan:${id}:` } } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.payload).toEqual({ interventionId: id });
    // What the worker does with the job: the absent person is replaced.
    await replanIntervention(outbox[0]!.payload as { interventionId: string });
    const after = await db().assignment.findMany({ where: { interventionId: id } });
    expect(after.map((a) => a.participantId)).not.toContain(w.participants[0]!.id);
    expect(after).toHaveLength(2);
  });

  it("records hours in the order the field allows, from the clock or corrected with a reason, and tells coordination when they are far from the plan", async () => {
    const month = addDays(week, 4).slice(0, 7);
    const a = await w.staffed(4, "08:00", [w.participants[2]!.id, w.participants[3]!.id], 180);
    const id = a.interventions[0]!.id;
    const start = at(4, "08:00");
    const minute = (n: number) => new Date(start.getTime() + n * 60_000);
    const encadrant = await createUser(db(), { role: "ENCADRANT" });
    await db().supervisor.update({ where: { id: w.supervisor.id }, data: { userId: encadrant.id } });
    const actor = { userId: encadrant.id, organisationId: encadrant.membership!.organisationId, role: "ENCADRANT" as const };
    const record = (participantId: string, what: Parameters<typeof recordTime>[4], now: Date) => recordTime(actor, w.supervisor.id, id, participantId, what, now);
    const first = w.participants[2]!.id;

    // Arrival: not before the window (60 minutes before the start by default), once.
    expect(await record(first, { kind: "check-in" }, minute(-61))).toEqual({ ok: false, message: expect.stringMatching(/^Trop tôt : l'arrivée se note à partir de 07:00/) });
    expect(await record(first, { kind: "check-out" }, minute(-61))).toEqual({ ok: false, message: expect.stringMatching(/pas encore arrivée/) });
    expect(await record(first, { kind: "check-in" }, minute(-10))).toEqual({ ok: true, overLimit: false });
    expect((await db().intervention.findUniqueOrThrow({ where: { id } })).status).toBe("IN_PROGRESS");
    expect(await record(first, { kind: "check-in" }, minute(-5))).toEqual({ ok: false, message: expect.stringMatching(/déjà notée/) });
    // Departure: after the arrival; the minutes are the time between them (never 0 at the same minute).
    expect(await record(first, { kind: "check-out" }, minute(-10))).toEqual({ ok: false, message: expect.stringMatching(/^Le départ doit suivre l'arrivée \(notée à 07:50\)/) });
    expect(await record(first, { kind: "check-out" }, minute(170))).toEqual({ ok: true, overLimit: false });
    expect((await db().timeEntry.findUniqueOrThrow({ where: { interventionId_participantId: { interventionId: id, participantId: first } } })).minutesWorked).toBe(180);
    expect(await auditOf(id, "hours.over_limit")).toHaveLength(0);
    // A correction by hand replaces the clock's figure, with its reason audited; 200 for 180 planned is past the 15-minute margin.
    expect(await record(first, { kind: "correct", minutes: 200, reason: "Départ noté en retard" }, minute(200))).toEqual({ ok: true, overLimit: true });
    const [corrected] = await auditOf(id, "time.correct");
    expect(corrected!.details).toMatchObject({ participantId: first, minutesWorked: 200, previousMinutes: 180, reason: "Départ noté en retard" });
    expect(await auditOf(id, "hours.over_limit")).toHaveLength(1);
    // Coordination is told once (a repeat of the same figure is the same event), with no person's name.
    await record(first, { kind: "correct", minutes: 200, reason: "Départ noté en retard" }, minute(201));
    const flagged = await db().notification.findMany({ where: { kind: "hours.flagged", groupKey: { startsWith: "staff:request:" }, key: { contains: id } } });
    expect(flagged).toHaveLength(1);
    await deliverNotification(flagged[0]!.payload as Parameters<typeof deliverNotification>[0], new Date(Date.now() + 3 * 60_000));
    const mails = await db().mail.findMany({ where: { subject: { startsWith: "Heures à vérifier" } } });
    const coordinators = await db().user.count({ where: { deactivatedAt: null, membership: { role: "COORDINATOR" } } });
    expect(mails).toHaveLength(coordinators);
    expect(mails[0]!.text).toContain("Heures enregistrées : 3 h 20.");
    expect(mails[0]!.text).toContain(`/planning/interventions/${id}`);
    expect(mails[0]!.text).not.toContain(w.participants[2]!.firstName);

    const second = w.participants[3]!.id;
    expect(await record(second, { kind: "absent" }, minute(5))).toEqual({ ok: true, overLimit: false });
    // Too late for an arrival once the intervention is over: the hours are typed, with a reason.
    expect(await record(second, { kind: "check-in" }, minute(181))).toEqual({ ok: false, message: expect.stringMatching(/finie depuis 11:00/) });
    // Another encadrant cannot record on it.
    const stranger = await createSupervisor(db(), { skillIds: [w.skill.id] });
    expect((await recordTime(actor, stranger.id, id, first, { kind: "correct", minutes: 10, reason: "essai" }, minute(10))).ok).toBe(false);

    const entries = (await workedEntries(month)).filter((e) => e.participantId === w.participants[2]!.id || e.participantId === w.participants[3]!.id);
    const payroll = payrollCsv(month, entries).split("\r\n");
    const name2 = `${w.participants[2]!.firstName} ${w.participants[2]!.lastInitial}.`;
    expect(payroll).toContain(`${month};${w.participants[2]!.id};${name2};3,33;200;1;1;0`);
    const name3 = `${w.participants[3]!.firstName} ${w.participants[3]!.lastInitial}.`;
    expect(payroll).toContain(`${month};${w.participants[3]!.id};${name3};0,00;0;0;0;1`);
    const dph = dphCsv(month, entries).split("\r\n");
    expect(dph[0]).toBe("\uFEFFmois;partenaire;heures_travaillees;personnes"); // with the BOM spreadsheets read as UTF-8
    expect(dph).toContain(`${month};TOTAL (1 partenaires);3,33;1`);
  });
});
