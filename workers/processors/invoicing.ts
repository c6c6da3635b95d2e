import type { Job } from "bullmq";
import {
  applyProviderInvoice,
  attachStripeCreditNote,
  claimNumber,
  claimNumbers,
  getStripeEvent,
  invoicesToReconcile,
  knownStripeEventIds,
  listInvoicesToIssue,
  listNumbered,
  listOrganisationsToInvoice,
  loadCreditNoteForProvider,
  loadInvoiceDocument,
  loadInvoiceForProvider,
  loadPaymentForProvider,
  markPublished,
  markStripeEventProcessed,
  prepareDraft,
  publishHooks,
  recordStripeEvent,
  type DraftResult,
} from "~/data/invoicing.server.ts";
import { missingFieldsOf } from "~/data/einvoicing.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { FINAL_SKIPS } from "~/domain/invoicing/lines.ts";
import { isFirstWorkingDay, monthOf, previousMonth } from "~/domain/invoicing/period.ts";
import { billingProvider, fromStripeInvoice, listRecentStripeEvents, localProvider, STRIPE_EVENT_TYPES, stripeProvider, type BillingProvider } from "~/integrations/billing.server.ts";
import type { JobPayload } from "~/queues/registry.ts";
import { eachLimited } from "~/utils/each-limited.ts";
import { formatCount, plural } from "~/utils/format.ts";

// The invoicing jobs. Each is safe to run again after a crash at any point:
// drafts are unique per partner and month, numbers are taken once, and every
// Stripe call carries a key derived from the row it comes from.

const providerNamed = (name: string): BillingProvider => (name === "stripe" ? stripeProvider : localProvider);

export async function prepareRun(payload: { month: string; organisationId?: string }, job?: Job) {
  const rules = await getServiceRules();
  const organisations = await listOrganisationsToInvoice(payload.month, payload.organisationId);
  const results = await eachLimited(
    organisations,
    4,
    (id) => prepareDraft(id, payload.month, rules),
    async (done) => void (await job?.updateProgress(Math.round((done / Math.max(1, organisations.length)) * 100))),
  );
  await job?.updateProgress(100);
  const drafts = results.filter((r): r is PromiseFulfilledResult<DraftResult> => r.status === "fulfilled").map((r) => r.value);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
  return {
    step: "prepare",
    month: payload.month,
    drafts: drafts.filter((d) => d.outcome === "created" || d.outcome === "refreshed").length,
    alreadyIssued: drafts.filter((d) => d.outcome === "issued").length,
    waiting: drafts.reduce((s, d) => s + d.skipped.filter((x) => !FINAL_SKIPS.includes(x.reason)).length, 0),
  };
}

/** Numbers, publishes and marks one invoice; picks up where an earlier attempt stopped. */
export async function issueInvoice(invoiceId: string, numbered = false) {
  if (!numbered) {
    // A draft missing a mandatory field of the e-invoice is never numbered (the number would be lost).
    const problems = (await missingFieldsOf([invoiceId])).get(invoiceId);
    if (problems) throw new Error(`Facture non émise : ${problems.map((p) => p.message).join(" ; ")}`);
    await claimNumber(invoiceId, billingProvider().name);
  }
  const doc = await loadInvoiceDocument(invoiceId);
  if (doc.status !== "DRAFT") return doc.status;
  const provider = providerNamed(doc.provider);
  const published = await provider.publish(
    { id: doc.id, number: doc.number, periodLabel: doc.periodLabel, organisation: doc.organisation, stripeInvoiceId: doc.stripeInvoiceId, lines: doc.lines },
    publishHooks,
  );
  await markPublished(invoiceId, published);
  return published.status;
}

export async function issueRun(payload: { month: string; organisationId?: string }, job?: Job) {
  const candidates = await listInvoicesToIssue(payload.month, payload.organisationId);
  // Drafts missing a mandatory field of the e-invoice (a partner's SIRET, a site's
  // address, ...) stay drafts: finance reads which field on which record in the report.
  // A draft numbered by an interrupted run goes on: its number must not be lost.
  const numberedAlready = new Set(await listNumbered(candidates));
  const problems = await missingFieldsOf(candidates.filter((id) => !numberedAlready.has(id)));
  const ids = candidates.filter((id) => !problems.has(id));
  const blocked = [...problems.entries()].map(([invoiceId, list]) => ({ invoiceId, problems: list.map((p) => p.message) }));
  // Numbers first, one after the other in this run's order (gapless, chronological),
  // then the sending, many at a time: no invoice waits on another's lock while Stripe answers.
  await claimNumbers(ids, billingProvider().name);
  // Stripe is the limit (its rate, paced in stripeCall), not this: enough in flight to keep it busy.
  const results = await eachLimited(
    ids,
    16,
    (id) => issueInvoice(id, true),
    async (done) => void (await job?.updateProgress(Math.round((done / Math.max(1, ids.length)) * 100))),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length > 0) {
    // The job is retried (with backoff): what was issued stays issued, the rest is taken up again.
    const reason = failed[0]!.reason instanceof Error ? failed[0]!.reason.message : String(failed[0]!.reason);
    throw new Error(`${formatCount(failed.length, "facture")} non ${plural(failed.length, "émise")} sur ${ids.length} : ${reason}`);
  }
  await job?.updateProgress(100);
  return { step: "issue", month: payload.month, issued: ids.length, blocked };
}

/** The job scheduler's daily tick (days 1–7, 07:00 Paris): on the first working day, last month's drafts. */
export async function monthlyTick(job?: Job, now = new Date()) {
  if (!isFirstWorkingDay(now)) return { skipped: true };
  return prepareRun({ month: previousMonth(monthOf(now)) }, job);
}

export async function applyCreditNote(payload: JobPayload<"invoicing", "credit-note">) {
  const note = await loadCreditNoteForProvider(payload.creditNoteId);
  if (!note || note.stripeCreditNoteId) return { skipped: true };
  const result = await providerNamed(note.invoice.provider).creditNote({
    creditNoteId: note.id,
    number: note.number,
    stripeInvoiceId: note.invoice.stripeInvoiceId,
    amountCents: note.amountCents,
    reason: note.reason,
  });
  if (result.providerCreditNoteId) await attachStripeCreditNote(note.id, result.providerCreditNoteId);
  return { skipped: false };
}

export async function applyStatusChange(kind: "void" | "uncollectible", payload: { invoiceId: string }) {
  const invoice = await loadInvoiceForProvider(payload.invoiceId);
  if (!invoice) return { skipped: true };
  const provider = providerNamed(invoice.provider);
  if (kind === "void") await provider.voidInvoice(invoice.stripeInvoiceId, invoice.id);
  else await provider.markUncollectible(invoice.stripeInvoiceId, invoice.id);
  return { skipped: false };
}

export async function applyTransfer(payload: JobPayload<"invoicing", "transfer">) {
  const payment = await loadPaymentForProvider(payload.paymentId);
  if (!payment) return { skipped: true };
  await providerNamed(payment.invoice.provider).paidOutOfBand(payment.invoice.stripeInvoiceId, payment.id);
  return { skipped: false };
}

/** Applies one stored webhook event. Invoice events re-fetch the invoice: the latest state wins, whatever the order. */
export async function processStripeEvent(payload: JobPayload<"stripe", "event">) {
  const event = await getStripeEvent(payload.eventId);
  if (!event || event.processedAt) return { skipped: true };
  const object = (event.payload as { data?: { object?: Record<string, unknown> } }).data?.object ?? {};
  if (event.type.startsWith("invoice.") && typeof object.id === "string") {
    const fetched = (await stripeProvider.fetchInvoice(object.id)) ?? fromStripeInvoice(object as never);
    await applyProviderInvoice(fetched);
  } else if (event.type === "credit_note.created") {
    const creditNoteId = (object.metadata as Record<string, string> | undefined)?.creditNoteId;
    if (creditNoteId && typeof object.id === "string") await attachStripeCreditNote(creditNoteId, object.id);
    if (typeof object.invoice === "string") {
      const fetched = await stripeProvider.fetchInvoice(object.invoice);
      if (fetched) await applyProviderInvoice(fetched);
    }
  }
  // customer.updated: the app is the source of the partner's details (synced at every issue); nothing to apply.
  await markStripeEventProcessed(event.id);
  return { skipped: false, type: event.type };
}

/** Catches what a webhook missed: recent events not stored yet, open invoices whose state moved, interrupted issues. */
export async function reconcile() {
  const events = await listRecentStripeEvents(STRIPE_EVENT_TYPES, 3 * 86_400);
  const known = await knownStripeEventIds(events.map((e) => e.id));
  let recorded = 0;
  for (const event of events.reverse()) {
    if (known.has(event.id)) continue;
    if ((await recordStripeEvent({ id: event.id, type: event.type, payload: event })) === "new") recorded++;
  }
  let updated = 0;
  let reissued = 0;
  for (const invoice of await invoicesToReconcile(new Date(Date.now() - 180 * 86_400_000))) {
    if (invoice.status === "DRAFT") {
      await issueInvoice(invoice.id);
      reissued++;
    } else if (invoice.stripeInvoiceId) {
      const fetched = await stripeProvider.fetchInvoice(invoice.stripeInvoiceId);
      if (fetched && fetched.status !== invoice.status && (await applyProviderInvoice(fetched)) !== invoice.status) updated++;
    }
  }
  return { recorded, updated, reissued };
}
