import type { Actor } from "~/domain/access/roles.ts";
import { buildDraftInvoice, creditNoteSeries, formatNumber, internalSeries, invoiceSeries, type BillableIntervention, type BillingRules } from "~/domain/invoicing/lines.ts";
import { billingWindow, monthBounds, parisDate, type Month } from "~/domain/invoicing/period.ts";
import { amountDueCents, CREDITABLE, interventionStatusFor, isInvoiceIn, MAY_BECOME_UNCOLLECTIBLE, mergeStatus, PAYABLE, VOIDABLE, type InvoiceStatus } from "~/domain/invoicing/status.ts";
import { inWorkOrder, linePricing, servicePeriod } from "~/domain/invoicing/document-lines.ts";
import { formatDate, formatEuros } from "~/utils/format.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { jobIdFor } from "~/queues/registry.ts";
import { audit } from "./audit.server.ts";
import { releaseClaims, settlementsFor } from "./billing-claims.server.ts";
import { db, readLagTolerant, type Tx } from "./db.server.ts";
import { enqueueDocument, sellerProblems } from "./einvoicing.server.ts";
import { enqueuePaymentReport } from "./einvoicing-transmission.server.ts";
import { queueNotification } from "./notifications.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { AWAITING_PAYMENT, BILLABLE } from "~/domain/requests/status.ts";

// Invoicing's data: drafts from the month's interventions, gapless numbers,
// provider ids saved as they come, webhook events stored once, corrections,
// and the finance views. Only finance and admin reach the writes (routes check).

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

// ------------------------------------------------------------------ drafts

/** Organisations with something to bill (or a draft to refresh) in the month. */
export async function listOrganisationsToInvoice(month: Month, organisationId?: string): Promise<string[]> {
  const { periodStart } = monthBounds(month);
  const { from, to } = billingWindow(month);
  const rows = await db().organisation.findMany({
    where: {
      ...(organisationId ? { id: organisationId } : {}),
      kind: { in: ["PARTNER", "INTERNAL"] },
      OR: [{ interventions: { some: { startsAt: { gte: from, lt: to }, status: { in: [...BILLABLE] }, billingClaim: null } } }, { invoices: { some: { periodStart, status: "DRAFT" } } }],
    },
    select: { id: true },
    orderBy: { name: "asc" },
  });
  return rows.map((r) => r.id);
}

async function loadBillable(tx: Tx, organisationId: string, month: Month): Promise<BillableIntervention[]> {
  // The month, and earlier work still unbilled (a settled dispute, a voided invoice).
  const { from, to } = billingWindow(month);
  const rows = await tx.intervention.findMany({
    where: { organisationId, startsAt: { gte: from, lt: to }, status: { in: [...BILLABLE] }, billingClaim: null },
    select: {
      id: true,
      startsAt: true,
      status: true,
      cancelledAt: true,
      durationMinutes: true,
      participantsNeeded: true,
      site: { select: { name: true } },
      serviceRequest: {
        select: { unitPriceCents: true, vatRateBasisPoints: true, purchaseOrderNumber: true, prestation: { select: { name: true, pricingUnit: true } } },
      },
    },
  });
  const ids = rows.map((r) => r.id);
  // One query at a time: a transaction has one connection.
  const entries = await tx.timeEntry.findMany({ where: { interventionId: { in: ids } }, select: { interventionId: true, minutesWorked: true, absent: true } });
  const { open: disputed, settled } = await settlementsFor(tx, ids);
  return rows.map((r) => ({
    id: r.id,
    startsAt: r.startsAt,
    status: r.status as "DONE" | "CANCELLED",
    cancelledAt: r.cancelledAt,
    siteName: r.site.name,
    prestationName: r.serviceRequest.prestation.name,
    pricingUnit: r.serviceRequest.prestation.pricingUnit,
    unitPriceCents: r.serviceRequest.unitPriceCents,
    vatRateBasisPoints: r.serviceRequest.vatRateBasisPoints,
    purchaseOrderNumber: r.serviceRequest.purchaseOrderNumber,
    durationMinutes: r.durationMinutes,
    participantsNeeded: r.participantsNeeded,
    timeEntries: entries.filter((e) => e.interventionId === r.id),
    openDispute: disputed.has(r.id),
    settlement: settled.get(r.id) ?? null,
  }));
}

export type DraftResult = {
  organisationId: string;
  outcome: "created" | "refreshed" | "issued" | "empty";
  invoiceId: string | null;
  lines: number;
  skipped: { interventionId: string; reason: string }[];
};

/**
 * Builds (or rebuilds, while still a draft) one organisation's invoice for the
 * month. Nothing leaves the app: a draft is a preview. Safe to run twice and
 * in parallel: the invoice is unique per organisation, kind and period, and an
 * intervention is on one line at most.
 */
export async function prepareDraft(organisationId: string, month: Month, rules: BillingRules): Promise<DraftResult> {
  const { periodStart, periodEnd } = monthBounds(month);
  try {
    return await db().$transaction(async (tx) => {
      const organisation = await tx.organisation.findUniqueOrThrow({ where: { id: organisationId }, select: { kind: true } });
      const kind = organisation.kind === "INTERNAL" ? "INTERNAL_STATEMENT" : "INVOICE";
      // A voided invoice of the month stays as it is; its replacement is a new invoice.
      const existing = await tx.invoice.findFirst({ where: { organisationId, kind, periodStart, status: { not: "VOID" } }, select: { id: true, status: true, number: true } });
      if (existing && (existing.status !== "DRAFT" || existing.number)) return { organisationId, outcome: "issued" as const, invoiceId: existing.id, lines: 0, skipped: [] };
      if (existing) await tx.invoiceLine.deleteMany({ where: { invoiceId: existing.id } });
      const draft = buildDraftInvoice(await loadBillable(tx, organisationId, month), rules);
      if (draft.lines.length === 0) {
        if (existing) await tx.invoice.delete({ where: { id: existing.id } });
        return { organisationId, outcome: "empty" as const, invoiceId: null, lines: 0, skipped: draft.skipped };
      }
      const totals = {
        totalExclVatCents: draft.totals.exclVatCents,
        vatCents: draft.totals.vatCents,
        totalInclVatCents: draft.totals.inclVatCents,
        insertionMinutes: draft.insertionMinutes,
      };
      const invoice = existing
        ? await tx.invoice.update({ where: { id: existing.id }, data: totals, select: { id: true } })
        : await tx.invoice.create({ data: { organisationId, kind, periodStart, periodEnd, provider: "pending", ...totals }, select: { id: true } });
      const lineIds = draft.lines.map(() => crypto.randomUUID());
      await tx.invoiceLine.createMany({
        data: draft.lines.map((l, k) => ({
          id: lineIds[k],
          invoiceId: invoice.id,
          interventionId: l.interventionId,
          description: l.description,
          quantity: l.quantity,
          unitPriceCents: l.unitPriceCents,
          vatRateBasisPoints: l.vatRateBasisPoints,
          amountExclVatCents: l.exclVatCents,
          vatCents: l.vatCents,
          purchaseOrderNumber: l.purchaseOrderNumber,
        })),
      });
      // Each line claims its intervention: a second live line for it is refused by the database.
      await tx.billingClaim.createMany({ data: draft.lines.map((l, k) => ({ interventionId: l.interventionId, invoiceLineId: lineIds[k]! })) });
      return { organisationId, outcome: existing ? ("refreshed" as const) : ("created" as const), invoiceId: invoice.id, lines: draft.lines.length, skipped: draft.skipped };
    });
  } catch (error) {
    // Another run built the same draft at the same moment: theirs stands.
    if (isUniqueViolation(error)) return { organisationId, outcome: "issued", invoiceId: null, lines: 0, skipped: [] };
    throw error;
  }
}

// ------------------------------------------------------------------ issue

/** Drafts of the month still to issue (including those numbered by an interrupted run). */
export async function listInvoicesToIssue(month: Month, organisationId?: string) {
  const { periodStart } = monthBounds(month);
  const rows = await db().invoice.findMany({
    where: { periodStart, status: "DRAFT", ...(organisationId ? { organisationId } : {}) },
    select: { id: true },
    orderBy: [{ number: { sort: "asc", nulls: "last" } }, { organisation: { name: "asc" } }],
  });
  return rows.map((r) => r.id);
}

/** Those of the given invoices that already have their number (a run interrupted after numbering). */
export async function listNumbered(invoiceIds: string[]) {
  if (invoiceIds.length === 0) return [];
  const rows = await db().invoice.findMany({ where: { id: { in: invoiceIds }, number: { not: null } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/**
 * The next `count` numbers of a series (invoices, credit notes, internal
 * statements), in order. The series' counter row stays locked (INSERT … ON
 * CONFLICT DO UPDATE) until the caller's transaction commits: numbers follow
 * the order of issue with no gap, whatever the number of workers, and a
 * transaction rolled back gives its numbers back.
 */
async function reserveNumbers(tx: Tx, series: string, count: number): Promise<string[]> {
  const [counter] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "InvoiceNumberCounter" (series, last) VALUES (${series}, ${count})
    ON CONFLICT (series) DO UPDATE SET last = "InvoiceNumberCounter".last + ${count} RETURNING last`;
  const first = counter!.last - count + 1;
  return Array.from({ length: count }, (_, i) => formatNumber(series, first + i));
}

/**
 * Gives the invoice its number, once: the series' counter row is locked
 * (INSERT … ON CONFLICT DO UPDATE) until the transaction commits, so numbers
 * follow the order of issue with no gap, whatever the number of workers.
 */
export async function claimNumber(invoiceId: string, providerName: "stripe" | "local", now = () => new Date()) {
  return db().$transaction(async (tx) => {
    const [invoice] = await tx.$queryRaw<{ id: string; number: string | null; kind: string; organisationId: string }[]>`
      SELECT id, number, kind, "organisationId" FROM "Invoice" WHERE id = ${invoiceId} FOR UPDATE`;
    if (!invoice) throw new Error(`Invoice ${invoiceId} not found`);
    if (invoice.number) return invoice.number;
    const year = Number(parisDate(now()).slice(0, 4));
    const series = invoice.kind === "INTERNAL_STATEMENT" ? internalSeries(year) : invoiceSeries(year);
    const [number] = await reserveNumbers(tx, series, 1);
    const issuedAt = now();
    const organisation = await tx.organisation.findUniqueOrThrow({ where: { id: invoice.organisationId }, select: { paymentTermsDays: true } });
    await tx.invoice.update({
      where: { id: invoiceId },
      data: {
        number,
        issuedAt,
        dueAt: invoice.kind === "INTERNAL_STATEMENT" ? null : new Date(issuedAt.getTime() + organisation.paymentTermsDays * 86_400_000),
        provider: invoice.kind === "INTERNAL_STATEMENT" ? "local" : providerName,
      },
    });
    await audit({ action: "invoice.numbered", outcome: "ok", organisationId: invoice.organisationId, entityType: "Invoice", entityId: invoiceId, details: { number } }, tx);
    return number;
  });
}

/**
 * Numbers a run's invoices at once, in the given order: one lock per series,
 * one counter step, one update. Same guarantees as claimNumber (gapless,
 * chronological), without a lock taken and released per invoice.
 */
export async function claimNumbers(invoiceIds: string[], providerName: "stripe" | "local", now = () => new Date()) {
  if (invoiceIds.length === 0) return;
  await db().$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; kind: string; organisationId: string; paymentTermsDays: number }[]>`
        SELECT i.id, i.kind, i."organisationId", o."paymentTermsDays" FROM "Invoice" i JOIN "Organisation" o ON o.id = i."organisationId"
        WHERE i.id = ANY(${invoiceIds}::text[]) AND i.number IS NULL
        ORDER BY array_position(${invoiceIds}::text[], i.id) FOR UPDATE OF i`;
      if (rows.length === 0) return;
      const year = Number(parisDate(now()).slice(0, 4));
      const seriesOf = (kind: string) => (kind === "INTERNAL_STATEMENT" ? internalSeries(year) : invoiceSeries(year));
      // Each series' numbers, in the run's order.
      const numbers = new Map<string, string[]>();
      for (const series of new Set(rows.map((r) => seriesOf(r.kind)))) {
        numbers.set(series, await reserveNumbers(tx, series, rows.filter((r) => seriesOf(r.kind) === series).length));
      }
      const issuedAt = now();
      const values = rows.map((r) => {
        const internal = r.kind === "INTERNAL_STATEMENT";
        return {
          id: r.id,
          organisationId: r.organisationId,
          number: numbers.get(seriesOf(r.kind))!.shift()!,
          dueAt: internal ? null : new Date(issuedAt.getTime() + r.paymentTermsDays * 86_400_000),
          provider: internal ? "local" : providerName,
        };
      });
      await tx.$executeRaw`
        UPDATE "Invoice" AS i SET number = v.number, "issuedAt" = ${issuedAt}, "dueAt" = v.due, provider = v.provider
        FROM unnest(${values.map((v) => v.id)}::text[], ${values.map((v) => v.number)}::text[], ${values.map((v) => v.dueAt)}::timestamp[], ${values.map((v) => v.provider)}::text[]) AS v(id, number, due, provider)
        WHERE i.id = v.id`;
      await tx.auditLog.createMany({
        data: values.map((v) => ({ action: "invoice.numbered", outcome: "ok", organisationId: v.organisationId, entityType: "Invoice", entityId: v.id, details: { number: v.number } })),
      });
    },
    { timeout: 60_000 },
  );
}

/** What a provider needs to publish one numbered invoice. */
export async function loadInvoiceDocument(invoiceId: string) {
  const invoice = await db().invoice.findUniqueOrThrow({
    where: { id: invoiceId },
    select: {
      id: true,
      number: true,
      kind: true,
      provider: true,
      status: true,
      periodStart: true,
      periodEnd: true,
      stripeInvoiceId: true,
      organisation: {
        select: { id: true, name: true, billingEmail: true, billingAddress: true, siret: true, vatNumber: true, paymentTermsDays: true, stripeCustomerId: true },
      },
      lines: {
        select: { id: true, description: true, amountExclVatCents: true, vatRateBasisPoints: true, purchaseOrderNumber: true, stripeItemId: true, intervention: { select: { startsAt: true } } },
      },
    },
  });
  // The lines and the period as every other copy of the invoice shows them (document-lines.ts).
  const lines = inWorkOrder(invoice.lines.map(({ intervention, ...l }) => ({ ...l, performedAt: intervention?.startsAt ?? null })));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const period = servicePeriod(
    lines.map((l) => (l.performedAt ? parisDate(l.performedAt) : null)),
    { start: iso(invoice.periodStart), end: iso(invoice.periodEnd) },
  );
  return { ...invoice, lines, number: invoice.number!, periodLabel: `du ${formatDate(`${period.start}T12:00:00Z`)} au ${formatDate(`${period.end}T12:00:00Z`)}` };
}

export const publishHooks = {
  async customerCreated(organisationId: string, customerId: string) {
    await db().organisation.updateMany({ where: { id: organisationId, stripeCustomerId: null }, data: { stripeCustomerId: customerId } });
  },
  async invoiceCreated(invoiceId: string, stripeInvoiceId: string) {
    await db().invoice.updateMany({ where: { id: invoiceId, stripeInvoiceId: null }, data: { stripeInvoiceId } });
  },
  async itemCreated(lineId: string, stripeItemId: string) {
    await db().invoiceLine.updateMany({ where: { id: lineId, stripeItemId: null }, data: { stripeItemId } });
  },
};

/** The invoice is with the partner: open (or further), and its interventions are invoiced. */
export async function markPublished(invoiceId: string, published: { hostedInvoiceUrl: string | null; status: InvoiceStatus }) {
  await db().$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ status: InvoiceStatus; organisationId: string }[]>`
      SELECT status, "organisationId" FROM "Invoice" WHERE id = ${invoiceId} FOR UPDATE`;
    const status = mergeStatus(current!.status, published.status === "DRAFT" ? "OPEN" : published.status);
    await tx.invoice.update({ where: { id: invoiceId }, data: { status, hostedInvoiceUrl: published.hostedInvoiceUrl ?? undefined } });
    const lines = await tx.invoiceLine.findMany({ where: { invoiceId, interventionId: { not: null } }, select: { interventionId: true } });
    await tx.intervention.updateMany({
      where: { id: { in: lines.map((l) => l.interventionId!) }, status: "DONE" },
      data: { status: interventionStatusFor(status) ?? "INVOICED" },
    });
    if (current!.status === "DRAFT") {
      await audit({ action: "invoice.issued", outcome: "ok", organisationId: current!.organisationId, entityType: "Invoice", entityId: invoiceId, details: { status } }, tx);
      // Its legal document (Factur-X, or the internal statement), generated once by a job.
      await enqueueDocument(tx, { invoiceId });
    }
  });
}

// ------------------------------------------------------------------ Stripe events

/** Stores a verified webhook event once (its id is the key) with its job, in one transaction. */
export async function recordStripeEvent(event: { id: string; type: string; payload: unknown }): Promise<"new" | "duplicate"> {
  try {
    await db().$transaction(async (tx) => {
      await tx.stripeEvent.create({ data: { id: event.id, type: event.type, payload: event.payload as Prisma.InputJsonValue } });
      await addToOutbox(tx, "stripe", "event", `stripe-event:${event.id}`, { eventId: event.id });
    });
    return "new";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

export async function getStripeEvent(id: string) {
  return db().stripeEvent.findUnique({ where: { id } });
}

export async function markStripeEventProcessed(id: string) {
  await db().stripeEvent.updateMany({ where: { id, processedAt: null }, data: { processedAt: new Date() } });
}

export async function knownStripeEventIds(ids: string[]) {
  const rows = await db().stripeEvent.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/**
 * Applies the state of an invoice as Stripe reports it now (fetched, so the
 * order events arrive in does not matter). Statuses only move forward; a
 * payment through Stripe is recorded once.
 */
export async function applyProviderInvoice(state: {
  providerInvoiceId: string | null;
  metadataInvoiceId: string | null;
  status: InvoiceStatus;
  amountPaidCents: number;
  hostedInvoiceUrl: string | null;
}) {
  return db().$transaction(async (tx) => {
    const invoice = await tx.invoice.findFirst({
      where: { OR: [{ stripeInvoiceId: state.providerInvoiceId ?? "-" }, { id: state.metadataInvoiceId ?? "-" }] },
      select: { id: true },
    });
    if (!invoice) return null;
    const [current] = await tx.$queryRaw<{ status: InvoiceStatus; organisationId: string; stripeInvoiceId: string | null }[]>`
      SELECT status, "organisationId", "stripeInvoiceId" FROM "Invoice" WHERE id = ${invoice.id} FOR UPDATE`;
    // A draft is the app's to publish (number, lines): the issue job moves it on, not an event.
    if (current!.status === "DRAFT" && state.status === "DRAFT") return current!.status;
    const status = current!.status === "DRAFT" ? mergeStatus("OPEN", state.status) : mergeStatus(current!.status, state.status);
    const data: Prisma.InvoiceUpdateInput = { status };
    if (!current!.stripeInvoiceId && state.providerInvoiceId) data.stripeInvoiceId = state.providerInvoiceId;
    if (state.hostedInvoiceUrl) data.hostedInvoiceUrl = state.hostedInvoiceUrl;
    if (status === "PAID" && current!.status !== "PAID") {
      data.paidAt = new Date();
      const already = await tx.payment.findFirst({ where: { invoiceId: invoice.id, method: "stripe" }, select: { id: true } });
      if (!already && state.amountPaidCents > 0) {
        const payment = await tx.payment.create({ data: { invoiceId: invoice.id, amountCents: state.amountPaidCents, method: "stripe", reference: state.providerInvoiceId, receivedAt: new Date() } });
        await enqueuePaymentReport(tx, payment.id); // Encaissée, sent to the accredited platform
      }
    }
    await tx.invoice.update({ where: { id: invoice.id }, data });
    if (status !== current!.status) {
      if (status === "VOID") await releaseClaims(tx, invoice.id);
      await setInterventionsFor(tx, invoice.id, status);
      await audit(
        {
          action: "invoice.status_changed",
          outcome: "ok",
          organisationId: current!.organisationId,
          entityType: "Invoice",
          entityId: invoice.id,
          details: { from: current!.status, to: status, source: "stripe" },
        },
        tx,
      );
    }
    return status;
  });
}

async function setInterventionsFor(tx: Tx, invoiceId: string, status: InvoiceStatus) {
  const next = interventionStatusFor(status);
  if (!next) return;
  const lines = await tx.invoiceLine.findMany({ where: { invoiceId, interventionId: { not: null } }, select: { interventionId: true } });
  await tx.intervention.updateMany({
    where: { id: { in: lines.map((l) => l.interventionId!) }, status: { in: [...AWAITING_PAYMENT] } },
    data: { status: next },
  });
}

export async function attachStripeCreditNote(creditNoteId: string, stripeCreditNoteId: string) {
  await db().creditNote.updateMany({ where: { id: creditNoteId, stripeCreditNoteId: null }, data: { stripeCreditNoteId } });
}

/** Invoices to check against Stripe: still open, or numbered but never published (an interrupted run). */
export async function invoicesToReconcile(since: Date) {
  return db().invoice.findMany({
    where: {
      provider: "stripe",
      OR: [
        { status: { in: [...PAYABLE] }, issuedAt: { gte: since } },
        { status: "DRAFT", number: { not: null } },
      ],
    },
    select: { id: true, status: true, stripeInvoiceId: true, periodStart: true },
  });
}

// ------------------------------------------------------------------ runs and corrections (finance)

export type RunStep = "prepare" | "issue";

/** Records a run asked by a person (audited); the worker picks it up from the outbox. Returns its job id. */
/** Minutes the encadrants recorded (absences excluded) on a month's interventions (Paris), for one partner or all. */
export async function recordedMinutesInMonth(month: Month, organisationId?: string): Promise<number> {
  const { from, to } = monthBounds(month);
  const recorded = await db().timeEntry.aggregate({
    where: { absent: false, intervention: { startsAt: { gte: from, lt: to }, ...(organisationId ? { organisationId } : {}) } },
    _sum: { minutesWorked: true },
  });
  return recorded._sum.minutesWorked ?? 0;
}

export async function requestInvoiceRun(actor: Actor, input: { step: RunStep; month: Month; organisationId?: string; runKey: string }) {
  const businessKey = `invoicing-${input.step}:${input.runKey}`;
  await db().$transaction(async (tx) => {
    await addToOutbox(tx, "invoicing", input.step, businessKey, { month: input.month, organisationId: input.organisationId, runKey: input.runKey });
    await audit(
      {
        action: `invoicing.${input.step}_requested`,
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: input.organisationId ?? null,
        entityType: "InvoiceRun",
        entityId: input.runKey,
        details: { month: input.month },
      },
      tx,
    );
  });
  return jobIdFor("invoicing", businessKey);
}

export type CorrectionResult = { ok: true; message: string } | { ok: false; field?: string; message: string };

async function invoiceForCorrection(tx: Tx, invoiceId: string) {
  const [row] = await tx.$queryRaw<{ id: string; status: InvoiceStatus; kind: string; organisationId: string; totalInclVatCents: number; number: string | null }[]>`
    SELECT id, status, kind, "organisationId", "totalInclVatCents", number FROM "Invoice" WHERE id = ${invoiceId} FOR UPDATE`;
  return row ?? null;
}

async function settledCents(tx: Tx, invoiceId: string) {
  const credits = await tx.creditNote.aggregate({ where: { invoiceId }, _sum: { amountCents: true } });
  const payments = await tx.payment.aggregate({ where: { invoiceId }, _sum: { amountCents: true } });
  return { credited: credits._sum.amountCents ?? 0, paid: payments._sum.amountCents ?? 0 };
}

/** Numbers (A<year>-…, gapless, in the caller's transaction) and stores a credit note, and queues its Factur-X document. */
async function createCreditNote(tx: Tx, invoiceId: string, amountCents: number, reason: string, now: Date) {
  const series = creditNoteSeries(Number(parisDate(now).slice(0, 4)));
  const [number] = await reserveNumbers(tx, series, 1);
  const note = await tx.creditNote.create({ data: { invoiceId, number: number!, amountCents, reason }, select: { id: true, number: true } });
  await enqueueDocument(tx, { creditNoteId: note.id });
  return note;
}

/** A credit note (numbered A<year>-…, gapless): a finalised invoice is never edited. */
export async function requestCreditNote(actor: Actor, invoiceId: string, amountCents: number, reason: string, now = new Date()): Promise<CorrectionResult> {
  // Its e-invoice needs what an invoice's needs from the seller (the bank account): refused before a number is taken.
  const seller = await sellerProblems();
  if (seller.length > 0) return { ok: false, message: `Avoir non émis : ${seller.map((p) => p.message).join(" ; ")}` };
  return db().$transaction(async (tx) => {
    const invoice = await invoiceForCorrection(tx, invoiceId);
    if (invoice?.kind !== "INVOICE") return { ok: false, message: "Cette facture n'existe pas." };
    if (!isInvoiceIn(CREDITABLE, invoice.status)) return { ok: false, message: "Un avoir ne se fait que sur une facture émise ou payée." };
    const { credited, paid } = await settledCents(tx, invoiceId);
    const room = invoice.status === "OPEN" ? invoice.totalInclVatCents - credited - paid : invoice.totalInclVatCents - credited;
    if (amountCents > room) return { ok: false, field: "amount", message: `L'avoir ne peut dépasser ${(room / 100).toFixed(2).replace(".", ",")} €.` };
    const note = await createCreditNote(tx, invoiceId, amountCents, reason, now);
    await addToOutbox(tx, "invoicing", "credit-note", `credit-note:${note.id}`, { creditNoteId: note.id });
    // A credit note that settles what remains of an open invoice settles the invoice.
    if (invoice.status === "OPEN" && credited + paid + amountCents >= invoice.totalInclVatCents) {
      await tx.invoice.update({ where: { id: invoiceId }, data: { status: "PAID", paidAt: now } });
      await setInterventionsFor(tx, invoiceId, "PAID");
    }
    await audit(
      {
        action: "invoice.credit_note",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: invoice.organisationId,
        entityType: "CreditNote",
        entityId: note.id,
        details: { invoiceId, amountCents, number: note.number },
      },
      tx,
    );
    return { ok: true, message: `Avoir ${note.number} émis.` };
  });
}

/**
 * Voids an issued, unpaid invoice, with finance's reason (kept on the invoice,
 * audited, told to the partner). The legal path: an issued invoice is never
 * erased, it is cancelled by a credit note for what it still bills (its total
 * less earlier credit notes), numbered and sent like any other. Its
 * interventions are freed to be billed again; Stripe's copy is voided by the job.
 */
export async function requestVoid(actor: Actor, invoiceId: string, reason: string, now = new Date()): Promise<CorrectionResult> {
  const seller = await sellerProblems();
  if (seller.length > 0) return { ok: false, message: `Facture non annulée : l'avoir d'annulation ne peut pas être émis. ${seller.map((p) => p.message).join(" ; ")}` };
  return db().$transaction(async (tx) => {
    const invoice = await invoiceForCorrection(tx, invoiceId);
    if (invoice?.kind !== "INVOICE") return { ok: false, message: "Cette facture n'existe pas." };
    if (!isInvoiceIn(VOIDABLE, invoice.status)) return { ok: false, message: "Seule une facture émise et non payée peut être annulée." };
    const { credited, paid } = await settledCents(tx, invoiceId);
    if (paid > 0) return { ok: false, message: `Un paiement de ${formatEuros(paid)} a déjà été reçu sur cette facture : corrigez-la par un avoir plutôt que de l'annuler.` };
    const note =
      invoice.number && invoice.totalInclVatCents - credited > 0
        ? await createCreditNote(tx, invoiceId, invoice.totalInclVatCents - credited, `Annulation de la facture ${invoice.number} : ${reason}`, now)
        : null;
    await tx.invoice.update({ where: { id: invoiceId }, data: { status: "VOID", voidedAt: now, voidReason: reason } });
    await releaseClaims(tx, invoiceId);
    await queueNotification(tx, "invoice.voided", { invoiceId }, "voided");
    await addToOutbox(tx, "invoicing", "void", `invoice-void:${invoiceId}`, { invoiceId });
    await audit(
      {
        action: "invoice.void",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: invoice.organisationId,
        entityType: "Invoice",
        entityId: invoiceId,
        details: { from: invoice.status, reason, number: invoice.number, creditNote: note?.number ?? null },
      },
      tx,
    );
    return {
      ok: true,
      message: note
        ? `Facture ${invoice.number} annulée par l'avoir ${note.number} ; le partenaire est prévenu par e-mail. Ses interventions seront facturées à nouveau à la prochaine préparation.`
        : "Facture annulée ; le partenaire est prévenu par e-mail.",
    };
  });
}

export async function requestUncollectible(actor: Actor, invoiceId: string): Promise<CorrectionResult> {
  return changeStatus(
    actor,
    invoiceId,
    MAY_BECOME_UNCOLLECTIBLE,
    "UNCOLLECTIBLE",
    "uncollectible",
    "Facture classée irrécouvrable.",
    "Seule une facture émise et non payée peut être classée irrécouvrable.",
  );
}

async function changeStatus(actor: Actor, invoiceId: string, from: readonly InvoiceStatus[], to: InvoiceStatus, job: "uncollectible", done: string, refused: string): Promise<CorrectionResult> {
  return db().$transaction(async (tx) => {
    const invoice = await invoiceForCorrection(tx, invoiceId);
    if (invoice?.kind !== "INVOICE") return { ok: false, message: "Cette facture n'existe pas." };
    if (!isInvoiceIn(from, invoice.status)) return { ok: false, message: refused };
    await tx.invoice.update({ where: { id: invoiceId }, data: { status: to } });
    await addToOutbox(tx, "invoicing", job, `invoice-${job}:${invoiceId}`, { invoiceId });
    await audit(
      { action: `invoice.${job}`, outcome: "ok", actorUserId: actor.userId, organisationId: invoice.organisationId, entityType: "Invoice", entityId: invoiceId, details: { from: invoice.status } },
      tx,
    );
    return { ok: true, message: done };
  });
}

/** A bank transfer received outside Stripe; the invoice is paid once payments and credit notes cover it. */
export async function recordTransfer(actor: Actor, invoiceId: string, input: { amountCents: number; reference: string; receivedAt: Date }): Promise<CorrectionResult> {
  return db().$transaction(async (tx) => {
    const invoice = await invoiceForCorrection(tx, invoiceId);
    if (invoice?.kind !== "INVOICE") return { ok: false, message: "Cette facture n'existe pas." };
    if (!isInvoiceIn(PAYABLE, invoice.status)) return { ok: false, message: "Seule une facture émise et non payée peut recevoir un virement." };
    const { credited, paid } = await settledCents(tx, invoiceId);
    const remaining = invoice.totalInclVatCents - credited - paid;
    if (input.amountCents > remaining) return { ok: false, field: "amount", message: `Le reste à payer est de ${(remaining / 100).toFixed(2).replace(".", ",")} €.` };
    const payment = await tx.payment.create({ data: { invoiceId, amountCents: input.amountCents, method: "transfer", reference: input.reference, receivedAt: input.receivedAt } });
    await enqueuePaymentReport(tx, payment.id); // Encaissée, sent to the accredited platform
    const settled = input.amountCents === remaining;
    if (settled) {
      await tx.invoice.update({ where: { id: invoiceId }, data: { status: "PAID", paidAt: input.receivedAt } });
      await setInterventionsFor(tx, invoiceId, "PAID");
      await addToOutbox(tx, "invoicing", "transfer", `invoice-transfer:${payment.id}`, { paymentId: payment.id });
    }
    await audit(
      {
        action: "invoice.transfer_recorded",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: invoice.organisationId,
        entityType: "Payment",
        entityId: payment.id,
        details: { invoiceId, amountCents: input.amountCents },
      },
      tx,
    );
    return { ok: true, message: settled ? "Virement enregistré : la facture est payée." : "Virement partiel enregistré." };
  });
}

export async function loadCreditNoteForProvider(creditNoteId: string) {
  return db().creditNote.findUnique({
    where: { id: creditNoteId },
    select: { id: true, number: true, amountCents: true, reason: true, stripeCreditNoteId: true, invoice: { select: { stripeInvoiceId: true, provider: true } } },
  });
}

export async function loadInvoiceForProvider(invoiceId: string) {
  return db().invoice.findUnique({ where: { id: invoiceId }, select: { id: true, provider: true, stripeInvoiceId: true } });
}

export async function loadPaymentForProvider(paymentId: string) {
  return db().payment.findUnique({ where: { id: paymentId }, select: { id: true, invoice: { select: { id: true, provider: true, stripeInvoiceId: true } } } });
}

// ------------------------------------------------------------------ reading

const listSelect = {
  id: true,
  kind: true,
  status: true,
  number: true,
  periodStart: true,
  issuedAt: true,
  dueAt: true,
  paidAt: true,
  provider: true,
  hostedInvoiceUrl: true,
  totalExclVatCents: true,
  vatCents: true,
  totalInclVatCents: true,
  insertionMinutes: true,
  organisation: { select: { id: true, name: true } },
  _count: { select: { lines: true } },
} satisfies Prisma.InvoiceSelect;

export async function listInvoices(filter: { month?: Month; status?: InvoiceStatus; organisationId?: string }) {
  return db().invoice.findMany({
    where: {
      ...(filter.month ? { periodStart: monthBounds(filter.month).periodStart } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.organisationId ? { organisationId: filter.organisationId } : {}),
    },
    select: listSelect,
    orderBy: [{ periodStart: "desc" }, { number: { sort: "desc", nulls: "first" } }, { organisation: { name: "asc" } }],
    take: 500,
  });
}

/** A partner's own invoices (issued ones only: drafts are finance's work in progress), with what was paid, credited and is still due. */
export async function listPartnerInvoices(actor: Actor) {
  const invoices = await db().invoice.findMany({
    where: { organisationId: actor.organisationId, status: { not: "DRAFT" } },
    select: { ...listSelect, payments: { select: { amountCents: true } }, creditNotes: { select: { amountCents: true } } },
    orderBy: [{ periodStart: "desc" }, { number: "desc" }],
  });
  return invoices.map(({ payments, creditNotes, ...i }) => {
    const paidCents = payments.reduce((s, p) => s + p.amountCents, 0);
    const creditedCents = creditNotes.reduce((s, c) => s + c.amountCents, 0);
    return { ...i, paidCents, creditedCents, dueCents: amountDueCents({ status: i.status, totalInclVatCents: i.totalInclVatCents, paidCents, creditedCents }) };
  });
}

/** One of the partner's own issued invoices, as its page shows it (null for another organisation's or a draft). */
export async function getPartnerInvoice(actor: Actor, invoiceId: string) {
  const owned = await db().invoice.findFirst({ where: { id: invoiceId, organisationId: actor.organisationId, status: { not: "DRAFT" } }, select: { id: true } });
  return owned ? getInvoice(owned.id) : null;
}

/** One invoice as its pages show it: lines in the order and with the quantities of its Factur-X (document-lines.ts). */
export async function getInvoice(invoiceId: string) {
  const invoice = await findInvoice(invoiceId);
  if (!invoice) return null;
  const lines = inWorkOrder(
    invoice.lines.map(({ intervention, ...l }) => ({ ...l, performedAt: intervention?.startsAt ?? null, pricingUnit: intervention?.serviceRequest.prestation.pricingUnit ?? null })),
  );
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const period = servicePeriod(
    lines.map((l) => (l.performedAt ? parisDate(l.performedAt) : null)),
    { start: iso(invoice.periodStart), end: iso(invoice.periodEnd) },
  );
  return { ...invoice, period, lines: lines.map((l) => ({ ...l, pricing: linePricing({ ...l, exclVatCents: l.amountExclVatCents }) })) };
}

async function findInvoice(invoiceId: string) {
  return db().invoice.findUnique({
    where: { id: invoiceId },
    select: {
      ...listSelect,
      stripeInvoiceId: true,
      periodEnd: true,
      voidedAt: true,
      voidReason: true,
      organisation: { select: { id: true, name: true, siret: true, vatNumber: true, billingEmail: true, billingAddress: true, paymentTermsDays: true, kind: true } },
      lines: {
        select: {
          id: true,
          description: true,
          quantity: true,
          unitPriceCents: true,
          vatRateBasisPoints: true,
          amountExclVatCents: true,
          vatCents: true,
          purchaseOrderNumber: true,
          intervention: { select: { startsAt: true, serviceRequest: { select: { prestation: { select: { pricingUnit: true } } } } } },
        },
      },
      creditNotes: { select: { id: true, number: true, amountCents: true, reason: true, createdAt: true, stripeCreditNoteId: true }, orderBy: { createdAt: "asc" } },
      payments: { select: { id: true, amountCents: true, method: true, reference: true, receivedAt: true }, orderBy: { receivedAt: "asc" } },
    },
  });
}

export async function listPartners() {
  return db().organisation.findMany({ where: { kind: { in: ["PARTNER", "INTERNAL"] }, archivedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** Issued invoices with what was paid and credited: the dashboard's raw material. */
export async function invoicesForDashboard(since: Date) {
  // Lag-tolerant: the replica when it is usable.
  const invoices = await readLagTolerant((client) =>
    client.invoice.findMany({
      where: { kind: "INVOICE", status: { not: "DRAFT" }, periodStart: { gte: since } },
      select: {
        id: true,
        status: true,
        periodStart: true,
        dueAt: true,
        totalInclVatCents: true,
        organisation: { select: { id: true, name: true } },
        payments: { select: { amountCents: true } },
        creditNotes: { select: { amountCents: true } },
      },
    }),
  );
  return invoices.map((i) => ({
    id: i.id,
    status: i.status,
    month: i.periodStart.toISOString().slice(0, 7),
    dueAt: i.dueAt,
    organisationId: i.organisation.id,
    organisationName: i.organisation.name,
    totalCents: i.totalInclVatCents,
    paidCents: i.payments.reduce((s, p) => s + p.amountCents, 0),
    creditedCents: i.creditNotes.reduce((s, c) => s + c.amountCents, 0),
  }));
}

/** Minutes of work in insertion per partner and month (Paris): one rule, in impact.server.ts. */
export { insertionMinutesByMonth } from "./impact.server.ts";

/** Every line of the issued invoices of a period, for the accounting export. */
export async function invoicesForExport(from: Date, to: Date) {
  // Lag-tolerant: the replica when it is usable.
  return readLagTolerant((client) =>
    client.invoice.findMany({
      where: { status: { not: "DRAFT" }, periodStart: { gte: from, lt: to } },
      select: {
        number: true,
        kind: true,
        status: true,
        issuedAt: true,
        dueAt: true,
        paidAt: true,
        periodStart: true,
        totalExclVatCents: true,
        vatCents: true,
        totalInclVatCents: true,
        insertionMinutes: true,
        stripeInvoiceId: true,
        organisation: { select: { name: true, siret: true } },
        lines: { select: { description: true, quantity: true, unitPriceCents: true, vatRateBasisPoints: true, amountExclVatCents: true, vatCents: true, purchaseOrderNumber: true } },
      },
      orderBy: { number: "asc" },
    }),
  );
}

export async function auditExport(actor: Actor, what: string) {
  await audit({ action: "invoicing.exported", outcome: "ok", actorUserId: actor.userId, entityType: "Export", entityId: what });
}
