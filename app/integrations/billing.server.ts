// Where invoices go once numbered: Stripe (STRIPE_SECRET_KEY and
// STRIPE_WEBHOOK_SECRET set) or the local provider (nothing leaves the app;
// payments are recorded by hand). The rest of the app sees only this interface.
//
// Every Stripe POST carries an Idempotency-Key derived from the database row
// it comes from, so a job retried after a crash gets Stripe's first answer
// back instead of a second customer, invoice or item.
import { createHash } from "node:crypto";
import { customFields, invoiceFooter } from "~/domain/invoicing/mentions.ts";
import { fromStripeStatus, type InvoiceStatus } from "~/domain/invoicing/status.ts";
import { Stripe, stripeCall, stripeConfigured, type StripeInvoice } from "./stripe.server.ts";

export type BillingOrganisation = {
  id: string;
  name: string;
  billingEmail: string | null;
  billingAddress: string | null;
  siret: string | null;
  vatNumber: string | null;
  paymentTermsDays: number;
  stripeCustomerId: string | null;
};

export type InvoiceDocument = {
  id: string;
  number: string;
  periodLabel: string; // "du 30 novembre 2026 au 6 décembre 2026": the days of the lines
  organisation: BillingOrganisation;
  stripeInvoiceId: string | null;
  lines: {
    id: string;
    description: string;
    amountExclVatCents: number;
    vatRateBasisPoints: number;
    purchaseOrderNumber: string | null;
    stripeItemId: string | null;
  }[];
};

/** Saves each provider id as soon as it exists, so a retry starts from there. */
export type PublishHooks = {
  customerCreated(organisationId: string, customerId: string): Promise<void>;
  invoiceCreated(invoiceId: string, stripeInvoiceId: string): Promise<void>;
  itemCreated(lineId: string, stripeItemId: string): Promise<void>;
};

export type ProviderInvoice = {
  providerInvoiceId: string | null;
  hostedInvoiceUrl: string | null;
  status: InvoiceStatus;
  amountPaidCents: number;
  metadataInvoiceId: string | null;
};

export interface BillingProvider {
  readonly name: "stripe" | "local";
  /** Sends a numbered invoice to the partner (finalised, with the partner's payment terms). */
  publish(doc: InvoiceDocument, hooks: PublishHooks): Promise<ProviderInvoice>;
  creditNote(doc: { creditNoteId: string; number: string; stripeInvoiceId: string | null; amountCents: number; reason: string }): Promise<{ providerCreditNoteId: string | null }>;
  voidInvoice(stripeInvoiceId: string | null, invoiceId: string): Promise<void>;
  markUncollectible(stripeInvoiceId: string | null, invoiceId: string): Promise<void>;
  /** A transfer received outside Stripe: Stripe stops chasing the partner. */
  paidOutOfBand(stripeInvoiceId: string | null, paymentId: string): Promise<void>;
  fetchInvoice(providerInvoiceId: string): Promise<ProviderInvoice | null>;
}

export function billingProvider(): BillingProvider {
  return stripeConfigured() ? stripeProvider : localProvider;
}

export const localProvider: BillingProvider = {
  name: "local",
  async publish() {
    return { providerInvoiceId: null, hostedInvoiceUrl: null, status: "OPEN", amountPaidCents: 0, metadataInvoiceId: null };
  },
  async creditNote() {
    return { providerCreditNoteId: null };
  },
  async voidInvoice() {},
  async markUncollectible() {},
  async paidOutOfBand() {},
  async fetchInvoice() {
    return null;
  },
};

// ------------------------------------------------------------------ Stripe

export function fromStripeInvoice(invoice: StripeInvoice): ProviderInvoice {
  return {
    providerInvoiceId: invoice.id ?? null,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    status: fromStripeStatus(invoice.status) ?? "DRAFT",
    amountPaidCents: invoice.amount_paid,
    metadataInvoiceId: invoice.metadata?.invoiceId ?? null,
  };
}

/** One tax rate per VAT rate, found by its metadata or created once (the key is the rate). */
const taxRates = new Map<number, Promise<string>>();
function taxRateId(basisPoints: number): Promise<string> {
  let id = taxRates.get(basisPoints);
  if (!id) {
    id = (async () => {
      const existing = await stripeCall((s) => s.taxRates.list({ active: true, limit: 100 }));
      const found = existing.data.find((t) => t.metadata?.basisPoints === String(basisPoints) && !t.inclusive);
      if (found) return found.id;
      const created = await stripeCall((s) =>
        s.taxRates.create(
          { display_name: "TVA", percentage: basisPoints / 100, inclusive: false, country: "FR", metadata: { basisPoints: String(basisPoints) } },
          { idempotencyKey: `tax-rate-fr-${basisPoints}` },
        ),
      );
      return created.id;
    })();
    id.catch(() => taxRates.delete(basisPoints));
    taxRates.set(basisPoints, id);
  }
  return id;
}

function customerParams(o: BillingOrganisation) {
  return {
    name: o.name,
    ...(o.billingEmail ? { email: o.billingEmail } : {}),
    ...(o.billingAddress ? { address: { line1: o.billingAddress.slice(0, 200), country: "FR" } } : {}),
    preferred_locales: ["fr"],
    metadata: { organisationId: o.id, siret: o.siret ?? "", vatNumber: o.vatNumber ?? "" },
  };
}

/**
 * The key of a customer update is a digest of its content: an unchanged partner
 * is a replay, a changed one a new request (a shared key with other parameters
 * is refused by Stripe, retries included).
 */
export const customerUpdateKey = (organisationId: string, params: object) => `customer-${organisationId}-${createHash("sha256").update(JSON.stringify(params)).digest("hex")}`;

export async function ensureCustomer(o: BillingOrganisation, hooks: PublishHooks): Promise<string> {
  const params = customerParams(o);
  if (o.stripeCustomerId) {
    await stripeCall((s) => s.customers.update(o.stripeCustomerId!, params, { idempotencyKey: customerUpdateKey(o.id, params) }));
    return o.stripeCustomerId;
  }
  const customer = await stripeCall((s) => s.customers.create(params, { idempotencyKey: `customer-${o.id}` }));
  await hooks.customerCreated(o.id, customer.id);
  return customer.id;
}

const isNotEditable = (error: unknown) => error instanceof Stripe.errors.StripeInvalidRequestError && (error.code === "invoice_not_editable" || error.code === "invoice_already_paid");

export const stripeProvider: BillingProvider = {
  name: "stripe",

  async publish(doc, hooks) {
    const customer = await ensureCustomer(doc.organisation, hooks);
    let stripeInvoiceId = doc.stripeInvoiceId;
    if (!stripeInvoiceId) {
      const purchaseOrders = [...new Set(doc.lines.map((l) => l.purchaseOrderNumber).filter((p): p is string => !!p))];
      const created = await stripeCall((s) =>
        s.invoices.create(
          {
            customer,
            collection_method: "send_invoice",
            days_until_due: doc.organisation.paymentTermsDays,
            number: doc.number,
            currency: "eur",
            auto_advance: false,
            pending_invoice_items_behavior: "exclude",
            description: `Prestations ${doc.periodLabel}`,
            custom_fields: customFields({ number: doc.number, purchaseOrders }),
            footer: invoiceFooter(doc.organisation.paymentTermsDays),
            metadata: { invoiceId: doc.id, number: doc.number },
          },
          { idempotencyKey: `invoice-${doc.id}` },
        ),
      );
      stripeInvoiceId = created.id!;
      await hooks.invoiceCreated(doc.id, stripeInvoiceId);
    }
    for (const line of doc.lines) {
      if (line.stripeItemId) continue;
      const rate = await taxRateId(line.vatRateBasisPoints);
      try {
        const item = await stripeCall((s) =>
          s.invoiceItems.create(
            {
              customer,
              invoice: stripeInvoiceId!,
              amount: line.amountExclVatCents,
              currency: "eur",
              description: line.description.slice(0, 500),
              tax_rates: [rate],
              metadata: { invoiceLineId: line.id, ...(line.purchaseOrderNumber ? { purchaseOrder: line.purchaseOrderNumber } : {}) },
            },
            { idempotencyKey: `invoice-line-${line.id}` },
          ),
        );
        await hooks.itemCreated(line.id, item.id);
      } catch (error) {
        if (!isNotEditable(error)) throw error; // already finalised: the items went in before
        break;
      }
    }
    try {
      await stripeCall((s) => s.invoices.finalizeInvoice(stripeInvoiceId!, { auto_advance: false }, { idempotencyKey: `invoice-finalize-${doc.id}` }));
    } catch (error) {
      if (!isNotEditable(error)) throw error; // finalised by an earlier attempt
    }
    let sent: StripeInvoice;
    try {
      sent = await stripeCall((s) => s.invoices.sendInvoice(stripeInvoiceId!, {}, { idempotencyKey: `invoice-send-${doc.id}` }));
    } catch (error) {
      if (!isNotEditable(error)) throw error;
      sent = await stripeCall((s) => s.invoices.retrieve(stripeInvoiceId!));
    }
    return fromStripeInvoice(sent);
  },

  async creditNote(doc) {
    if (!doc.stripeInvoiceId) return { providerCreditNoteId: null };
    const note = await stripeCall((s) =>
      s.creditNotes.create(
        { invoice: doc.stripeInvoiceId!, amount: doc.amountCents, memo: `${doc.number} — ${doc.reason}`.slice(0, 500), metadata: { creditNoteId: doc.creditNoteId, number: doc.number } },
        { idempotencyKey: `credit-note-${doc.creditNoteId}` },
      ),
    );
    return { providerCreditNoteId: note.id };
  },

  async voidInvoice(stripeInvoiceId, invoiceId) {
    if (!stripeInvoiceId) return;
    try {
      await stripeCall((s) => s.invoices.voidInvoice(stripeInvoiceId, {}, { idempotencyKey: `invoice-void-${invoiceId}` }));
    } catch (error) {
      if (!isNotEditable(error)) throw error;
    }
  },

  async markUncollectible(stripeInvoiceId, invoiceId) {
    if (!stripeInvoiceId) return;
    try {
      await stripeCall((s) => s.invoices.markUncollectible(stripeInvoiceId, {}, { idempotencyKey: `invoice-uncollectible-${invoiceId}` }));
    } catch (error) {
      if (!isNotEditable(error)) throw error;
    }
  },

  async paidOutOfBand(stripeInvoiceId, paymentId) {
    if (!stripeInvoiceId) return;
    try {
      await stripeCall((s) => s.invoices.pay(stripeInvoiceId, { paid_out_of_band: true }, { idempotencyKey: `invoice-transfer-${paymentId}` }));
    } catch (error) {
      if (!isNotEditable(error)) throw error;
    }
  },

  async fetchInvoice(providerInvoiceId) {
    try {
      return fromStripeInvoice(await stripeCall((s) => s.invoices.retrieve(providerInvoiceId)));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
      throw error;
    }
  },
};

/** Recent events of the allowed types (newest first), for reconciliation. */
/** The Stripe events the app acts on: the webhook stores them, the reconciliation fetches those a webhook missed. */
export const STRIPE_EVENT_TYPES: readonly string[] = [
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "invoice.marked_uncollectible",
  "credit_note.created",
  "customer.updated",
];

export async function listRecentStripeEvents(types: readonly string[], sinceSeconds: number) {
  const events: Stripe.Event[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await stripeCall((s) =>
      s.events.list({ types: [...types], created: { gte: Math.floor(Date.now() / 1000) - sinceSeconds }, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
    );
    events.push(...page.data);
    if (!page.has_more || page.data.length === 0 || events.length >= 5000) return events;
    startingAfter = page.data[page.data.length - 1]!.id;
  }
}
