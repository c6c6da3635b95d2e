import { beforeAll, describe, expect, it } from "vitest";

// One source for an invoice's lines: the page finance and the partner read and
// the Factur-X show the same lines, in the same order, with the same quantity,
// unit and unit price, and print the period the lines were performed in.
// Local provider (no Stripe key), real PostgreSQL.
const { db } = await import("~/data/db.server.ts");
const { getInvoice, loadInvoiceDocument } = await import("~/data/invoicing.server.ts");
const { documentSettings, loadInvoiceSource } = await import("~/data/einvoicing.server.ts");
const { invoiceToEN16931 } = await import("~/domain/einvoicing/en16931.ts");
const processors = await import("../../workers/processors/invoicing.ts");
const { createOrganisation, createPrestation, createServiceRequest, createSite, createSkill, createParticipant } = await import("../support/factories.ts");

let invoiceId: string;
const ids = { carried: "", late: "", worked: "" };

async function done(organisationId: string, siteId: string, prestationId: string, startsAt: Date, minutes: number[]) {
  const participants = await Promise.all(minutes.map(() => createParticipant(db())));
  const serviceRequest = await createServiceRequest(db(), {
    organisationId,
    siteId,
    prestationId,
    teamSize: minutes.length,
    durationMinutes: 180,
    interventions: [{ startsAt, status: "DONE", participantIds: participants.map((w) => w.id) }],
  });
  const intervention = serviceRequest.interventions[0]!;
  await db().timeEntry.createMany({ data: participants.map((w, i) => ({ interventionId: intervention.id, participantId: w.id, minutesWorked: minutes[i]!, absent: false })) });
  return intervention.id;
}

beforeAll(async () => {
  const skill = await createSkill(db());
  const hourly = await createPrestation(db(), { skillId: skill.id, name: "Entretien des quais (lignes)", priceCents: 2200, vatRateBasisPoints: 2000, pricingUnit: "PER_PARTICIPANT_HOUR" });
  const org = await createOrganisation(db(), { name: "Partenaire lignes", siret: "90871234202310", billingAddress: "1 place Louis-Armand, 75012 Paris", billingEmail: "compta@lignes.example" });
  const site = await createSite(db(), { organisationId: org.id, name: "Quai Lignes", address: "1 place Louis-Armand", postalCode: "75012", city: "Paris" });
  // 30 October, still unbilled: carried over into November's invoice.
  ids.carried = await done(org.id, site.id, hourly.id, new Date("2026-10-30T08:00:00Z"), [180, 180]);
  // 5 November, cancelled one hour before (deadline 48 h): half of 3 people × 3 h at 22,00 €, 99,00 €.
  const late = await createServiceRequest(db(), {
    organisationId: org.id,
    siteId: site.id,
    prestationId: hourly.id,
    teamSize: 3,
    durationMinutes: 180,
    interventions: [{ startsAt: new Date("2026-11-05T08:00:00Z"), status: "CANCELLED", cancelledAt: new Date("2026-11-05T07:00:00Z"), cancelReason: "Quai fermé" }],
  });
  ids.late = late.interventions[0]!.id;
  ids.worked = await done(org.id, site.id, hourly.id, new Date("2026-11-20T08:00:00Z"), [120]);
  await processors.prepareRun({ month: "2026-11", organisationId: org.id });
  await processors.issueRun({ month: "2026-11", organisationId: org.id });
  invoiceId = (await db().invoice.findFirstOrThrow({ where: { organisationId: org.id, status: "OPEN" } })).id;
});

describe("an invoice's lines, one source", () => {
  it("the page and the Factur-X list the same lines in the order of the work, with the same quantity, unit and unit price", async () => {
    const page = (await getInvoice(invoiceId))!;
    const source = (await loadInvoiceSource(invoiceId))!.source;
    const document = invoiceToEN16931(source, await documentSettings());
    const interventionOf = new Map((await db().invoiceLine.findMany({ where: { invoiceId } })).map((l) => [l.id, l.interventionId]));
    // Work order, not the order of the descriptions ("05/11…" < "20/11…" < "30/10…").
    expect(page.lines.map((l) => interventionOf.get(l.id))).toEqual([ids.carried, ids.late, ids.worked]);
    expect(document.lines.map((l) => l.id)).toEqual(page.lines.map((l) => l.id));
    expect(page.lines.map((l) => l.pricing)).toEqual([
      { quantity: 360, unitCode: "MIN", unitPriceCents: 2200, baseQuantity: 60 },
      // The late cancellation: one unit at 99,00 €, not "9 h × 22,00 €" (which would be 198,00 €).
      { quantity: 1, unitCode: "C62", unitPriceCents: 9900, baseQuantity: null },
      { quantity: 120, unitCode: "MIN", unitPriceCents: 2200, baseQuantity: 60 },
    ]);
    expect(document.lines.map((l) => ({ quantity: Number(l.quantity), unitCode: l.unitCode, unitPriceCents: l.netPriceCents, baseQuantity: l.baseQuantity ? Number(l.baseQuantity) : null }))).toEqual(
      page.lines.map((l) => l.pricing),
    );
    expect(page.lines.map((l) => l.amountExclVatCents)).toEqual([13200, 9900, 4400]);
  });

  it("prints the period the lines were performed in, not the month they were billed with", async () => {
    const page = (await getInvoice(invoiceId))!;
    expect(page.period).toEqual({ start: "2026-10-30", end: "2026-11-20" });
    const document = invoiceToEN16931((await loadInvoiceSource(invoiceId))!.source, await documentSettings());
    expect(document.period).toEqual({ start: "2026-10-30", end: "2026-11-20" });
    expect((await loadInvoiceDocument(invoiceId)).periodLabel).toBe("du 30 octobre 2026 au 20 novembre 2026");
  });
});
