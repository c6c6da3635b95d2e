import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { createServiceRequest, createSupervisor, createParticipant } from "../support/factories.ts";

// Whatever process writes a plan, the database refuses a person booked twice at once.
describe("double booking guard", () => {
  const at = (iso: string) => new Date(iso);

  it("refuses the same participant on two overlapping interventions, allows back-to-back", async () => {
    const participant = await createParticipant(db());
    await createServiceRequest(db(), { interventions: [{ startsAt: at("2030-03-04T08:00:00Z"), durationMinutes: 120, participantIds: [participant.id] }] });
    await expect(createServiceRequest(db(), { interventions: [{ startsAt: at("2030-03-04T09:00:00Z"), durationMinutes: 60, participantIds: [participant.id] }] })).rejects.toThrow(
      /Assignment_participant_no_overlap|conflicting key/,
    );
    await createServiceRequest(db(), { interventions: [{ startsAt: at("2030-03-04T10:00:00Z"), durationMinutes: 60, participantIds: [participant.id] }] });
  });

  it("refuses the same encadrant on two overlapping live interventions, but not when one is cancelled", async () => {
    const supervisor = await createSupervisor(db());
    await createServiceRequest(db(), { interventions: [{ startsAt: at("2030-03-05T08:00:00Z"), durationMinutes: 120, supervisorId: supervisor.id }] });
    await expect(createServiceRequest(db(), { interventions: [{ startsAt: at("2030-03-05T09:00:00Z"), durationMinutes: 60, supervisorId: supervisor.id }] })).rejects.toThrow(
      /Intervention_supervisor_no_overlap|conflicting key/,
    );
    await createServiceRequest(db(), {
      interventions: [{ startsAt: at("2030-03-05T09:00:00Z"), durationMinutes: 60, supervisorId: supervisor.id, status: "CANCELLED" }],
    });
  });
});
