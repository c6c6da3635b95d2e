import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { COLOURS, PdfLayout, winAnsiSafe } from "~/domain/pdf/layout.ts";
import { ASSOCIATION } from "~/domain/invoicing/mentions.ts";
import type { Estimate } from "./order.ts";

// The quote as a PDF (A4), built in memory with pdf-lib on the shared layout.
// Helvetica's WinAnsi encoding covers French accents and the euro sign; any
// other character is replaced so a partner's note can never break the document.

/** How long a quote holds its prices: 30 days from the day it is made. */
export const QUOTE_VALIDITY_DAYS = 30;
export function quoteValidUntil(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + QUOTE_VALIDITY_DAYS * 86_400_000);
}

export type QuoteDocument = {
  reference: string;
  issuedOn: string; // "29 novembre 2026"
  validUntil: string; // "29 décembre 2026"
  partner: { name: string; billingAddress: string | null };
  site: string;
  prestation: string;
  unitPrice: string; // "22,00 € HT par heure et par personne"
  vatRate: string; // "20 %"
  schedule: string; // "Chaque semaine, 3 h, 3 personnes en insertion"
  dates: string[]; // formatted dates of the live interventions
  purchaseOrderNumber: string | null;
  amounts: { perIntervention: string; exclVat: string; vat: string; inclVat: string; insertion: string };
  accepted: string | null; // "Devis accepté le ..."
};

export async function quotePdf(q: QuoteDocument, estimate: Pick<Estimate, "occurrences">): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Devis ${q.reference}`);
  pdf.setAuthor("La Conciergerie Solidaire (association Aurore)");
  pdf.setLanguage("fr-FR");
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const layout = new PdfLayout(pdf, { fonts: { regular, bold }, margin: 56, encode: winAnsiSafe });
  const { margin, width } = layout;
  const green = COLOURS.green;
  const line = (text: string, options: { font?: typeof regular; size?: number; color?: typeof green; x?: number; gap?: number } = {}) => layout.paragraph(text, options);
  const pair = (label: string, value: string) => {
    const top = layout.y;
    line(label, { font: bold });
    const after = layout.y;
    layout.y = top;
    line(value, { x: margin + 150 });
    layout.y = Math.min(after, layout.y);
  };

  // The seller as on every invoice (mentions.ts owns it): name, address, SIRET, VAT number.
  const seller = ASSOCIATION;
  line("La Conciergerie Solidaire", { font: bold, size: 16, color: green });
  line(`${seller.name} — ${seller.address.line}, ${seller.address.postalCode} ${seller.address.city}`, { size: 9 });
  line(`SIRET ${seller.siret} · TVA intracommunautaire ${seller.vatNumber} · ${seller.email}`, { size: 9, gap: 16 });
  line(`Devis ${q.reference}`, { font: bold, size: 14 });
  line(`Établi le ${q.issuedOn} · valable jusqu'au ${q.validUntil}`, { gap: 12 });
  pair("Client", q.partner.name);
  if (q.partner.billingAddress) pair("Adresse", q.partner.billingAddress);
  pair("Site", q.site);
  if (q.purchaseOrderNumber) pair("Bon de commande", q.purchaseOrderNumber);
  layout.y -= 8;
  pair("Prestation", q.prestation);
  pair("Prix unitaire", q.unitPrice);
  pair("Déroulement", q.schedule);
  pair("TVA", q.vatRate);
  layout.y -= 8;
  line(`Dates (${estimate.occurrences})`, { font: bold });
  for (const d of q.dates) line(`• ${d}`, { x: margin + 12 });
  layout.y -= 8;
  pair("Par intervention", q.amounts.perIntervention);
  pair("Total HT", q.amounts.exclVat);
  pair("TVA", q.amounts.vat);
  pair("Total TTC", q.amounts.inclVat);
  layout.y -= 8;
  line(`Ce que cette commande apporte : ${q.amounts.insertion} de travail rémunéré pour des personnes en insertion (Dispositif Premières Heures, Ville de Paris).`, { gap: 8 });
  line("La TVA est calculée ligne par ligne, arrondie au centime. La facture suit les heures réellement travaillées.", { size: 9 });
  line(`Ce devis est valable jusqu'au ${q.validUntil} ; après cette date, les prix peuvent changer.`, { size: 9, gap: 12 });
  if (q.accepted) line(q.accepted, { font: bold, color: green, gap: 8 });

  // « Bon pour accord »: what a partner's purchasing department signs and sends back.
  const boxHeight = 120;
  layout.room(boxHeight);
  line("Bon pour accord", { font: bold, size: 12 });
  line("Date, nom et qualité du signataire, signature précédée de la mention manuscrite « Bon pour accord » (et cachet de l'organisme).", { size: 9, gap: 6 });
  const top = layout.y + 10;
  layout.page.drawRectangle({ x: margin, y: top - boxHeight, width: width - 2 * margin, height: boxHeight, borderColor: rgb(0.6, 0.64, 0.68), borderWidth: 0.8 });
  layout.y = top - 16;
  line("Date :", { x: margin + 10 });
  layout.y -= 6;
  line("Nom et qualité du signataire :", { x: margin + 10 });
  layout.y -= 6;
  line("Signature et cachet :", { x: margin + 10 });
  layout.y = top - boxHeight - 8;
  return pdf.save();
}
