import { describe, expect, it } from "vitest";
import { parseForm } from "~/utils/validation.ts";
import { canContest, disputeDeadline, parseHours, settleSchema, settlementText } from "./disputes.ts";
import { buildDraftInvoice, buildLine, FINAL_SKIPS, type BillableIntervention } from "./lines.ts";

const RULES = { cancellationDeadlineHours: 48, lateCancellationFeePercent: 50 };
const done = (overrides: Partial<BillableIntervention> = {}): BillableIntervention => ({
  id: "i1",
  startsAt: new Date("2026-10-14T07:00:00Z"),
  status: "DONE",
  cancelledAt: null,
  siteName: "Gare de Lyon",
  prestationName: "Nettoyage des passerelles",
  pricingUnit: "PER_PARTICIPANT_HOUR",
  unitPriceCents: 2400,
  vatRateBasisPoints: 2000,
  purchaseOrderNumber: null,
  durationMinutes: 180,
  participantsNeeded: 3,
  timeEntries: [
    { minutesWorked: 180, absent: false },
    { minutesWorked: 180, absent: false },
    { minutesWorked: 150, absent: false },
  ],
  openDispute: false,
  ...overrides,
});

describe("contesting hours", () => {
  it("is open until the window's days after the end of the intervention's month (Paris)", () => {
    const deadline = disputeDeadline(new Date("2026-10-31T22:30:00Z"), 5); // 31 Oct 23:30 in Paris
    expect(deadline.toISOString()).toBe("2026-11-05T23:00:00.000Z");
    const base = { status: "DONE", startsAt: new Date("2026-10-14T07:00:00Z"), hasDispute: false, onIssuedInvoice: false, hoursRecorded: true };
    expect(canContest(base, new Date("2026-11-05T22:59:00Z"), 5)).toEqual({ ok: true });
    expect(canContest(base, new Date("2026-11-05T23:01:00Z"), 5)).toMatchObject({ ok: false, message: expect.stringContaining("délai") });
    expect(canContest({ ...base, hasDispute: true }, new Date("2026-10-20"), 5)).toMatchObject({ ok: false });
    expect(canContest({ ...base, onIssuedInvoice: true }, new Date("2026-10-20"), 5)).toMatchObject({ ok: false, message: expect.stringContaining("facturée") });
    expect(canContest({ ...base, status: "SCHEDULED" }, new Date("2026-10-20"), 5)).toMatchObject({ ok: false });
    expect(canContest({ ...base, hoursRecorded: false }, new Date("2026-10-20"), 5)).toMatchObject({ ok: false, message: expect.stringContaining("saisies") });
  });

  it("reads hours the way finance types them", () => {
    expect(parseHours("5:30")).toBe(330);
    expect(parseHours("5 h 30")).toBe(330);
    expect(parseHours("5h")).toBe(300);
    expect(parseHours("5,5")).toBe(330);
    expect(parseHours("8.25")).toBe(495);
    expect(parseHours("5 h 75")).toBeNull();
    expect(parseHours("cinq")).toBeNull();
  });

  it("refuses an unreadable correction or an empty answer with French messages next to the fields", () => {
    const form = (entries: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(entries)) f.set(k, v);
      return f;
    };
    const bad = parseForm(form({ intent: "settle", disputeId: "d1", outcome: "CORRECT", correctedHours: "beaucoup", answer: "" }), settleSchema);
    expect(bad).toMatchObject({ ok: false, errors: { correctedHours: expect.stringContaining("5 h 30"), answer: expect.stringContaining("réponse") } });
    const none = parseForm(form({ intent: "settle", disputeId: "d1", answer: "Vu avec l'encadrant." }), settleSchema);
    expect(none).toMatchObject({ ok: false, errors: { outcome: expect.stringContaining("Choisissez") } });
    const zero = parseForm(form({ intent: "settle", disputeId: "d1", outcome: "CORRECT", correctedHours: "0", answer: "Vu avec l'encadrant." }), settleSchema);
    expect(zero).toMatchObject({ ok: false, errors: { correctedHours: expect.stringContaining("Abandonner") } });
    const good = parseForm(form({ intent: "settle", disputeId: "d1", outcome: "CORRECT", correctedHours: "7 h 30", answer: "L'équipe est partie plus tôt." }), settleSchema);
    expect(good).toMatchObject({ ok: true, data: { outcome: "CORRECT", correctedHours: 450 } });
  });

  it("tells the partner the outcome in plain French", () => {
    expect(settlementText({ outcome: "CORRECT", correctedMinutes: 450, recordedMinutes: 510 })).toBe("Heures corrigées : 7 h 30 seront facturées au lieu de 8 h 30.");
    expect(settlementText({ outcome: "KEEP", correctedMinutes: null, recordedMinutes: 510 })).toBe("Heures maintenues : 8 h 30 seront facturées.");
    expect(settlementText({ outcome: "WAIVE", correctedMinutes: null, recordedMinutes: 510 })).toMatch(/ne vous sera pas facturée/);
  });
});

describe("a settled dispute on the invoice line", () => {
  it("bills the corrected minutes, keeps the hours worked as the impact figure", () => {
    const result = buildLine(done({ settlement: { outcome: "CORRECT", correctedMinutes: 450 } }), RULES);
    expect("line" in result && result.line).toMatchObject({ quantity: 450, exclVatCents: 18000, vatCents: 3600, insertionMinutes: 510 });
    expect("line" in result && result.line.description).toContain("7 h 30 après contestation (8 h 30 relevées, 3 personnes)");
  });

  it("bills the recorded minutes when kept, nothing when waived (and nothing waits)", () => {
    const kept = buildLine(done({ settlement: { outcome: "KEEP" } }), RULES);
    expect("line" in kept && kept.line).toMatchObject({ quantity: 510, exclVatCents: 20400 });
    const draft = buildDraftInvoice([done({ settlement: { outcome: "WAIVE" } }), done({ id: "i2" })], RULES);
    expect(draft.lines.map((l) => l.interventionId)).toEqual(["i2"]);
    expect(draft.skipped).toEqual([{ interventionId: "i1", reason: "Ligne abandonnée après contestation" }]);
    expect(FINAL_SKIPS).toContain(draft.skipped[0]!.reason);
  });
});
