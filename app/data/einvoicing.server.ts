import type { Actor } from "~/domain/access/roles.ts";
import { checkInvoice, checkSeller, type MissingField } from "~/domain/einvoicing/checks.ts";
import type { CreditNoteSource, DocumentSettings, InvoiceSource, SourceLine, SourceSite } from "~/domain/einvoicing/en16931.ts";
import { inWorkOrder, servicePeriod } from "~/domain/invoicing/document-lines.ts";
import { ASSOCIATION } from "~/domain/invoicing/mentions.ts";
import { monthBounds, parisDate, type Month } from "~/domain/invoicing/period.ts";
import { buildMail } from "~/domain/mail/layout.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import { jobIdFor } from "~/queues/registry.ts";
import { env } from "~/utils/env.server.ts";
import { audit } from "./audit.server.ts";
import { db, type Tx } from "./db.server.ts";
import { enqueueSubmission } from "./einvoicing-transmission.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { getServiceRules } from "./settings.server.ts";

// E-invoicing's data: what a Factur-X document is built from, the stored
// documents (written once, never rewritten), the checks before issue, the
// month's export and the partner's download (scoped to its organisation).

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export async function documentSettings(): Promise<DocumentSettings & { retentionYears: number }> {
  const rules = await getServiceRules();
  return {
    seller: {
      name: ASSOCIATION.name,
      legalName: ASSOCIATION.legalName,
      siret: ASSOCIATION.siret,
      vatNumber: ASSOCIATION.vatNumber,
      address: ASSOCIATION.address,
      email: ASSOCIATION.email,
      bankAccount: rules.sellerBankAccount,
    },
    vatOnReceipts: rules.vatOnReceipts,
    lateFeeEuros: 40,
    retentionYears: rules.einvoiceRetentionYears,
  };
}

const invoiceSelect = {
  id: true,
  kind: true,
  status: true,
  number: true,
  issuedAt: true,
  dueAt: true,
  periodStart: true,
  periodEnd: true,
  totalExclVatCents: true,
  vatCents: true,
  totalInclVatCents: true,
  organisation: { select: { id: true, name: true, siret: true, vatNumber: true, billingAddress: true, billingEmail: true, paymentTermsDays: true } },
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
      intervention: {
        select: {
          startsAt: true,
          site: { select: { id: true, name: true, address: true, postalCode: true, city: true } },
          serviceRequest: { select: { prestation: { select: { name: true, pricingUnit: true, vatExemptionMention: true } } } },
        },
      },
    },
  },
} satisfies Prisma.InvoiceSelect;

type InvoiceRow = Prisma.InvoiceGetPayload<{ select: typeof invoiceSelect }>;

function sourceOf(row: InvoiceRow): InvoiceSource {
  const sites = new Map<string, SourceSite>();
  // Lines in the order of the interventions (as the draft built them), ties by id.
  const ordered = inWorkOrder(row.lines.map((l) => ({ ...l, performedAt: l.intervention?.startsAt ?? null })));
  const lines: SourceLine[] = ordered.map((l) => {
    const site = l.intervention?.site;
    if (site) sites.set(site.id, site);
    const prestation = l.intervention?.serviceRequest.prestation;
    return {
      id: l.id,
      description: l.description,
      siteId: site?.id ?? null,
      prestationName: prestation?.name ?? null,
      pricingUnit: prestation?.pricingUnit ?? null,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      vatRateBasisPoints: l.vatRateBasisPoints,
      exclVatCents: l.amountExclVatCents,
      vatCents: l.vatCents,
      purchaseOrderNumber: l.purchaseOrderNumber,
      vatExemptionMention: prestation?.vatExemptionMention ?? null,
      performedOn: l.intervention ? parisDate(l.intervention.startsAt) : null,
    };
  });
  const period = servicePeriod(
    lines.map((l) => l.performedOn),
    { start: isoDay(row.periodStart), end: isoDay(row.periodEnd) },
  );
  return {
    kind: "INVOICE",
    number: row.number ?? "",
    issuedAt: row.issuedAt ?? new Date(0),
    dueAt: row.dueAt,
    periodStart: period.start,
    periodEnd: period.end,
    paymentTermsDays: row.organisation.paymentTermsDays,
    buyer: row.organisation,
    sites: [...sites.values()],
    lines,
    totals: { exclVatCents: row.totalExclVatCents, vatCents: row.vatCents, inclVatCents: row.totalInclVatCents },
  };
}

/** An issued invoice as the source of its document (null while a draft or unknown). */
export async function loadInvoiceSource(invoiceId: string) {
  const row = await db().invoice.findUnique({ where: { id: invoiceId }, select: invoiceSelect });
  if (!row?.number || !row.issuedAt || row.status === "DRAFT") return null;
  return { kind: row.kind, organisationId: row.organisation.id, billingEmail: row.organisation.billingEmail, source: sourceOf(row) };
}

export async function loadCreditNoteSource(creditNoteId: string) {
  const note = await db().creditNote.findUnique({ where: { id: creditNoteId }, select: { id: true, number: true, amountCents: true, reason: true, createdAt: true, invoiceId: true } });
  if (!note) return null;
  const invoice = await loadInvoiceSource(note.invoiceId);
  if (!invoice) return null;
  const source: CreditNoteSource = { kind: "CREDIT_NOTE", number: note.number, issuedAt: note.createdAt, amountCents: note.amountCents, reason: note.reason, invoice: invoice.source };
  return { organisationId: invoice.organisationId, billingEmail: invoice.billingEmail, source };
}

/** What the seller's settings lack for any e-invoice (its bank account, ...): empty when complete. */
export async function sellerProblems(): Promise<MissingField[]> {
  return checkSeller((await documentSettings()).seller);
}

/**
 * What stops each draft invoice from being issued (internal statements are
 * outside the reform and never blocked). Drafts without a problem are absent.
 */
export async function missingFieldsOf(invoiceIds: string[]): Promise<Map<string, MissingField[]>> {
  const result = new Map<string, MissingField[]>();
  if (invoiceIds.length === 0) return result;
  const { seller } = await documentSettings();
  for (let i = 0; i < invoiceIds.length; i += 200) {
    const rows = await db().invoice.findMany({ where: { id: { in: invoiceIds.slice(i, i + 200) }, kind: "INVOICE" }, select: invoiceSelect });
    for (const row of rows) {
      const problems = checkInvoice(sourceOf(row), seller);
      if (problems.length) result.set(row.id, problems);
    }
  }
  return result;
}

// ------------------------------------------------------------------ stored documents

export type StoredDocument = { id: string; number: string; sha256: string; created: boolean };

/**
 * Stores a generated document once. A second generation (a retried job, two
 * runs at once) gets the first one back: an issued document never changes.
 */
export async function storeDocument(input: {
  kind: "INVOICE" | "CREDIT_NOTE" | "INTERNAL_STATEMENT";
  invoiceId?: string;
  creditNoteId?: string;
  organisationId: string;
  number: string;
  issueDate: string;
  totalInclVatCents: number;
  /** The buyer as the document names it (BT-44, BT-47). */
  buyer: { name: string; siren: string };
  bytes: Uint8Array;
  sha256: string;
  retentionYears: number;
}): Promise<StoredDocument> {
  const retainUntil = new Date(`${Number(input.issueDate.slice(0, 4)) + input.retentionYears}${input.issueDate.slice(4)}T00:00:00Z`);
  try {
    const row = await db().$transaction(async (tx) => {
      const created = await tx.invoiceDocument.create({
        data: {
          kind: input.kind,
          invoiceId: input.invoiceId ?? null,
          creditNoteId: input.creditNoteId ?? null,
          organisationId: input.organisationId,
          number: input.number,
          issueDate: new Date(`${input.issueDate}T00:00:00Z`),
          totalInclVatCents: input.totalInclVatCents,
          buyerName: input.buyer.name,
          buyerSiren: input.buyer.siren,
          bytes: Buffer.from(input.bytes),
          sha256: input.sha256,
          transmissionStatus: input.kind === "INTERNAL_STATEMENT" ? "outside" : "pending",
          retainUntil,
        },
        select: { id: true, number: true, sha256: true },
      });
      if (input.kind !== "INTERNAL_STATEMENT") await enqueueSubmission(tx, created.id, input.number);
      await audit(
        {
          action: "einvoice.generated",
          outcome: "ok",
          organisationId: input.organisationId,
          entityType: "InvoiceDocument",
          entityId: created.id,
          details: { number: input.number, sha256: input.sha256 },
        },
        tx,
      );
      return created;
    });
    return { ...row, created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await db().invoiceDocument.findFirstOrThrow({ where: { number: input.number }, select: { id: true, number: true, sha256: true } });
    return { ...existing, created: false };
  }
}

export async function findDocumentOf(ref: { invoiceId?: string; creditNoteId?: string }) {
  if (!ref.invoiceId && !ref.creditNoteId) return null;
  return db().invoiceDocument.findFirst({
    where: ref.invoiceId ? { invoiceId: ref.invoiceId } : { creditNoteId: ref.creditNoteId },
    select: { id: true, number: true, sha256: true, kind: true, transmissionStatus: true, createdAt: true, retainUntil: true, courtesyMailId: true },
  });
}

/** The document's file, for whoever may see it: finance sees every partner's, a partner only its own (else null, a 404). */
export async function getDocumentFile(actor: Actor, documentId: string, canSeeAll: boolean) {
  if (documentId.length > 40) return null;
  return db().invoiceDocument.findFirst({
    where: { id: documentId, ...(canSeeAll ? {} : { organisationId: actor.organisationId }) },
    select: { id: true, number: true, kind: true, bytes: true, sha256: true, organisationId: true },
  });
}

export async function auditDownload(actor: Actor, documentId: string) {
  await audit({ action: "einvoice.downloaded", outcome: "ok", actorUserId: actor.userId, organisationId: actor.organisationId, entityType: "InvoiceDocument", entityId: documentId });
}

/** The documents of a partner's invoices and of their credit notes, by invoice. */
export async function documentsForInvoices(invoiceIds: string[]) {
  const rows = await db().invoiceDocument.findMany({
    where: { OR: [{ invoiceId: { in: invoiceIds } }, { creditNote: { invoiceId: { in: invoiceIds } } }] },
    select: { id: true, number: true, kind: true, invoiceId: true, transmissionStatus: true, creditNote: { select: { invoiceId: true } } },
    orderBy: { number: "asc" },
  });
  return rows.map((r) => ({ id: r.id, number: r.number, kind: r.kind, transmissionStatus: r.transmissionStatus, invoiceId: r.invoiceId ?? r.creditNote?.invoiceId ?? null }));
}

// ------------------------------------------------------------------ a month's documents

const monthRange = (month: Month) => {
  const { from, to } = monthBounds(month);
  return { from, to };
};

/** Issued invoices and credit notes of the month (by date of issue, Paris) that have no document yet. */
export async function listMissingDocuments(month: Month) {
  const { from, to } = monthRange(month);
  const invoices = await db().invoice.findMany({
    where: { number: { not: null }, status: { not: "DRAFT" }, issuedAt: { gte: from, lt: to }, document: null },
    select: { id: true },
    orderBy: { number: "asc" },
  });
  const notes = await db().creditNote.findMany({
    where: { createdAt: { gte: from, lt: to }, document: null, invoice: { status: { not: "DRAFT" } } },
    select: { id: true },
    orderBy: { number: "asc" },
  });
  return { invoiceIds: invoices.map((i) => i.id), creditNoteIds: notes.map((n) => n.id) };
}

export async function monthDocumentCounts(month: Month) {
  const { from, to } = monthRange(month);
  const issueDate = { gte: new Date(`${parisDate(from)}T00:00:00Z`), lt: new Date(`${parisDate(to)}T00:00:00Z`) };
  const [documents, missing] = await Promise.all([db().invoiceDocument.groupBy({ by: ["kind"], where: { issueDate }, _count: { _all: true } }), listMissingDocuments(month)]);
  return {
    invoices: documents.find((d) => d.kind === "INVOICE")?._count._all ?? 0,
    creditNotes: documents.find((d) => d.kind === "CREDIT_NOTE")?._count._all ?? 0,
    statements: documents.find((d) => d.kind === "INTERNAL_STATEMENT")?._count._all ?? 0,
    missing: missing.invoiceIds.length + missing.creditNoteIds.length,
  };
}

/** The month's Factur-X documents (not the internal statements), a page at a time, for the ZIP export. */
export async function* monthDocuments(month: Month, pageSize = 100) {
  const { from, to } = monthRange(month);
  const issueDate = { gte: new Date(`${parisDate(from)}T00:00:00Z`), lt: new Date(`${parisDate(to)}T00:00:00Z`) };
  let cursor: string | undefined;
  for (;;) {
    const rows = await db().invoiceDocument.findMany({
      where: { issueDate, kind: { in: ["INVOICE", "CREDIT_NOTE"] }, ...(cursor ? { number: { gt: cursor } } : {}) },
      select: { number: true, kind: true, bytes: true, sha256: true, issueDate: true, totalInclVatCents: true, transmissionStatus: true, buyerName: true, buyerSiren: true },
      orderBy: { number: "asc" },
      take: pageSize,
    });
    if (rows.length === 0) return;
    yield rows;
    cursor = rows[rows.length - 1]!.number;
  }
}

export async function auditMonthExport(actor: Actor, month: Month, count: number) {
  await audit({ action: "einvoice.exported", outcome: "ok", actorUserId: actor.userId, entityType: "Export", entityId: `factur-x-${month}`, details: { count } });
}

/** Asks the worker for the month's missing documents (audited); returns the job id for the progress bar. */
export async function requestDocumentsRun(actor: Actor, month: Month, runKey: string) {
  const businessKey = `invoicing-documents:${runKey}`;
  await db().$transaction(async (tx) => {
    await addToOutbox(tx, "invoicing", "documents", businessKey, { month, runKey });
    await audit({ action: "einvoice.run_requested", outcome: "ok", actorUserId: actor.userId, entityType: "InvoiceRun", entityId: runKey, details: { month } }, tx);
  });
  return jobIdFor("invoicing", businessKey);
}

/** The document job of one issued invoice or credit note, in the caller's transaction. */
export async function enqueueDocument(tx: Tx, ref: { invoiceId: string } | { creditNoteId: string }) {
  if ("invoiceId" in ref) await addToOutbox(tx, "invoicing", "document", `einvoice:invoice:${ref.invoiceId}`, { invoiceId: ref.invoiceId });
  else await addToOutbox(tx, "invoicing", "document", `einvoice:credit-note:${ref.creditNoteId}`, { creditNoteId: ref.creditNoteId });
}

/**
 * A courtesy copy to the partner's billing address, the document attached (the
 * mail worker reads it from InvoiceDocument.courtesyMailId when it sends) and
 * also linked in the portal. Once per document (the mail's dedupe key).
 */
export async function queueCourtesyMail(documentId: string) {
  const doc = await db().invoiceDocument.findUnique({
    where: { id: documentId },
    select: { id: true, number: true, kind: true, courtesyMailId: true, organisation: { select: { billingEmail: true, name: true } } },
  });
  if (!doc || doc.kind === "INTERNAL_STATEMENT" || doc.courtesyMailId || !doc.organisation.billingEmail) return null;
  const what = doc.kind === "CREDIT_NOTE" ? "avoir" : "facture";
  const content = buildMail(
    doc.organisation.billingEmail,
    `Votre ${what} ${doc.number} (Factur-X)`,
    [
      "Bonjour,",
      `Votre ${what} ${doc.number} de La Conciergerie Solidaire est jointe à cet e-mail et disponible dans votre espace partenaire, au format Factur-X (PDF lisible avec les données structurées intégrées).`,
      "Cet e-mail est une copie de courtoisie : la facture électronique vous est transmise par notre plateforme de dématérialisation agréée.",
    ],
    { href: `${env().APP_URL}/invoices`, label: "Voir mes factures" },
  );
  try {
    return await db().$transaction(async (tx) => {
      const mail = await tx.mail.create({ data: { ...content, dedupeKey: `einvoice-courtesy:${doc.id}` } });
      await addToOutbox(tx, "mail", "send", `mail:${mail.id}`, { mailId: mail.id });
      await tx.invoiceDocument.update({ where: { id: doc.id }, data: { courtesyMailId: mail.id } });
      return mail.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** The month's documents without their bytes, for the finance screen. */
export async function listMonthDocuments(month: Month, take = 300) {
  const { from, to } = monthRange(month);
  const issueDate = { gte: new Date(`${parisDate(from)}T00:00:00Z`), lt: new Date(`${parisDate(to)}T00:00:00Z`) };
  return db().invoiceDocument.findMany({
    where: { issueDate },
    select: { id: true, number: true, kind: true, issueDate: true, totalInclVatCents: true, transmissionStatus: true, sha256: true, organisation: { select: { name: true } } },
    orderBy: { number: "asc" },
    take,
  });
}
