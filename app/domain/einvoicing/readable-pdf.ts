// The human-readable side of a Factur-X document (and the internal statement):
// an A4 PDF drawn with pdf-lib from the same EN 16931 model as the XML. Fonts
// are embedded (DejaVu Sans, subset) as PDF/A requires; the bytes of the fonts
// come from the caller, so this stays free of I/O.
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type RGB } from "pdf-lib";
import { PdfLayout } from "~/domain/pdf/layout.ts";
import { quantityLabel, unitPriceLabel } from "~/domain/invoicing/document-lines.ts";
import { formatEuros, formatVatRate } from "~/utils/format.ts";
import type { EN16931Document, EN16931Party, PostalAddress } from "./en16931.ts";

export type Fonts = { regular: Uint8Array; bold: Uint8Array };

// pdf-lib parses a font at every embedding (DejaVu Sans: tens of milliseconds);
// the parsed font is kept per font file and reused (each document still gets
// its own subset). Text is laid out one glyph per character, without OpenType
// shaping: no ligature ("ﬁ") can break the text a reader or a search extracts,
// and shaping was a third of the time spent on a document.
type FontkitFont = ReturnType<typeof fontkit.create>;
type Glyph = { advanceWidth: number };
const parsed = new WeakMap<Uint8Array, FontkitFont>();
const cachingFontkit = {
  ...fontkit,
  create(data: Uint8Array, postscriptName?: string) {
    let font = parsed.get(data);
    if (!font) {
      font = fontkit.create(data, postscriptName);
      const f = font as unknown as { glyphForCodePoint(cp: number): Glyph; layout: unknown };
      f.layout = (text: string) => {
        const glyphs = [...text].map((ch) => f.glyphForCodePoint(ch.codePointAt(0)!));
        return { glyphs, positions: glyphs.map((g) => ({ xAdvance: g.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 })) };
      };
      parsed.set(data, font);
    }
    return font;
  },
} as typeof fontkit;

const TITLES = { "380": "Facture", "381": "Avoir" } as const;
const frDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const oneLine = (a: PostalAddress) => [a.line, [a.postalCode, a.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
const spacedSiret = (s: string) => s.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, "$1 $2 $3 $4");

export type ReadableOptions = {
  /** "Relevé interne" for Aurore's own sites: same layout, no Factur-X, no legal invoice mentions. */
  title?: string;
  footer?: string;
};

export async function readablePdf(doc: EN16931Document, fonts: Fonts, options: ReadableOptions = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cachingFontkit);
  const regular = await pdf.embedFont(fonts.regular, { subset: true });
  const bold = await pdf.embedFont(fonts.bold, { subset: true });
  const title = `${options.title ?? TITLES[doc.typeCode]} ${doc.number}`;
  pdf.setTitle(title);
  pdf.setLanguage("fr-FR");
  // Widths from each character's advance, cached (no kerning): fontkit's full
  // shaping of every candidate line was most of the time spent on a document.
  const layout = new PdfLayout(pdf, { fonts: { regular, bold }, margin: 48, cacheWidths: true });
  const { width, margin } = layout;
  const ink = rgb(0.12, 0.16, 0.2);
  const green = rgb(0.04, 0.37, 0.27);
  const grey = rgb(0.4, 0.43, 0.47);
  const ensure = (space: number) => layout.room(space);
  const wrap = (text: string, font: PDFFont, size: number, max: number) => layout.wrap(text, { font, size, max });
  const text = (value: string, x: number, opts: { font?: PDFFont; size?: number; color?: RGB; max?: number } = {}) => layout.text(value, x, { size: 9, color: ink, ...opts });
  const right = (value: string, xRight: number, opts: { font?: PDFFont; size?: number } = {}) => layout.alignRight(value, xRight, { size: 9, color: ink, ...opts });

  // Header
  layout.page.drawText(title, { x: margin, y: layout.y, size: 18, font: bold, color: green });
  layout.y -= 24;
  const dates = [`Date d'émission : ${frDate(doc.issueDate)}`, `Période : du ${frDate(doc.period.start)} au ${frDate(doc.period.end)}`];
  if (doc.dueDate) dates.push(`Échéance : ${frDate(doc.dueDate)}`);
  if (doc.precedingInvoice) dates.push(`Rectifie la facture ${doc.precedingInvoice.number} du ${frDate(doc.precedingInvoice.issueDate)}`);
  layout.y -= text(dates.join("   ·   "), margin, { color: grey });
  layout.y -= 12;

  // Parties, side by side
  const partyBlock = (label: string, p: EN16931Party, x: number) => {
    let h = 0;
    const at = (v: string, o: { font?: PDFFont; color?: ReturnType<typeof rgb> } = {}) => {
      const saved = layout.y;
      layout.y -= h;
      h += text(v, x, { ...o, max: 240 });
      layout.y = saved;
    };
    at(label, { color: grey });
    at(p.name, { font: bold });
    at(oneLine(p.address));
    at(`SIREN ${p.siren} · SIRET ${spacedSiret(p.siret)}`);
    if (p.vatNumber) at(`N° TVA ${p.vatNumber}`);
    return h;
  };
  ensure(90);
  const h = Math.max(partyBlock("Émetteur", doc.seller, margin), partyBlock(doc.typeCode === "381" ? "Client" : "Client (facturé à)", doc.buyer, width / 2 + 10));
  layout.y -= h + 8;
  if (doc.delivery) layout.y -= text(`Lieu d'exécution des prestations : ${doc.delivery.name}, ${oneLine(doc.delivery.address)}`, margin) + 2;
  else if (doc.sites.length > 1) layout.y -= text(`Lieux d'exécution : ${doc.sites.map((s) => `${s.name} (${oneLine(s.address)})`).join(" ; ")}`, margin) + 2;
  if (doc.purchaseOrder) layout.y -= text(`Bon de commande : ${doc.purchaseOrder}`, margin) + 2;
  layout.y -= 10;

  // Lines
  const cols = { qty: 360, price: 420, vat: 470, amount: width - margin };
  const header = () => {
    ensure(30);
    layout.page.drawRectangle({ x: margin - 4, y: layout.y - 4, width: width - 2 * margin + 8, height: 16, color: rgb(0.93, 0.96, 0.94) });
    layout.page.drawText("Désignation", { x: margin, y: layout.y, size: 8.5, font: bold, color: ink });
    right("Quantité", cols.qty, { font: bold, size: 8.5 });
    right("PU HT", cols.price, { font: bold, size: 8.5 });
    right("TVA", cols.vat, { font: bold, size: 8.5 });
    right("Montant HT", cols.amount, { font: bold, size: 8.5 });
    layout.y -= 18;
  };
  header();
  layout.onNewPage = header;
  for (const l of doc.lines) {
    const label = l.note ? `${l.name}\n${l.note}` : l.name;
    const lines = wrap(label, regular, 8.5, cols.qty - margin - 70);
    layout.room(lines.length * 11.5); // a new page draws the header again
    const used = text(label, margin, { size: 8.5, max: cols.qty - margin - 70 });
    const pricing = { quantity: Number(l.quantity), unitCode: l.unitCode, unitPriceCents: l.netPriceCents, baseQuantity: l.baseQuantity ? (60 as const) : null };
    right(quantityLabel(pricing), cols.qty, { size: 8.5 });
    right(unitPriceLabel(pricing), cols.price, { size: 8.5 });
    right(formatVatRate(l.vatRateBasisPoints), cols.vat, { size: 8.5 });
    right(formatEuros(l.netAmountCents), cols.amount, { size: 8.5 });
    layout.y -= used + 4;
  }
  layout.onNewPage = null;
  layout.y -= 6;

  // VAT breakdown and totals
  ensure(40 + doc.vatBreakdown.length * 14 + 60);
  layout.page.drawLine({ start: { x: margin, y: layout.y + 6 }, end: { x: width - margin, y: layout.y + 6 }, thickness: 0.5, color: grey });
  layout.y -= 6;
  layout.page.drawText("TVA par taux", { x: margin, y: layout.y, size: 9, font: bold, color: ink });
  layout.y -= 14;
  for (const b of doc.vatBreakdown) {
    const label = b.category === "E" ? `Exonéré (${b.exemptionCode}) : ${b.exemptionReason}` : `TVA ${formatVatRate(b.rateBasisPoints)}`;
    const used = text(`${label} — base ${formatEuros(b.basisCents)}`, margin, { size: 8.5, max: 330 });
    right(formatEuros(b.taxCents), cols.amount, { size: 8.5 });
    layout.y -= used + 2;
  }
  layout.y -= 6;
  const total = (label: string, cents: number, strong = false) => {
    layout.page.drawText(label, { x: cols.price - 60, y: layout.y, size: strong ? 10 : 9, font: strong ? bold : regular, color: ink });
    right(formatEuros(cents), cols.amount, { font: strong ? bold : regular, size: strong ? 10 : 9 });
    layout.y -= strong ? 16 : 13;
  };
  total("Total HT", doc.totals.taxBasisCents);
  total("Total TVA", doc.totals.taxCents);
  total("Total TTC", doc.totals.grandTotalCents, true);
  total(doc.typeCode === "381" ? "Montant de l'avoir" : "Net à payer", doc.totals.duePayableCents, true);
  layout.y -= 8;

  // Payment: the account of BG-17, as in the XML.
  const account = doc.paymentMeans.account;
  if (account) {
    ensure(40);
    layout.page.drawText(doc.typeCode === "381" ? "Coordonnées bancaires de l'émetteur" : "Règlement par virement SEPA", { x: margin, y: layout.y, size: 9, font: bold, color: ink });
    layout.y -= 13;
    layout.y -= text(`IBAN ${account.iban.replace(/(.{4})(?=.)/g, "$1 ")}   ·   BIC ${account.bic}   ·   Titulaire : ${account.accountName}`, margin, { size: 8.5 }) + 8;
  }

  // Mentions
  const mentions = [doc.paymentTerms, ...doc.notes.map((n) => n.text)];
  if (options.footer) mentions.push(options.footer);
  for (const m of mentions) {
    ensure(24);
    layout.y -= text(m, margin, { size: 8, color: grey }) + 2;
  }
  // No object streams: the Factur-X step parses this file again, and their compression would be wasted.
  return pdf.save({ useObjectStreams: false });
}
