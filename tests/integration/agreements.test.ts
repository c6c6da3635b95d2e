import { describe, expect, it } from "vitest";
import { agreementTeam, recordAgreement, withdrawAgreement } from "~/data/agreements.server.ts";
import { db } from "~/data/db.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { fromParisLocal, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { optimiseWeek } from "../../workers/processors/scheduling.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createUser, createParticipant } from "../support/factories.ts";

// Within the notice period (7 days) a person's confirmed schedule is kept by
// re-planning, unless their encadrant records their agreement.

const now = new Date();
/** A weekday 2 to 4 days ahead (inside the 7-day notice), at 10:00 Paris. */
function soonWeekday() {
  for (let d = 2; d <= 5; d++) {
    const day = toParisDate(new Date(now.getTime() + d * DAY_MS));
    const iso = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (iso >= 1 && iso <= 5) return day;
  }
  throw new Error("no weekday");
}
const day = soonWeekday();
const week = parisWeekStart(fromParisLocal(`${day}T12:00`));
const at = (date: string, time: string) => fromParisLocal(`${date}T${time}`);

async function world() {
  const cleaning = await createSkill(db(), { code: "nettoyage-accord", label: "Nettoyage" });
  const gardening = await createSkill(db(), { code: "jardin-accord", label: "Espaces verts" });
  const site = await createSite(db());
  const encadrantUser = await createUser(db(), { role: "ENCADRANT" });
  const otherUser = await createUser(db(), { role: "ENCADRANT" });
  const supervisors = [
    await createSupervisor(db(), { userId: encadrantUser.id, skillIds: [cleaning.id, gardening.id] }),
    await createSupervisor(db(), { userId: otherUser.id, skillIds: [cleaning.id, gardening.id] }),
  ];
  // Amina can do both; Bakary cleaning only. Only Amina can garden.
  const amina = await createParticipant(db(), { firstName: "Amina", lastInitial: "K", skillIds: [cleaning.id, gardening.id] });
  const bakary = await createParticipant(db(), { firstName: "Bakary", lastInitial: "D", skillIds: [cleaning.id] });
  const cleaningRequest = await createServiceRequest(db(), {
    prestationId: (await createPrestation(db(), { skillId: cleaning.id })).id,
    siteId: site.id,
    teamSize: 1,
    durationMinutes: 120,
    interventions: [
      // Confirmed with Amina three days ago: within the notice period.
      {
        startsAt: at(day, "10:00"),
        durationMinutes: 120,
        participantsNeeded: 1,
        status: "SCHEDULED",
        supervisorId: supervisors[0]!.id,
        confirmedAt: new Date(now.getTime() - 3 * DAY_MS),
        participantIds: [amina.id],
      },
    ],
  });
  const gardeningRequest = await createServiceRequest(db(), {
    prestationId: (await createPrestation(db(), { skillId: gardening.id })).id,
    siteId: site.id,
    teamSize: 1,
    durationMinutes: 120,
    // At the same time, waiting: only Amina could do it.
    interventions: [{ startsAt: at(day, "10:00"), durationMinutes: 120, participantsNeeded: 1, status: "ACCEPTED" }],
  });
  const encadrant: Actor = { userId: encadrantUser.id, organisationId: encadrantUser.membership!.organisationId, role: "ENCADRANT" };
  const other: Actor = { userId: otherUser.id, organisationId: otherUser.membership!.organisationId, role: "ENCADRANT" };
  return {
    supervisors,
    amina,
    bakary,
    encadrant,
    other,
    cleaning: cleaningRequest.interventions[0]!,
    gardening: gardeningRequest.interventions[0]!,
  };
}

const teamOf = async (interventionId: string) => (await db().assignment.findMany({ where: { interventionId }, select: { participantId: true } })).map((a) => a.participantId);

describe("a person's agreement within the notice period", async () => {
  const w = await world();

  it("keeps the confirmed assignment when re-planning without the person's agreement", async () => {
    await optimiseWeek({ weekStart: week }, undefined, now);
    expect(await teamOf(w.cleaning.id)).toEqual([w.amina.id]);
    const gardening = await db().intervention.findUniqueOrThrow({ where: { id: w.gardening.id }, select: { status: true } });
    expect(gardening.status).toBe("ACCEPTED"); // nobody else can garden: it waits
  });

  it("lets only the intervention's encadrant (or a coordinator) record it, inside the notice period", async () => {
    expect(await recordAgreement(w.other, w.cleaning.id, w.amina.id, { supervisorId: w.supervisors[1]!.id }, now)).toMatchObject({ ok: false });
    expect(await recordAgreement(w.encadrant, w.cleaning.id, w.bakary.id, { supervisorId: w.supervisors[0]!.id }, now)).toMatchObject({
      ok: false,
      message: "Cette personne n'est pas dans l'équipe de l'intervention.",
    });
    // Ten days before, the notice period has not started: no agreement needed.
    expect(await recordAgreement(w.encadrant, w.cleaning.id, w.amina.id, { supervisorId: w.supervisors[0]!.id }, new Date(w.cleaning.startsAt.getTime() - 10 * DAY_MS))).toMatchObject({
      ok: false,
    });
    expect(await db().scheduleChangeAgreement.count()).toBe(0);
  });

  it("records it (who, when; the person by id in the audit log), then re-planning may move the person", async () => {
    const recorded = await recordAgreement(w.encadrant, w.cleaning.id, w.amina.id, { supervisorId: w.supervisors[0]!.id }, now);
    expect(recorded).toMatchObject({ ok: true });
    const team = await agreementTeam(w.cleaning.id, { supervisorId: w.supervisors[0]!.id }, now);
    expect(team).toMatchObject({ underNotice: true, noticeDays: 7 });
    expect(team!.members.find((m) => m.participantId === w.amina.id)?.agreedAt).toEqual(now);

    const entry = await db().auditLog.findFirstOrThrow({ where: { action: "planning.agreement_recorded" } });
    expect(entry).toMatchObject({ actorUserId: w.encadrant.userId, entityType: "Intervention", entityId: w.cleaning.id, details: { participantId: w.amina.id } });
    expect(JSON.stringify({ ...entry, id: String(entry.id) })).not.toMatch(/Amina|Bakary/);

    // Taken back, the assignment is kept again; recorded again, it is released.
    expect(await withdrawAgreement(w.encadrant, w.cleaning.id, w.amina.id, { supervisorId: w.supervisors[0]!.id })).toMatchObject({ ok: true });
    await optimiseWeek({ weekStart: week }, undefined, now);
    expect(await teamOf(w.cleaning.id)).toEqual([w.amina.id]);
    expect(await recordAgreement(w.encadrant, w.cleaning.id, w.amina.id, { supervisorId: w.supervisors[0]!.id }, now)).toMatchObject({ ok: true });

    await optimiseWeek({ weekStart: week }, undefined, now);
    // Amina now gardens (only she can), Bakary takes the cleaning: both served.
    expect(await teamOf(w.gardening.id)).toEqual([w.amina.id]);
    expect(await teamOf(w.cleaning.id)).toEqual([w.bakary.id]);
    // The agreement is used: the new assignment is confirmed and kept from now on.
    const agreement = await db().scheduleChangeAgreement.findFirstOrThrow({ where: { interventionId: w.cleaning.id, participantId: w.amina.id } });
    expect(agreement.usedAt).not.toBeNull();
    const gardening = await db().intervention.findUniqueOrThrow({ where: { id: w.gardening.id }, select: { status: true, confirmedAt: true } });
    expect(gardening.status).toBe("SCHEDULED");
    expect(gardening.confirmedAt).not.toBeNull();
    await optimiseWeek({ weekStart: week }, undefined, now);
    expect(await teamOf(w.cleaning.id)).toEqual([w.bakary.id]);
    expect(await teamOf(w.gardening.id)).toEqual([w.amina.id]);
  });
});
