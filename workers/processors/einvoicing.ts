import { createHash } from "node:crypto";
import type { Job } from "bullmq";
import { documentSettings, findDocumentOf, listMissingDocuments, loadCreditNoteSource, loadInvoiceSource, queueCourtesyMail, storeDocument } from "~/data/einvoicing.server.ts";
import { creditNoteToEN16931, invoiceToEN16931, type EN16931Document } from "~/domain/einvoicing/en16931.ts";
import { renderDocument } from "~/integrations/facturx-pool.server.ts";
import type { JobPayload } from "~/queues/registry.ts";
import { eachLimited } from "~/utils/each-limited.ts";
import { formatCount, plural } from "~/utils/format.ts";

// The Factur-X documents. Each is generated once, from the database, after the
// invoice is issued; a second run finds the stored one and returns it (the
// number is unique), so a retried or repeated job never makes a second version.

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export type DocumentOutcome = { number: string; documentId: string; created: boolean } | { skipped: string };

export async function generateInvoiceDocument(invoiceId: string, options: DocumentOptions = {}): Promise<DocumentOutcome> {
  const existing = await findDocumentOf({ invoiceId });
  if (existing) return { number: existing.number, documentId: existing.id, created: false };
  const loaded = await loadInvoiceSource(invoiceId);
  if (!loaded) return { skipped: "not issued" };
  const settings = await documentSettings();
  const internal = loaded.kind === "INTERNAL_STATEMENT";
  return issueDocument(invoiceToEN16931(loaded.source, settings), { kind: internal ? "INTERNAL_STATEMENT" : "INVOICE", invoiceId, organisationId: loaded.organisationId }, settings, options);
}

export async function generateCreditNoteDocument(creditNoteId: string, options: DocumentOptions = {}): Promise<DocumentOutcome> {
  const existing = await findDocumentOf({ creditNoteId });
  if (existing) return { number: existing.number, documentId: existing.id, created: false };
  const loaded = await loadCreditNoteSource(creditNoteId);
  if (!loaded) return { skipped: "invoice not issued" };
  const settings = await documentSettings();
  return issueDocument(creditNoteToEN16931(loaded.source, settings), { kind: "CREDIT_NOTE", creditNoteId, organisationId: loaded.organisationId }, settings, options);
}

type DocumentOptions = { courtesyMail?: boolean };

/**
 * Renders, stores (once: the same transaction queues its submission to the
 * accredited platform, when one is configured), and for a Factur-X document
 * queues the courtesy copy. Aurore's own statements are neither.
 */
async function issueDocument(
  doc: EN16931Document,
  owner: Pick<Parameters<typeof storeDocument>[0], "kind" | "invoiceId" | "creditNoteId" | "organisationId">,
  settings: Awaited<ReturnType<typeof documentSettings>>,
  options: DocumentOptions,
): Promise<DocumentOutcome> {
  const facturx = owner.kind !== "INTERNAL_STATEMENT";
  const bytes = await renderDocument(facturx ? "facturx" : "statement", doc);
  const stored = await storeDocument({
    ...owner,
    number: doc.number,
    issueDate: doc.issueDate,
    totalInclVatCents: doc.totals.grandTotalCents,
    buyer: { name: doc.buyer.name, siren: doc.buyer.siren },
    bytes,
    sha256: sha256(bytes),
    retentionYears: settings.retentionYears,
  });
  if (facturx && options.courtesyMail !== false) await queueCourtesyMail(stored.id);
  return { number: stored.number, documentId: stored.id, created: stored.created };
}

export async function documentJob(payload: JobPayload<"invoicing", "document">) {
  return "invoiceId" in payload ? generateInvoiceDocument(payload.invoiceId) : generateCreditNoteDocument(payload.creditNoteId);
}

/**
 * Every missing document of a month, with the job's progress. Documents are
 * independent, so a failed one does not stop the others; the job fails at the
 * end (and is retried) if any did, the done ones staying done.
 */
export async function documentsRun(payload: { month: string }, job?: Job, options: { concurrency?: number } = {}) {
  const { invoiceIds, creditNoteIds } = await listMissingDocuments(payload.month);
  const work: (() => Promise<DocumentOutcome>)[] = [...invoiceIds.map((id) => () => generateInvoiceDocument(id)), ...creditNoteIds.map((id) => () => generateCreditNoteDocument(id))];
  const results = await eachLimited(
    work,
    options.concurrency ?? 8,
    (task) => task(),
    (done) => job?.updateProgress(Math.round((done / Math.max(1, work.length)) * 100)),
  );
  const created = results.filter((r) => r.status === "fulfilled" && "created" in r.value && r.value.created).length;
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  await job?.updateProgress(100);
  if (failures.length > 0) throw new Error(`${formatCount(failures.length, "document")} non ${plural(failures.length, "généré")} sur ${work.length} : ${failures[0]}`);
  return { step: "documents", month: payload.month, generated: created, total: work.length };
}
