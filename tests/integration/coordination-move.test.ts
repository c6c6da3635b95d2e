import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { deliverNotification } from "~/data/notifications.server.ts";
import { moveIntervention } from "~/data/requests.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { fromParisLocal } from "~/utils/paris-time.ts";
import { createOrganisation, createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createUser, createParticipant } from "../support/factories.ts";

// One move for everyone (issue 20): a partner orders ahead (the prestation's
// notice), the coordination moves inside it, checked against the staffing
// rules with the team kept, forced with a reason when it must be, and the
// partner is told by email.

// Monday 7 June 2027, 08:00 in Paris: the intervention is on Wednesday, inside every notice.
const now = new Date("2027-06-07T06:00:00Z");
const at = (local: string) => fromParisLocal(local);
const actorOf = (user: { id: string; membership: { organisationId: string; role: string } | null }): Actor => ({
  userId: user.id,
  organisationId: user.membership!.organisationId,
  role: user.membership!.role as Actor["role"],
});

async function world() {
  const org = await createOrganisation(db(), { name: "Gare du Nord test" });
  const partner = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
  const coordinator = await createUser(db(), { role: "COORDINATOR" });
  const site = await createSite(db(), { organisationId: org.id, name: "Passerelle Est" });
  const skill = await createSkill(db(), { code: "nettoyage-move", label: "Nettoyage" });
  const prestation = await createPrestation(db(), { skillId: skill.id, minNoticeDays: 7 });
  const supervisor = await createSupervisor(db(), { userId: (await createUser(db(), { role: "ENCADRANT" })).id, skillIds: [skill.id] });
  // Amina is away on Friday 11 June.
  const amina = await createParticipant(db(), {
    firstName: "Amina",
    lastInitial: "K",
    skillIds: [skill.id],
    contractStart: new Date("2027-01-01T00:00:00Z"),
    absences: [{ startsAt: at("2027-06-11T00:00"), endsAt: at("2027-06-12T00:00") }],
  });
  const serviceRequest = await createServiceRequest(db(), {
    organisationId: org.id,
    siteId: site.id,
    prestationId: prestation.id,
    teamSize: 1,
    durationMinutes: 120,
    interventions: [
      {
        startsAt: at("2027-06-09T10:00"),
        durationMinutes: 120,
        participantsNeeded: 1,
        status: "SCHEDULED",
        supervisorId: supervisor.id,
        confirmedAt: new Date("2027-05-29T08:00:00Z"),
        participantIds: [amina.id],
      },
    ],
  });
  return { partner, coordinator, supervisor, amina, serviceRequest, intervention: serviceRequest.interventions[0]! };
}

const stateOf = (id: string) =>
  db().intervention.findUniqueOrThrow({
    where: { id },
    select: { startsAt: true, status: true, supervisorId: true, supervisorPinned: true, assignments: { select: { participantId: true, pinned: true, startsAt: true } } },
  });

describe("moving an intervention inside the notice period", async () => {
  const w = await world();
  const partner = actorOf(w.partner);
  const coordination = actorOf(w.coordinator);

  it("refuses the partner with the prestation's notice rule", async () => {
    const result = await moveIntervention(partner, w.serviceRequest.id, w.intervention.id, { date: "2027-06-10", startTime: "10:00" }, {}, now);
    expect(result).toMatchObject({ ok: false, status: 400, field: "date" });
    expect(!result.ok && result.message).toMatch(/se commande 7 jours à l'avance/);
    expect((await stateOf(w.intervention.id)).startsAt).toEqual(at("2027-06-09T10:00"));
  });

  it("lets the coordination move it, its team kept at the new time, and tells the partner by email", async () => {
    // The live check first: nothing is written.
    expect(await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-10", startTime: "14:00" }, { mode: "check" }, now)).toMatchObject({ ok: true });
    expect((await stateOf(w.intervention.id)).startsAt).toEqual(at("2027-06-09T10:00"));

    const result = await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-10", startTime: "14:00" }, {}, now);
    expect(result).toMatchObject({ ok: true });
    const moved = await stateOf(w.intervention.id);
    expect(moved).toMatchObject({ startsAt: at("2027-06-10T14:00"), status: "SCHEDULED", supervisorId: w.supervisor.id, supervisorPinned: false });
    expect(moved.assignments).toEqual([{ participantId: w.amina.id, pinned: false, startsAt: at("2027-06-10T14:00") }]);
    const entry = await db().auditLog.findFirstOrThrow({ where: { action: "intervention.moved", entityId: w.intervention.id } });
    expect(entry).toMatchObject({ actorUserId: w.coordinator.id, details: { byCoordination: true, teamKept: true } });

    // The partner's users are told, through the outbox, in French.
    const notification = await db().notification.findFirstOrThrow({ where: { kind: "intervention.changed", key: { contains: w.intervention.id } } });
    const event = await db().outboxEvent.findFirstOrThrow({ where: { queue: "notifications", businessKey: notification.key } });
    const payload = event.payload as Parameters<typeof deliverNotification>[0];
    expect(await deliverNotification(payload, new Date(Date.now() + 3 * 60_000))).toMatchObject({ written: 1 });
    const [mail] = await db().mail.findMany({ where: { to: w.partner.email, dedupeKey: { startsWith: notification.key } } });
    expect(mail!.subject).toBe(`${w.serviceRequest.reference} : nouvel horaire le 10 juin 2027 à 14:00`);
    expect(mail!.text).toContain("prévue le 9 juin 2027 à 10:00 aura lieu le 10 juin 2027 à 14:00");
  });

  it("refuses a move that breaks a staffing rule unless forced with a reason, audited and pinned", async () => {
    const refused = await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-11", startTime: "10:00" }, {}, now);
    expect(refused).toMatchObject({ ok: false, status: 409, violations: [expect.objectContaining({ rule: "H4" })] });
    expect(JSON.stringify(refused)).toContain("Amina K.");
    expect((await stateOf(w.intervention.id)).startsAt).toEqual(at("2027-06-10T14:00"));

    const forced = await moveIntervention(
      coordination,
      w.serviceRequest.id,
      w.intervention.id,
      { date: "2027-06-11", startTime: "10:00" },
      { force: { reason: "Le partenaire ferme jeudi, Amina reviendra exprès" } },
      now,
    );
    expect(forced).toMatchObject({ ok: true });
    const moved = await stateOf(w.intervention.id);
    expect(moved).toMatchObject({ startsAt: at("2027-06-11T10:00"), supervisorId: w.supervisor.id, supervisorPinned: true });
    expect(moved.assignments).toEqual([{ participantId: w.amina.id, pinned: true, startsAt: at("2027-06-11T10:00") }]);
    const entry = await db().auditLog.findFirstOrThrow({ where: { action: "planning.forced", entityId: w.intervention.id } });
    expect(entry.details).toEqual({ rules: ["H4"], reason: "Le partenaire ferme jeudi, Amina reviendra exprès" });
  });

  it("still keeps the coordination to opening days and hours, and to times to come", async () => {
    expect(await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-12", startTime: "10:00" }, {}, now)).toMatchObject({ ok: false, field: "date" });
    expect(await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-07", startTime: "07:00" }, {}, now)).toMatchObject({ ok: false, field: "startTime" });
    expect(await moveIntervention(coordination, w.serviceRequest.id, w.intervention.id, { date: "2027-06-06", startTime: "10:00" }, {}, now)).toMatchObject({ ok: false, field: "date" });
  });
});
