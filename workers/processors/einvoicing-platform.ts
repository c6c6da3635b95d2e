import { createHash } from "node:crypto";
import {
  documentIdByFlowId,
  documentIdByTrackingId,
  enqueuePaymentReports,
  loadForSubmission,
  loadPaymentReport,
  markDirectoryMissing,
  markPaymentReportRefused,
  markPaymentReportSent,
  markPaymentReportStarted,
  markRefused,
  markSubmitStarted,
  markSubmitted,
  markUnreachable,
  paymentIdByReportTrackingId,
  paymentIdsOfDocument,
  pollCursor,
  recordStatus,
  savePollCursor,
  setDirectoryLine,
} from "~/data/einvoicing-transmission.server.ts";
import { buildLifecycleMessage, parseLifecycleMessage } from "~/domain/einvoicing/cdar.ts";
import { ENCAISSEE, lifecycleLabel } from "~/domain/einvoicing/lifecycle.ts";
import { ASSOCIATION } from "~/domain/invoicing/mentions.ts";
import { configuredPlatform, PlatformError, type Flow, type PlatformClient } from "~/integrations/einvoicing-platform.server.ts";
import type { JobPayload } from "~/queues/registry.ts";

// The jobs that talk to the accredited platform. Each is safe to run twice and
// after a crash at any point: a flow is sent only when no flowId is stored and,
// if a POST may already have left (submitStartedAt), only after a search by
// trackingId found nothing. A refusal (4xx, acknowledgement Error) is stored
// with its reason for finance and never sent again by itself; 429, 5xx and
// network errors throw, and BullMQ retries with backoff.

const sirenOf = (siret: string | null | undefined) => (siret ?? "").replace(/\D/g, "").slice(0, 9);

function platformOrThrow(): PlatformClient {
  const platform = configuredPlatform();
  if (!platform) throw new Error("No accredited platform configured (PA_* variables)");
  return platform;
}

export async function submitDocument(payload: JobPayload<"einvoicing", "submit">, platform = platformOrThrow()) {
  const t = await loadForSubmission(payload.documentId);
  if (!t || t.document.kind === "INTERNAL_STATEMENT") return { skipped: "no transmission" };
  if (t.flowId) return { flowId: t.flowId, already: true };
  if (t.state === "refused" || t.state === "directory_missing") return { skipped: t.state };
  const siret = (t.document.organisation.siret ?? "").replace(/\D/g, "");
  try {
    // Where the buyer receives: nothing is sent to a company absent from the directory.
    if (!t.addressingId) {
      const line = await platform.directoryLine(sirenOf(siret), siret.length === 14 ? siret : null);
      if (!line) {
        await markDirectoryMissing(t.documentId, sirenOf(siret));
        return { skipped: "directory_missing" };
      }
      await setDirectoryLine(t.documentId, line);
    }
    // A POST may have reached the platform before a crash: ask before sending again.
    if (t.submitStartedAt) {
      const [found] = await platform.searchFlows({ trackingId: t.trackingId }, 1);
      if (found) {
        await markSubmitted(t.documentId, found, "search");
        await applyFlow(found, "search", platform);
        await afterSubmission(t.documentId);
        return { flowId: found.flowId, recovered: true };
      }
    }
    await markSubmitStarted(t.documentId);
    const flow = await platform.submitFlow(
      { trackingId: t.trackingId, name: `${t.document.number}.pdf`, processingRule: "B2B", flowSyntax: "Factur-X", sha256: t.document.sha256 },
      new Uint8Array(t.document.bytes),
      "application/pdf",
    );
    await markSubmitted(t.documentId, flow, "submission");
    await afterSubmission(t.documentId);
    return { flowId: flow.flowId };
  } catch (error) {
    if (error instanceof PlatformError && error.kind === "refused") {
      await markRefused(t.documentId, `La plateforme a refusé l'envoi : ${error.message}`);
      return { refused: error.code };
    }
    await markUnreachable(t.documentId, `La plateforme ne répond pas (${error instanceof Error ? error.message : String(error)}) : nouvel essai automatique.`);
    throw error;
  }
}

/** Payments recorded before the document reached the platform get their Encaissée now. */
async function afterSubmission(documentId: string) {
  await enqueuePaymentReports(await paymentIdsOfDocument(documentId));
}

/**
 * Applies what the platform says of one flow: the acknowledgement of a flow we
 * sent (an invoice or an Encaissée), or a lifecycle message it sent us (read
 * from the flow's file). Every status is stored once, whatever the order.
 */
export async function applyFlow(flow: Flow, source: "webhook" | "poll" | "search", platform: PlatformClient) {
  const occurredAt = new Date(flow.updatedAt ?? flow.submittedAt ?? Date.now());
  if (flow.flowDirection !== "In" && flow.acknowledgement) {
    const documentId = (await documentIdByFlowId(flow.flowId)) ?? (flow.trackingId ? await documentIdByTrackingId(flow.trackingId) : null);
    const reason = (flow.acknowledgement.details ?? []).map((d) => `${d.reasonCode}${d.reasonMessage ? ` : ${d.reasonMessage}` : ""}`).join(" ; ") || null;
    if (documentId) {
      await recordStatus({ documentId, kind: "ack", code: flow.acknowledgement.status, reason, occurredAt, source, dedupeKey: `ack:${flow.flowId}:${flow.acknowledgement.status}` });
      return "ack";
    }
    const paymentId = flow.trackingId ? await paymentIdByReportTrackingId(flow.trackingId) : null;
    if (paymentId && flow.acknowledgement.status === "Error") await markPaymentReportRefused(paymentId, reason ?? "Accusé de réception en erreur");
    return paymentId ? "payment-ack" : "unknown";
  }
  if (flow.flowDirection === "In" && (flow.flowSyntax === "CDAR" || flow.flowType?.endsWith("LC"))) {
    const message = parseLifecycleMessage(new TextDecoder().decode(await platform.getFlowFile(flow.flowId)));
    if (!message) return "unreadable";
    const documentId = await documentIdByTrackingId(message.invoiceNumber);
    if (!documentId) return "unknown";
    const reason = [message.reasonCode, message.reason].filter(Boolean).join(" : ") || null;
    await recordStatus({ documentId, kind: "lifecycle", code: message.statusCode, reason, occurredAt: message.occurredAt, source, dedupeKey: `lc:${flow.flowId}` });
    return "lifecycle";
  }
  return "ignored";
}

export async function flowUpdate(payload: JobPayload<"einvoicing", "flow-update">, platform = platformOrThrow()) {
  const flow = await platform.getFlow(payload.flowId);
  return applyFlow(flow, "webhook", platform);
}

/**
 * The fallback when webhooks are lost: every flow updated since the cursor, a
 * page at a time (at most 100, oldest first); the cursor moves only past what
 * was applied, so a crash replays a page (harmless) and never skips one.
 */
export async function pollFlows(platform = platformOrThrow(), now = new Date()) {
  let cursor = (await pollCursor()) ?? new Date(now.getTime() - 7 * 86_400_000);
  let applied = 0;
  for (let page = 0; page < 100; page++) {
    const flows = await platform.searchFlows({ updatedAfter: cursor }, 100);
    for (const flow of flows) {
      await applyFlow(flow, "poll", platform);
      applied++;
    }
    const last = flows.map((f) => new Date(f.updatedAt ?? f.submittedAt ?? 0)).reduce((a, b) => (b > a ? b : a), cursor);
    if (last > cursor) {
      cursor = last;
      await savePollCursor(cursor);
    }
    if (flows.length < 100) break;
  }
  return { applied, cursor: cursor.toISOString() };
}

/** Encaissée: ours to send, for the amount collected, once per payment. */
export async function reportPayment(payload: JobPayload<"einvoicing", "report-payment">, platform = platformOrThrow()) {
  const loaded = await loadPaymentReport(payload.paymentId);
  if (!loaded) return { skipped: "no payment" };
  const { payment, document, report } = loaded;
  if (!document || !report) return { skipped: "no Factur-X invoice" };
  if (report.flowId || report.state !== "queued") return { skipped: report.state };
  const transmission = document.transmission;
  if (!transmission) return { skipped: "document not for the platform" };
  // The invoice must be at the platform first; submitDocument queues this job again once it is.
  if (!transmission.flowId) return { skipped: `document ${transmission.state}` };
  try {
    if (report.submitStartedAt) {
      const [found] = await platform.searchFlows({ trackingId: report.trackingId }, 1);
      if (found) {
        await markPaymentReportSent(payment.id, found);
        return { flowId: found.flowId, recovered: true };
      }
    }
    const xml = buildLifecycleMessage({
      id: report.trackingId,
      invoiceNumber: document.number,
      invoiceIssueDate: document.issueDate.toISOString().slice(0, 10),
      invoiceTypeCode: "380",
      statusCode: ENCAISSEE,
      statusLabel: lifecycleLabel(ENCAISSEE),
      occurredAt: payment.receivedAt,
      senderSiren: sirenOf(ASSOCIATION.siret),
      recipientSiren: sirenOf(document.organisation.siret),
      amountCents: payment.amountCents,
    });
    const bytes = new TextEncoder().encode(xml);
    await markPaymentReportStarted(payment.id);
    const flow = await platform.submitFlow(
      { trackingId: report.trackingId, name: `${report.trackingId}.xml`, processingRule: "B2B", flowSyntax: "CDAR", sha256: createHash("sha256").update(bytes).digest("hex") },
      bytes,
      "application/xml",
    );
    await markPaymentReportSent(payment.id, flow);
    return { flowId: flow.flowId };
  } catch (error) {
    if (error instanceof PlatformError && error.kind === "refused") {
      await markPaymentReportRefused(payment.id, `La plateforme a refusé l'encaissement : ${error.message}`);
      return { refused: error.code };
    }
    throw error;
  }
}
