import { createHash } from "node:crypto";
import type { Actor } from "~/domain/access/roles.ts";
import { currentLifecycle, needsAction, type TransmissionView } from "~/domain/einvoicing/lifecycle.ts";
import { platformConfigured } from "~/integrations/einvoicing-platform.server.ts";
import { audit } from "./audit.server.ts";
import { db, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";

// The transmission of issued documents to the accredited platform: one row per
// document (its trackingId is the document number, its flowId the platform's),
// every status received once (dedupeKey) with its date and reason, and the
// Encaissée flows we send, one per payment. The current status is derived from
// the whole history by lifecycle order, in a transaction that locks the row.

// ------------------------------------------------------------------ enqueueing

/** In the transaction that stores a Factur-X document: its submission, when a platform is configured. */
export async function enqueueSubmission(tx: Tx, documentId: string, number: string) {
  if (!platformConfigured()) return;
  await tx.eInvoiceTransmission.createMany({ data: [{ documentId, trackingId: number }], skipDuplicates: true });
  await addToOutbox(tx, "einvoicing", "submit", `einvoice-submit:${documentId}`, { documentId });
}

/** The Encaissée flow of a payment just recorded, in the same transaction (once per payment: its business key). */
export async function enqueuePaymentReport(tx: Tx, paymentId: string, when = "recorded") {
  if (!platformConfigured()) return;
  await addToOutbox(tx, "einvoicing", "report-payment", `einvoice-payment:${paymentId}:${when}`, { paymentId });
}

/** Finance asks again for a document waiting on the directory or an unreachable platform (never for one the platform refused). */
export async function requestResubmission(actor: Actor, documentId: string): Promise<{ ok: boolean; message: string }> {
  return db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ state: string; flowId: string | null }[]>`
      SELECT state, "flowId" FROM "EInvoiceTransmission" WHERE "documentId" = ${documentId} FOR UPDATE`;
    if (!row) return { ok: false, message: "Ce document n'est pas à transmettre." };
    if (row.flowId || (row.state !== "directory_missing" && row.state !== "unreachable")) return { ok: false, message: "Ce document a déjà une réponse de la plateforme : il ne sera pas renvoyé." };
    await tx.eInvoiceTransmission.update({ where: { documentId }, data: { state: "queued", problem: null, addressingId: null, routingCode: null } });
    await addToOutbox(tx, "einvoicing", "submit", `einvoice-submit:${documentId}:${Date.now()}`, { documentId });
    await audit({ action: "einvoice.resubmit_requested", outcome: "ok", actorUserId: actor.userId, entityType: "InvoiceDocument", entityId: documentId }, tx);
    return { ok: true, message: "Nouvel envoi demandé : le résultat s'affichera ici." };
  });
}

// ------------------------------------------------------------------ the submission job's steps

export async function loadForSubmission(documentId: string) {
  return db().eInvoiceTransmission.findUnique({
    where: { documentId },
    select: {
      documentId: true,
      trackingId: true,
      state: true,
      flowId: true,
      addressingId: true,
      submitStartedAt: true,
      document: { select: { number: true, kind: true, bytes: true, sha256: true, organisation: { select: { siret: true } } } },
    },
  });
}

export async function setDirectoryLine(documentId: string, line: { addressingIdentifier: string; routingCode: string | null }) {
  await db().eInvoiceTransmission.update({ where: { documentId }, data: { addressingId: line.addressingIdentifier, routingCode: line.routingCode } });
}

export async function markDirectoryMissing(documentId: string, siren: string) {
  await db().$transaction(async (tx) => {
    await tx.eInvoiceTransmission.update({
      where: { documentId },
      data: { state: "directory_missing", problem: `Aucune adresse de facturation électronique pour le SIREN ${siren || "(absent)"} dans l'annuaire.` },
    });
    await audit({ action: "einvoice.directory_missing", outcome: "refused", entityType: "InvoiceDocument", entityId: documentId }, tx);
  });
}

/** Written (and committed) before the POST: after a crash, the next attempt searches before sending again. */
export async function markSubmitStarted(documentId: string) {
  await db().eInvoiceTransmission.update({ where: { documentId }, data: { submitStartedAt: new Date(), attempts: { increment: 1 } } });
}

export async function markSubmitted(documentId: string, flow: { flowId: string; submittedAt?: string | null }, source: string) {
  const at = flow.submittedAt ? new Date(flow.submittedAt) : new Date();
  await db().$transaction(async (tx) => {
    await tx.eInvoiceTransmission.update({ where: { documentId }, data: { state: "submitted", flowId: flow.flowId, submittedAt: at, problem: null } });
    await tx.invoiceDocument.update({ where: { id: documentId }, data: { platformReference: flow.flowId, transmittedAt: at } });
    await audit({ action: "einvoice.submitted", outcome: "ok", entityType: "InvoiceDocument", entityId: documentId, details: { flowId: flow.flowId, source } }, tx);
  });
  await recordStatus({ documentId, kind: "ack", code: "Pending", reason: null, occurredAt: at, source, dedupeKey: `ack:${flow.flowId}:Pending` });
}

export async function markRefused(documentId: string, reason: string) {
  await db().$transaction(async (tx) => {
    await tx.eInvoiceTransmission.update({ where: { documentId }, data: { state: "refused", problem: reason.slice(0, 1000) } });
    await tx.invoiceDocument.update({ where: { id: documentId }, data: { transmissionStatus: "rejected" } });
    await audit({ action: "einvoice.refused", outcome: "refused", entityType: "InvoiceDocument", entityId: documentId, details: { reason: reason.slice(0, 300) } }, tx);
  });
}

export async function markUnreachable(documentId: string, message: string) {
  await db().eInvoiceTransmission.updateMany({ where: { documentId, flowId: null }, data: { state: "unreachable", problem: message.slice(0, 500) } });
}

// ------------------------------------------------------------------ statuses

export type StatusInput = { documentId: string; kind: "ack" | "lifecycle"; code: string; reason: string | null; occurredAt: Date; source: string; dedupeKey: string };

const ACK_RANK: Record<string, number> = { Pending: 1, Ok: 2, Error: 3 };

/**
 * Stores a status once (a replay is a no-op) and derives the document's
 * current state from its whole history, under a lock on its row: two
 * statuses arriving at once, or in the wrong order, end the same.
 */
export async function recordStatus(input: StatusInput): Promise<"recorded" | "duplicate"> {
  return db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ state: string }[]>`SELECT state FROM "EInvoiceTransmission" WHERE "documentId" = ${input.documentId} FOR UPDATE`;
    if (!row) return "duplicate";
    const inserted = await tx.eInvoiceStatusEvent.createMany({
      data: [
        {
          documentId: input.documentId,
          kind: input.kind,
          code: input.code,
          reason: input.reason?.slice(0, 1000) ?? null,
          occurredAt: input.occurredAt,
          source: input.source,
          dedupeKey: input.dedupeKey,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return "duplicate";
    const events = await tx.eInvoiceStatusEvent.findMany({ where: { documentId: input.documentId }, select: { kind: true, code: true, reason: true, occurredAt: true } });
    const acks = events.filter((e) => e.kind === "ack").sort((a, b) => (ACK_RANK[a.code] ?? 0) - (ACK_RANK[b.code] ?? 0));
    const ack = acks[acks.length - 1] ?? null;
    const lifecycleCode = currentLifecycle(events);
    const refused = ack?.code === "Error";
    const rejected = refused || lifecycleCode === "213" || lifecycleCode === "210";
    await tx.eInvoiceTransmission.update({
      where: { documentId: input.documentId },
      data: {
        ackStatus: ack?.code ?? null,
        lifecycleCode,
        ...(refused ? { state: "refused", problem: ack?.reason ?? "Accusé de réception en erreur." } : {}),
      },
    });
    await tx.invoiceDocument.update({
      where: { id: input.documentId },
      data: { transmissionStatus: rejected ? "rejected" : ack?.code === "Ok" || lifecycleCode ? "transmitted" : "submitted" },
    });
    return "recorded";
  });
}

export async function documentIdByTrackingId(trackingId: string) {
  return (await db().eInvoiceTransmission.findUnique({ where: { trackingId }, select: { documentId: true } }))?.documentId ?? null;
}

export async function documentIdByFlowId(flowId: string) {
  return (await db().eInvoiceTransmission.findUnique({ where: { flowId }, select: { documentId: true } }))?.documentId ?? null;
}

// ------------------------------------------------------------------ Encaissée, once per payment

/** Short and stable (trackingId is at most 36 characters): the document number and a digest of the payment id. */
export const paymentTrackingId = (number: string, paymentId: string) => `${number}-212-${createHash("sha256").update(paymentId).digest("hex").slice(0, 12)}`;

export async function loadPaymentReport(paymentId: string) {
  const payment = await db().payment.findUnique({
    where: { id: paymentId },
    select: {
      id: true,
      amountCents: true,
      receivedAt: true,
      platformReport: true,
      invoice: {
        select: { document: { select: { id: true, number: true, issueDate: true, kind: true, organisation: { select: { siret: true } }, transmission: { select: { flowId: true, state: true } } } } },
      },
    },
  });
  if (!payment) return null;
  const document = payment.invoice.document;
  if (document?.kind !== "INVOICE") return { payment, document: null, report: null };
  const report =
    payment.platformReport ??
    (await db().eInvoicePaymentReport.upsert({
      where: { paymentId },
      create: { paymentId, documentId: document.id, trackingId: paymentTrackingId(document.number, paymentId), amountCents: payment.amountCents },
      update: {},
    }));
  return { payment, document, report };
}

export async function markPaymentReportStarted(paymentId: string) {
  await db().eInvoicePaymentReport.update({ where: { paymentId }, data: { submitStartedAt: new Date() } });
}

export async function markPaymentReportSent(paymentId: string, flow: { flowId: string; submittedAt?: string | null }) {
  const report = await db().eInvoicePaymentReport.update({
    where: { paymentId },
    data: { state: "sent", flowId: flow.flowId, sentAt: flow.submittedAt ? new Date(flow.submittedAt) : new Date(), problem: null },
  });
  await recordStatus({
    documentId: report.documentId,
    kind: "lifecycle",
    code: "212",
    reason: `Encaissement de ${(report.amountCents / 100).toFixed(2).replace(".", ",")} € transmis`,
    occurredAt: report.sentAt!,
    source: "app",
    dedupeKey: `payment:${paymentId}`,
  });
}

export async function markPaymentReportRefused(paymentId: string, reason: string) {
  await db().eInvoicePaymentReport.update({ where: { paymentId }, data: { state: "refused", problem: reason.slice(0, 1000) } });
}

export async function paymentIdByReportTrackingId(trackingId: string) {
  return (await db().eInvoicePaymentReport.findUnique({ where: { trackingId }, select: { paymentId: true } }))?.paymentId ?? null;
}

/** Payments of a document's invoice, to send their Encaissée once the document is at the platform. */
export async function paymentIdsOfDocument(documentId: string) {
  const rows = await db().payment.findMany({ where: { invoice: { document: { id: documentId } } }, select: { id: true } });
  return rows.map((r) => r.id);
}

export async function enqueuePaymentReports(paymentIds: string[]) {
  if (paymentIds.length === 0) return;
  await db().$transaction(async (tx) => {
    for (const paymentId of paymentIds) await enqueuePaymentReport(tx, paymentId, "document-submitted");
  });
}

// ------------------------------------------------------------------ polling cursor

const CURSOR_ID = "flows";
export async function pollCursor(): Promise<Date | null> {
  return (await db().eInvoicePollCursor.findUnique({ where: { id: CURSOR_ID } }))?.updatedAfter ?? null;
}
export async function savePollCursor(updatedAfter: Date) {
  await db().eInvoicePollCursor.upsert({ where: { id: CURSOR_ID }, create: { id: CURSOR_ID, updatedAfter }, update: { updatedAfter } });
}

// ------------------------------------------------------------------ what finance sees

const viewSelect = {
  documentId: true,
  state: true,
  ackStatus: true,
  lifecycleCode: true,
  problem: true,
  flowId: true,
  routingCode: true,
  addressingId: true,
  submittedAt: true,
  events: { select: { id: true, kind: true, code: true, reason: true, occurredAt: true, source: true }, orderBy: [{ occurredAt: "asc" as const }, { receivedAt: "asc" as const }] },
};

/** The transmissions of an invoice's document and of its credit notes' documents, with their history. */
export async function transmissionsOfInvoice(invoiceId: string) {
  const rows = await db().eInvoiceTransmission.findMany({
    where: { document: { OR: [{ invoiceId }, { creditNote: { invoiceId } }] } },
    select: { ...viewSelect, document: { select: { number: true, kind: true } } },
    orderBy: { trackingId: "asc" },
  });
  const reports = await db().eInvoicePaymentReport.findMany({
    where: { payment: { invoiceId } },
    select: { paymentId: true, amountCents: true, state: true, problem: true, sentAt: true },
    orderBy: { createdAt: "asc" },
  });
  return { transmissions: rows, paymentReports: reports };
}

/** The current state of many documents at once (the month's list). */
export async function transmissionsOf(documentIds: string[]) {
  const rows = await db().eInvoiceTransmission.findMany({ where: { documentId: { in: documentIds } }, select: { documentId: true, state: true, ackStatus: true, lifecycleCode: true, problem: true } });
  return new Map(rows.map((r) => [r.documentId, r]));
}

/** Every document finance must act on (refused, rejected, in dispute, no directory entry, platform unreachable), newest first. */
export async function documentsNeedingAction(take = 200) {
  const rows = await db().eInvoiceTransmission.findMany({
    where: {
      OR: [{ state: { in: ["directory_missing", "refused", "unreachable"] } }, { ackStatus: "Error" }, { lifecycleCode: { in: ["210", "213", "207", "208", "221"] } }],
    },
    select: {
      documentId: true,
      state: true,
      ackStatus: true,
      lifecycleCode: true,
      problem: true,
      updatedAt: true,
      document: { select: { number: true, kind: true, invoiceId: true, creditNote: { select: { invoiceId: true } }, organisation: { select: { name: true } } } },
      events: { select: { code: true, reason: true, kind: true, occurredAt: true }, orderBy: { occurredAt: "desc" } },
    },
    orderBy: { updatedAt: "desc" },
    take,
  });
  return rows.filter((r) => needsAction(r as TransmissionView));
}

// ------------------------------------------------------------------ webhooks

/** A verified webhook: its flow is read again from the platform by a job (once per flow and update). */
export async function recordPlatformWebhook(flowId: string, updatedAt: string | null | undefined, bodyDigest: string) {
  await db().$transaction(async (tx) => {
    await addToOutbox(tx, "einvoicing", "flow-update", `pa-flow:${flowId}:${updatedAt ?? bodyDigest}`, { flowId });
  });
}
