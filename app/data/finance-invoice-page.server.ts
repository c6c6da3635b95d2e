import type { Actor } from "~/domain/access/roles.ts";
import { whatToDo } from "~/domain/einvoicing/lifecycle.ts";
import { invoiceFooter } from "~/domain/invoicing/mentions.ts";
import { amountDueCents } from "~/domain/invoicing/status.ts";
import { rebilledOn } from "./billing-claims.server.ts";
import { requestResubmission, transmissionsOfInvoice } from "./einvoicing-transmission.server.ts";
import { documentsForInvoices, missingFieldsOf } from "./einvoicing.server.ts";
import { getInvoice, recordTransfer, requestCreditNote, requestUncollectible, requestVoid } from "./invoicing.server.ts";

// Finance's page of one invoice (/finance/invoices/:id): what it shows and
// what its forms do. Finance and admin see every partner's invoices.

/** The invoice with its e-invoicing documents and transmissions, what is paid, credited and still due; null when unknown. */
export async function financeInvoicePage(id: string, now = new Date()) {
  const invoice = await getInvoice(id);
  if (!invoice) return null;
  // E-invoicing: the stored documents, or what a draft lacks to be issued.
  const [documents, missing, platform, rebilled] = await Promise.all([
    documentsForInvoices([invoice.id]),
    invoice.status === "DRAFT" ? missingFieldsOf([invoice.id]) : Promise.resolve(new Map()),
    transmissionsOfInvoice(invoice.id),
    // A voided invoice: where its interventions are billed now.
    invoice.status === "VOID" ? rebilledOn(invoice.id) : Promise.resolve(null),
  ]);
  const credited = invoice.creditNotes.reduce((s, c) => s + c.amountCents, 0);
  const paid = invoice.payments.reduce((s, p) => s + p.amountCents, 0);
  return {
    invoice,
    documents,
    transmissions: platform.transmissions.map((t) => ({ ...t, whatToDo: whatToDo(t) })),
    paymentReports: platform.paymentReports,
    missingFields: (missing.get(invoice.id) ?? []).map((m: { message: string }) => m.message) as string[],
    credited,
    paid,
    remaining: amountDueCents({ status: invoice.status, totalInclVatCents: invoice.totalInclVatCents, paidCents: paid, creditedCents: credited }),
    footer: invoiceFooter(invoice.organisation.paymentTermsDays),
    today: now.toISOString().slice(0, 10),
    rebilled,
  };
}

export type InvoiceAction =
  | { intent: "credit-note"; amount: number; reason: string }
  | { intent: "void"; reason: string }
  | { intent: "resubmit"; documentId: string }
  | { intent: "uncollectible" }
  | { intent: "transfer"; amount: number; reference: string; receivedAt: string };

export type InvoiceActionResult = { ok: boolean; message: string; field?: string };

/** One data function per form of the page; amounts in cents, a day as YYYY-MM-DD. */
export async function actOnInvoice(actor: Actor, invoiceId: string, input: InvoiceAction): Promise<InvoiceActionResult> {
  switch (input.intent) {
    case "resubmit": {
      // Only a document of this invoice (or of its credit notes) may be sent again from its page.
      const { transmissions } = await transmissionsOfInvoice(invoiceId);
      if (!transmissions.some((t) => t.documentId === input.documentId)) return { ok: false, message: "Ce document n'appartient pas à cette facture." };
      return requestResubmission(actor, input.documentId);
    }
    case "credit-note":
      return requestCreditNote(actor, invoiceId, input.amount, input.reason);
    case "void":
      return requestVoid(actor, invoiceId, input.reason);
    case "uncollectible":
      return requestUncollectible(actor, invoiceId);
    case "transfer":
      return recordTransfer(actor, invoiceId, { amountCents: input.amount, reference: input.reference, receivedAt: new Date(`${input.receivedAt}T12:00:00Z`) });
  }
}
