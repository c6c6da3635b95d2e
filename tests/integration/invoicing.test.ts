import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StripeDouble } from "../support/stripe-double.ts";

// The invoice run, Stripe and webhooks on real PostgreSQL, through the official
// SDK against the local Stripe double. The environment is set before the app
// reads it (env() is read lazily, at first use).
const WEBHOOK_SECRET = "whsec_test_invoicing_0123456789";
const double = await new StripeDouble().start();
Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_invoicing", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_MAX_REQUESTS_PER_SECOND: "5000", ...double.env });

const { db } = await import("~/data/db.server.ts");
const { requestCreditNote, requestVoid, recordTransfer, claimNumber, loadInvoiceDocument } = await import("~/data/invoicing.server.ts");
const processors = await import("../../workers/processors/invoicing.ts");
const { action: webhook } = await import("~/routes/webhooks.stripe.ts");
const { stripeProvider, ensureCustomer } = await import("~/integrations/billing.server.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");
const { createUser } = await import("../support/factories.ts");

const MONTH = "2026-10";
let partners: Awaited<ReturnType<typeof seedInvoicingPartners>>;
let actor: { userId: string; organisationId: string; role: "FINANCE" };

beforeAll(async () => {
  partners = await seedInvoicingPartners(db(), { count: 6, month: MONTH });
  const finance = await createUser(db(), { role: "FINANCE" });
  actor = { userId: finance.id, organisationId: finance.membership!.organisationId, role: "FINANCE" };
});
afterAll(async () => double.stop());

const stripeInvoicesOf = async (organisationId: string) => {
  const org = await db().organisation.findUniqueOrThrow({ where: { id: organisationId } });
  return org.stripeCustomerId ? double.invoicesOf(org.stripeCustomerId) : [];
};

function signed(payload: string, timestamp?: number) {
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, ...(timestamp ? { timestamp } : {}) });
  return new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { "Stripe-Signature": header, "Content-Type": "application/json" } });
}
const post = async (request: Request) => (await webhook({ request, params: {}, context: {} })) as Response;

describe("invoice run through Stripe", () => {
  it("gives each partner exactly one invoice for the month, totals equal to the hours worked to the cent", async () => {
    const prepared = await processors.prepareRun({ month: MONTH });
    expect(prepared.drafts).toBeGreaterThanOrEqual(partners.length);
    // The drafts are a preview: nothing reached Stripe yet.
    expect(double.invoices.size).toBe(0);
    const issued = await processors.issueRun({ month: MONTH });
    expect(issued.issued).toBeGreaterThanOrEqual(partners.length);
    for (const p of partners) {
      const invoices = await db().invoice.findMany({ where: { organisationId: p.organisationId } });
      expect(invoices).toHaveLength(1);
      expect(invoices[0]!.status).toBe("OPEN");
      expect(invoices[0]!.totalInclVatCents).toBe(p.expectedInclVatCents);
      expect(invoices[0]!.insertionMinutes).toBe(p.minutes);
      const remote = await stripeInvoicesOf(p.organisationId);
      expect(remote).toHaveLength(1);
      expect(remote[0]!.amount_due).toBe(p.expectedInclVatCents);
      expect(remote[0]!.number).toBe(invoices[0]!.number);
      expect(remote[0]!.collection_method).toBe("send_invoice");
      expect(remote[0]!.footer).toMatch(/40 €/);
    }
    // Gapless and chronological.
    const numbered = await db().invoice.findMany({ where: { number: { startsWith: "F" } }, orderBy: { number: "asc" } });
    for (const [i, inv] of numbered.entries()) expect(inv.number).toMatch(new RegExp(`^F\\d{4}-${String(i + 1).padStart(5, "0")}$`));
    for (let i = 1; i < numbered.length; i++) expect(numbered[i]!.issuedAt!.getTime()).toBeGreaterThanOrEqual(numbered[i - 1]!.issuedAt!.getTime());
    const interventions = await db().intervention.findMany({ where: { id: { in: partners.flatMap((p) => p.interventionIds) } } });
    expect(interventions.every((i) => i.status === "INVOICED")).toBe(true);
  });

  it("runs again without a second invoice anywhere", async () => {
    const before = double.invoices.size;
    await processors.prepareRun({ month: MONTH });
    await processors.issueRun({ month: MONTH });
    expect(double.invoices.size).toBe(before);
    expect(await db().invoice.count({ where: { organisationId: { in: partners.map((p) => p.organisationId) } } })).toBe(partners.length);
  });

  it("a job retried after a crash mid-publish reuses the same idempotency keys: one Stripe invoice, no duplicated line", async () => {
    const [late] = await seedInvoicingPartners(db(), { count: 1, month: "2026-09", interventionsEach: 3 });
    await processors.prepareRun({ month: "2026-09", organisationId: late!.organisationId });
    const invoice = await db().invoice.findFirstOrThrow({ where: { organisationId: late!.organisationId } });
    await claimNumber(invoice.id, "stripe");
    const doc = await loadInvoiceDocument(invoice.id);
    // The worker dies after Stripe created the invoice and the first item, before the database heard of them.
    let items = 0;
    const crashing = {
      customerCreated: async () => {},
      invoiceCreated: async () => {},
      itemCreated: async () => {
        if (++items === 1) throw new Error("SIGKILL");
      },
    };
    await expect(stripeProvider.publish({ ...doc, organisation: doc.organisation }, crashing)).rejects.toThrow("SIGKILL");
    const replaysBefore = double.stats.idempotentReplays;
    await processors.issueInvoice(invoice.id);
    expect(double.stats.idempotentReplays).toBeGreaterThan(replaysBefore);
    const remote = await stripeInvoicesOf(late!.organisationId);
    expect(remote).toHaveLength(1);
    expect(remote[0]!.lines.data).toHaveLength(3);
    expect(remote[0]!.amount_due).toBe(late!.expectedInclVatCents);
    expect((await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status).toBe("OPEN");
  });

  it("refuses what Stripe refuses: an idempotency key reused with other parameters, a second finalisation", async () => {
    const client = new Stripe("sk_test_direct", { ...{ host: "127.0.0.1", port: double.port, protocol: "http" }, maxNetworkRetries: 0 });
    const customer = await client.customers.create({ name: "A" }, { idempotencyKey: "same-key" });
    const again = await client.customers.create({ name: "A" }, { idempotencyKey: "same-key" });
    expect(again.id).toBe(customer.id);
    await expect(client.customers.create({ name: "B" }, { idempotencyKey: "same-key" })).rejects.toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
    const invoice = await client.invoices.create({ customer: customer.id, collection_method: "send_invoice", days_until_due: 30 });
    await client.invoices.finalizeInvoice(invoice.id!);
    await expect(client.invoices.finalizeInvoice(invoice.id!)).rejects.toMatchObject({ type: "StripeInvalidRequestError", code: "invoice_not_editable", statusCode: 400 });
    await expect(client.invoiceItems.create({ customer: customer.id, invoice: invoice.id!, amount: 100, currency: "eur" })).rejects.toMatchObject({ code: "invoice_not_editable" });
  });

  it("keeps a partner renamed twice in sync: each change of its details is a new update, an unchanged one a replay", async () => {
    // The key used to be the last 40 characters of the parameters' base64: the
    // metadata at the end, so two names of the same length shared a key and Stripe refused the second.
    const hooks = { customerCreated: async () => {}, invoiceCreated: async () => {}, itemCreated: async () => {} };
    const partner = {
      id: "org-renamed",
      name: "Atelier Nord",
      billingEmail: "compta@nord.example",
      billingAddress: "1 rue du Nord, 75018 Paris",
      siret: "83461297000015",
      vatNumber: null,
      paymentTermsDays: 30,
      stripeCustomerId: null,
    };
    const customerId = await ensureCustomer(partner, hooks);
    for (const name of ["Atelier Pont", "Atelier Parc", "Atelier Parc"]) {
      await ensureCustomer({ ...partner, name, stripeCustomerId: customerId }, hooks);
      const client = new Stripe("sk_test_direct", { host: "127.0.0.1", port: double.port, protocol: "http", maxNetworkRetries: 0 });
      expect((await client.customers.retrieve(customerId)) as Stripe.Customer).toMatchObject({ name });
    }
  });
});

describe("webhooks", () => {
  it("refuses a bad or stale signature with a 400", async () => {
    const payload = JSON.stringify({ id: "evt_forged", object: "event", type: "invoice.paid", data: { object: {} } });
    const forged = new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { "Stripe-Signature": "t=1,v1=deadbeef" } });
    expect((await post(forged)).status).toBe(400);
    expect((await post(signed(payload, Math.floor(Date.now() / 1000) - 3600))).status).toBe(400);
    expect(await db().stripeEvent.count({ where: { id: "evt_forged" } })).toBe(0);
  });

  it("ends in the right states when every event comes twice and in reverse order", async () => {
    const [paid, voided, credited, transferred, uncollectible] = await Promise.all(
      partners.slice(0, 5).map(async (p) => db().invoice.findFirstOrThrow({ where: { organisationId: p.organisationId } })),
    );
    double.payAsCustomer(paid!.stripeInvoiceId!);
    expect(await requestVoid(actor, voided!.id, "Facture en double")).toMatchObject({ ok: true });
    await processors.applyStatusChange("void", { invoiceId: voided!.id });
    const note = await requestCreditNote(actor, credited!.id, 1000, "Une heure facturée en trop");
    expect(note).toMatchObject({ ok: true });
    const creditNote = await db().creditNote.findFirstOrThrow({ where: { invoiceId: credited!.id } });
    await processors.applyCreditNote({ creditNoteId: creditNote.id });
    expect(await recordTransfer(actor, transferred!.id, { amountCents: transferred!.totalInclVatCents, reference: "VIR-123", receivedAt: new Date() })).toMatchObject({ ok: true });
    const payment = await db().payment.findFirstOrThrow({ where: { invoiceId: transferred!.id } });
    await processors.applyTransfer({ paymentId: payment.id });
    await stripeProvider.markUncollectible(uncollectible!.stripeInvoiceId!, uncollectible!.id);

    const events = [...double.events].reverse();
    for (const round of [1, 2]) {
      for (const event of events) {
        const response = await post(signed(JSON.stringify(event)));
        expect(response.status).toBe(200);
        const body = (await response.json()) as { duplicate?: boolean; ignored?: string };
        if (!body.ignored) expect(body.duplicate).toBe(round === 2);
      }
    }
    const stored = await db().stripeEvent.findMany({ orderBy: { receivedAt: "desc" } });
    expect(new Set(stored.map((s) => s.id)).size).toBe(stored.length);
    // The jobs, each twice, newest first.
    for (const _round of [1, 2]) for (const e of stored) await processors.processStripeEvent({ eventId: e.id });

    const state = async (id: string) => db().invoice.findUniqueOrThrow({ where: { id }, include: { payments: true } });
    expect((await state(paid!.id)).status).toBe("PAID");
    expect((await state(paid!.id)).payments).toHaveLength(1);
    expect((await state(paid!.id)).payments[0]!.amountCents).toBe(paid!.totalInclVatCents);
    expect((await state(voided!.id)).status).toBe("VOID");
    expect((await state(credited!.id)).status).toBe("OPEN");
    expect((await db().creditNote.findFirstOrThrow({ where: { invoiceId: credited!.id } })).stripeCreditNoteId).toMatch(/^cn_/);
    expect((await state(transferred!.id)).status).toBe("PAID");
    expect((await state(transferred!.id)).payments).toHaveLength(1);
    expect((await state(uncollectible!.id)).status).toBe("UNCOLLECTIBLE");
    expect(double.invoices.get(voided!.stripeInvoiceId!)!.status).toBe("void");
    expect(double.invoices.get(transferred!.stripeInvoiceId!)!.status).toBe("paid");
  });

  it("reconciliation catches an event no webhook delivered", async () => {
    const target = await db().invoice.findFirstOrThrow({ where: { organisationId: partners[5]!.organisationId } });
    double.payAsCustomer(target.stripeInvoiceId!); // the webhook is lost
    const result = await processors.reconcile();
    expect(result.recorded + result.updated).toBeGreaterThan(0);
    for (const e of await db().stripeEvent.findMany({ where: { processedAt: null } })) await processors.processStripeEvent({ eventId: e.id });
    expect((await db().invoice.findUniqueOrThrow({ where: { id: target.id } })).status).toBe("PAID");
  });
});
