import { beforeAll, describe, expect, it } from "vitest";

// Contested hours and voided invoices on real PostgreSQL, with the local
// provider (no Stripe key): what the next invoice run bills, and what the
// database refuses whatever the code does.
const { db } = await import("~/data/db.server.ts");
const { requestVoid, requestCreditNote, applyProviderInvoice, recordTransfer } = await import("~/data/invoicing.server.ts");
const { deliverNotification } = await import("~/data/notifications.server.ts");
const { rebilledOn } = await import("~/data/billing-claims.server.ts");
const { openDispute, settleDispute, interventionHours, listOpenDisputes } = await import("~/data/disputes.server.ts");
const processors = await import("../../workers/processors/invoicing.ts");
const { seedInvoicingPartners, INCL_VAT_CENTS_PER_MINUTE } = await import("../support/invoicing-fixtures.ts");
const { createUser } = await import("../support/factories.ts");

type Actor = { userId: string; organisationId: string; role: "FINANCE" | "PARTNER_ADMIN" };
let finance: Actor;
beforeAll(async () => {
  const user = await createUser(db(), { role: "FINANCE" });
  finance = { userId: user.id, organisationId: user.membership!.organisationId, role: "FINANCE" };
});

const partnerActor = async (organisationId: string): Promise<Actor> => {
  const user = await createUser(db(), { role: "PARTNER_ADMIN", organisationId });
  return { userId: user.id, organisationId, role: "PARTNER_ADMIN" };
};
const liveInvoices = (organisationId: string) => db().invoice.findMany({ where: { organisationId, status: { not: "VOID" } }, include: { lines: true } });
const minutesOf = async (interventionId: string) => (await db().timeEntry.findMany({ where: { interventionId, absent: false } })).reduce((s, t) => s + t.minutesWorked, 0);
const bill = async (month: string, organisationId: string) => {
  await processors.prepareRun({ month, organisationId });
  await processors.issueRun({ month, organisationId });
};

describe("a void frees its interventions to be billed again", () => {
  it("keeps the voided invoice and its lines, bills the interventions once on a new invoice with a new number, even when the run goes twice", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-06", interventionsEach: 2 });
    await bill("2026-06", p!.organisationId);
    const [first] = await liveInvoices(p!.organisationId);
    expect(first).toMatchObject({ status: "OPEN", totalInclVatCents: p!.expectedInclVatCents });
    expect(await db().billingClaim.count({ where: { interventionId: { in: p!.interventionIds } } })).toBe(2);

    // A credit note corrects the amount: the interventions stay billed.
    expect(await requestCreditNote(finance, first!.id, 500, "Geste commercial")).toMatchObject({ ok: true });
    await processors.prepareRun({ month: "2026-06", organisationId: p!.organisationId });
    expect(await db().invoice.count({ where: { organisationId: p!.organisationId } })).toBe(1);
    expect(await db().billingClaim.count({ where: { interventionId: { in: p!.interventionIds } } })).toBe(2);

    expect(await requestVoid(finance, first!.id, "Heures saisies sur le mauvais partenaire")).toMatchObject({ ok: true });
    expect(await db().billingClaim.count({ where: { interventionId: { in: p!.interventionIds } } })).toBe(0);
    // The partner is told, through the outbox.
    expect(await db().notification.count({ where: { kind: "invoice.voided", groupKey: `partner:invoice:${first!.id}` } })).toBe(1);
    expect((await db().intervention.findMany({ where: { id: { in: p!.interventionIds } } })).map((i) => i.status)).toEqual(["DONE", "DONE"]);

    // The run twice, one after the other and two at once: one new invoice.
    await bill("2026-06", p!.organisationId);
    await bill("2026-06", p!.organisationId);
    await Promise.all([processors.prepareRun({ month: "2026-06", organisationId: p!.organisationId }), processors.prepareRun({ month: "2026-06", organisationId: p!.organisationId })]);
    const live = await liveInvoices(p!.organisationId);
    expect(live).toHaveLength(1);
    const second = live[0]!;
    expect(second.id).not.toBe(first!.id);
    expect(second.number).toMatch(/^F\d{4}-\d{5}$/);
    expect(second.number).not.toBe(first!.number);
    expect(second.totalInclVatCents).toBe(p!.expectedInclVatCents);
    expect(second.lines.map((l) => l.interventionId).sort()).toEqual([...p!.interventionIds].sort());

    // The voided invoice is as it was, lines and all.
    const voided = await db().invoice.findUniqueOrThrow({ where: { id: first!.id }, include: { lines: true, creditNotes: true } });
    expect(voided).toMatchObject({ status: "VOID", number: first!.number, totalInclVatCents: first!.totalInclVatCents });
    expect(voided.lines.map((l) => [l.interventionId, l.amountExclVatCents])).toEqual(first!.lines.map((l) => [l.interventionId, l.amountExclVatCents]));
    // The commercial gesture, and the credit note that cancels the rest.
    expect(voided.creditNotes.map((c) => c.amountCents).sort((a, b) => a - b)).toEqual([500, first!.totalInclVatCents - 500].sort((a, b) => a - b));
    // Finance reads, on the voided invoice, where its interventions went.
    expect(await rebilledOn(first!.id)).toEqual({ interventions: 2, rebilled: 2, invoices: [{ id: second.id, number: second.number, status: "OPEN" }] });
    expect((await db().intervention.findMany({ where: { id: { in: p!.interventionIds } } })).every((i) => i.status === "INVOICED")).toBe(true);
  });

  it("a void reported by Stripe releases them too, and a later month's run carries them over", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-07", interventionsEach: 2 });
    await bill("2026-07", p!.organisationId);
    const [first] = await liveInvoices(p!.organisationId);
    await applyProviderInvoice({ providerInvoiceId: null, metadataInvoiceId: first!.id, status: "VOID", amountPaidCents: 0, hostedInvoiceUrl: null });
    await applyProviderInvoice({ providerInvoiceId: null, metadataInvoiceId: first!.id, status: "VOID", amountPaidCents: 0, hostedInvoiceUrl: null });
    expect(await db().billingClaim.count({ where: { interventionId: { in: p!.interventionIds } } })).toBe(0);
    await bill("2026-08", p!.organisationId);
    const [august] = await liveInvoices(p!.organisationId);
    expect(august!.periodStart.toISOString().slice(0, 7)).toBe("2026-08");
    expect(august!.totalInclVatCents).toBe(p!.expectedInclVatCents);
  });

  it("the database refuses a second live line for an intervention, a line without its claim, and un-voiding", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-05", interventionsEach: 1 });
    await bill("2026-05", p!.organisationId);
    const [invoice] = await liveInvoices(p!.organisationId);
    const interventionId = p!.interventionIds[0]!;
    const other = await db().invoice.create({ data: { organisationId: p!.organisationId, periodStart: new Date("2026-04-01"), periodEnd: new Date("2026-04-30"), provider: "local" } });
    const line = { invoiceId: other.id, interventionId, description: "Doublon", quantity: 60, unitPriceCents: 2400, vatRateBasisPoints: 2000, amountExclVatCents: 2400, vatCents: 480 };
    // Without a claim: refused when the transaction commits.
    await expect(db().invoiceLine.create({ data: line })).rejects.toThrow(/billing claim/);
    // With a claim: the intervention is already claimed.
    await expect(db().invoiceLine.create({ data: { ...line, billingClaim: { create: { interventionId } } } })).rejects.toThrow();
    // Releasing a claim of a live invoice by hand.
    await expect(db().billingClaim.delete({ where: { interventionId } })).rejects.toThrow(/billing claim/);
    expect(await db().invoiceLine.count({ where: { interventionId } })).toBe(1);
    await requestVoid(finance, invoice!.id, "Doublon");
    await expect(db().invoice.update({ where: { id: invoice!.id }, data: { status: "OPEN" } })).rejects.toThrow(/void is final/);
  });
});

describe("voiding is deliberate and follows the legal path", () => {
  it("cancels the issued invoice by a credit note for what it still bills, keeps the reason, audits it and tells the partner", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-03", interventionsEach: 2 });
    const partner = await partnerActor(p!.organisationId);
    await bill("2026-03", p!.organisationId);
    const [invoice] = await liveInvoices(p!.organisationId);
    expect(await requestCreditNote(finance, invoice!.id, 300, "Geste commercial")).toMatchObject({ ok: true });

    const reason = "Prestation facturée au mauvais site";
    const result = await requestVoid(finance, invoice!.id, reason);
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/^Facture F\d{4}-\d{5} annulée par l'avoir A\d{4}-\d{5}/) });
    const voided = await db().invoice.findUniqueOrThrow({ where: { id: invoice!.id }, include: { creditNotes: { orderBy: { createdAt: "asc" } } } });
    expect(voided).toMatchObject({ status: "VOID", voidReason: reason, voidedAt: expect.any(Date) });
    // The second credit note cancels what the first left: the two together cancel the whole invoice.
    const cancelling = voided.creditNotes[1]!;
    expect(cancelling).toMatchObject({ amountCents: invoice!.totalInclVatCents - 300, reason: `Annulation de la facture ${invoice!.number} : ${reason}` });
    expect(cancelling.number).toMatch(/^A\d{4}-\d{5}$/);
    // Its Factur-X is queued; no Stripe credit note (Stripe's copy is voided by the void job instead).
    expect(await db().outboxEvent.count({ where: { payload: { path: ["creditNoteId"], equals: cancelling.id } } })).toBeGreaterThan(0);
    expect(await db().outboxEvent.count({ where: { businessKey: `credit-note:${cancelling.id}` } })).toBe(0);
    expect(await db().outboxEvent.count({ where: { businessKey: `invoice-void:${invoice!.id}` } })).toBe(1);
    const [entry] = await db().auditLog.findMany({ where: { action: "invoice.void", entityId: invoice!.id } });
    expect(entry!.details).toMatchObject({ reason, number: invoice!.number, creditNote: cancelling.number });

    // The partner's mail names the invoice, the reason and the credit note.
    const event = await db().outboxEvent.findFirstOrThrow({ where: { queue: "notifications", payload: { path: ["invoiceId"], equals: invoice!.id } } });
    const payload = event.payload as Parameters<typeof deliverNotification>[0];
    expect(await deliverNotification(payload, new Date(Date.now() + 30 * 60_000))).toMatchObject({ written: 1 });
    const user = await db().user.findUniqueOrThrow({ where: { id: partner.userId } });
    const [mail] = await db().mail.findMany({ where: { to: user.email, dedupeKey: { startsWith: payload.key } } });
    expect(mail!.subject).toBe(`Facture ${invoice!.number} annulée`);
    expect(mail!.text).toContain(`Motif : ${reason}`);
    expect(mail!.text).toContain(`L'avoir ${cancelling.number} l'annule`);
  });

  it("refuses to void an invoice on which a payment was received", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-02", interventionsEach: 1 });
    await bill("2026-02", p!.organisationId);
    const [invoice] = await liveInvoices(p!.organisationId);
    expect(await recordTransfer(finance, invoice!.id, { amountCents: 1000, reference: "VIR-1", receivedAt: new Date() })).toMatchObject({ ok: true });
    expect(await requestVoid(finance, invoice!.id, "Erreur")).toEqual({ ok: false, message: expect.stringContaining("Un paiement de 10,00") });
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice!.id } })).status).toBe("OPEN");
    expect(await db().creditNote.count({ where: { invoiceId: invoice!.id } })).toBe(0);
  });
});

describe("contested hours", () => {
  // October's work, contested in the first days of November (the window is 5 days).
  const IN_WINDOW = new Date("2026-11-03T10:00:00Z");

  it("a contested line waits out of the run, then enters it with the settled figure; the hours worked stay as recorded", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-10", interventionsEach: 3 });
    const partner = await partnerActor(p!.organisationId);
    const [corrected, waived, kept] = p!.interventionIds as [string, string, string];
    // The draft exists already: contesting takes the line out of it.
    await processors.prepareRun({ month: "2026-10", organisationId: p!.organisationId });
    expect((await liveInvoices(p!.organisationId))[0]!.lines).toHaveLength(3);

    expect(await openDispute(partner, corrected, "L'équipe est partie à 11 h, pas à midi.", IN_WINDOW)).toMatchObject({ ok: true });
    expect(await openDispute(partner, waived, "Le travail n'a pas été fait sur la passerelle nord.", IN_WINDOW)).toMatchObject({ ok: true });
    expect(await openDispute(partner, kept, "Trois personnes au lieu de deux ?", IN_WINDOW)).toMatchObject({ ok: true });
    expect(await openDispute(partner, kept, "Encore une fois.", IN_WINDOW)).toMatchObject({ ok: false, status: 409 });
    const draft = (await liveInvoices(p!.organisationId))[0];
    expect(draft).toBeUndefined(); // every line contested: the draft is gone

    const prepared = await processors.prepareRun({ month: "2026-10", organisationId: p!.organisationId });
    expect(prepared).toMatchObject({ drafts: 0, waiting: 3 });
    // Finance's list: the partner, the hours recorded, the reason, oldest first.
    const { name } = await db().organisation.findUniqueOrThrow({ where: { id: p!.organisationId } });
    const open = (await listOpenDisputes()).filter((d) => d.partner === name);
    expect(open).toHaveLength(3);
    expect(open.find((d) => d.reason.startsWith("L'équipe"))).toMatchObject({ recordedMinutes: await minutesOf(corrected), flatPrice: false });
    const disputeOf = async (interventionId: string) => (await db().dispute.findFirstOrThrow({ where: { interventionId } })).id;

    const recorded = await minutesOf(corrected);
    expect(await settleDispute(finance, await disputeOf(corrected), { outcome: "CORRECT", correctedMinutes: recorded - 60, answer: "Corrigé d'une heure après vérification." })).toMatchObject({
      ok: true,
    });
    expect(await settleDispute(finance, await disputeOf(waived), { outcome: "WAIVE", answer: "Nous ne facturons pas cette intervention." })).toMatchObject({ ok: true });
    expect(await settleDispute(finance, await disputeOf(kept), { outcome: "KEEP", answer: "Trois personnes étaient bien présentes." })).toMatchObject({ ok: true });
    expect(await settleDispute(finance, await disputeOf(kept), { outcome: "WAIVE", answer: "Deuxième décision." })).toMatchObject({ ok: false, status: 409 });
    // Each decision is told to the partner once.
    expect(
      await db().notification.count({
        where: {
          kind: "dispute.settled",
          key: { in: [await disputeOf(corrected), await disputeOf(waived), await disputeOf(kept)].map((d, i) => `dispute.settled:${[corrected, waived, kept][i]}:${d}`) },
        },
      }),
    ).toBe(3);

    const after = await processors.prepareRun({ month: "2026-10", organisationId: p!.organisationId });
    expect(after).toMatchObject({ drafts: 1, waiting: 0 });
    const [invoice] = await liveInvoices(p!.organisationId);
    const lineOf = (id: string) => invoice!.lines.find((l) => l.interventionId === id);
    expect(lineOf(corrected)!.quantity).toBe(recorded - 60);
    expect(lineOf(corrected)!.description).toContain("après contestation");
    expect(lineOf(kept)!.quantity).toBe(await minutesOf(kept));
    expect(lineOf(waived)).toBeUndefined();
    const billedMinutes = recorded - 60 + (await minutesOf(kept));
    expect(invoice!.totalInclVatCents).toBe(billedMinutes * INCL_VAT_CENTS_PER_MINUTE);
    // Impact: the hours actually worked, not the billed figure.
    expect(invoice!.insertionMinutes).toBe(recorded + (await minutesOf(kept)));
    expect(await minutesOf(corrected)).toBe(recorded);

    // Recorded: who, when, what; and the partner reads the outcome.
    const settled = await db().dispute.findFirstOrThrow({ where: { interventionId: corrected } });
    expect(settled).toMatchObject({ settledById: finance.userId, outcome: "CORRECT", correctedMinutes: recorded - 60, settlement: "Corrigé d'une heure après vérification." });
    expect(settled.settledAt).toBeInstanceOf(Date);
    const audit = await db().auditLog.findMany({ where: { action: "dispute.settled", entityId: settled.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: finance.userId, organisationId: p!.organisationId, outcome: "ok" });
    expect(audit[0]!.details).toMatchObject({ decision: "CORRECT", recordedMinutes: recorded, correctedMinutes: recorded - 60 });
    const hours = await interventionHours(partner, corrected, IN_WINDOW);
    expect(hours!.disputes[0]).toMatchObject({ outcome: "CORRECT", settlement: "Corrigé d'une heure après vérification." });
    expect(hours!.contest.ok).toBe(false);
    const intervention = await db().intervention.findUniqueOrThrow({ where: { id: corrected } });
    const thread = await db().requestMessage.findMany({ where: { requestId: intervention.requestId } });
    expect(thread.map((m) => m.body)).toEqual([expect.stringContaining("Heures corrigées : ")]);
    expect(thread[0]!.body).toContain("Corrigé d'une heure après vérification.");
    expect(await db().auditLog.count({ where: { action: "dispute.opened", actorUserId: partner.userId } })).toBe(3);
  });

  it("a dispute settled after the month was invoiced enters the next month's run", async () => {
    const [p] = await seedInvoicingPartners(db(), { count: 1, month: "2026-10", interventionsEach: 2 });
    const partner = await partnerActor(p!.organisationId);
    const [contested, other] = p!.interventionIds as [string, string];
    expect(await openDispute(partner, contested, "Nous n'étions pas prévenus de cette date.", IN_WINDOW)).toMatchObject({ ok: true });
    await bill("2026-10", p!.organisationId);
    const [october] = await liveInvoices(p!.organisationId);
    expect(october!.lines.map((l) => l.interventionId)).toEqual([other]);
    const dispute = await db().dispute.findFirstOrThrow({ where: { interventionId: contested } });
    await settleDispute(finance, dispute.id, { outcome: "KEEP", answer: "La date figurait sur le devis accepté." });
    await processors.prepareRun({ month: "2026-10", organisationId: p!.organisationId }); // October is issued: nothing more there
    await bill("2026-11", p!.organisationId);
    const november = (await liveInvoices(p!.organisationId)).find((i) => i.periodStart.toISOString().startsWith("2026-11"));
    expect(november!.lines.map((l) => l.interventionId)).toEqual([contested]);
    expect(await db().invoice.count({ where: { organisationId: p!.organisationId } })).toBe(2);
  });

  it("a partner contests only its own, done, not yet invoiced interventions, within the window", async () => {
    const [a, b] = await seedInvoicingPartners(db(), { count: 2, month: "2026-10", interventionsEach: 1 });
    const partnerB = await partnerActor(b!.organisationId);
    expect(await openDispute(partnerB, a!.interventionIds[0]!, "Pas chez nous.", IN_WINDOW)).toMatchObject({ ok: false, status: 404 });
    expect(await openDispute(partnerB, b!.interventionIds[0]!, "Trop tard pour contester.", new Date("2026-11-20T10:00:00Z"))).toMatchObject({ ok: false, status: 409 });
    await bill("2026-10", b!.organisationId);
    expect(await openDispute(partnerB, b!.interventionIds[0]!, "Déjà facturée pourtant.", IN_WINDOW)).toMatchObject({ ok: false, status: 409 });
    expect(await db().dispute.count({ where: { organisationId: { in: [a!.organisationId, b!.organisationId] } } })).toBe(0);
  });
});
