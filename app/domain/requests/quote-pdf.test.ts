import { decodePDFRawStream, PDFArray, PDFDocument, PDFName, type PDFRawStream } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { ASSOCIATION } from "~/domain/invoicing/mentions.ts";
import { winAnsiSafe } from "~/domain/pdf/layout.ts";
import { quotePdf, quoteValidUntil, type QuoteDocument } from "./quote-pdf.ts";

/** The strings the quote draws (Helvetica, WinAnsi), one per drawn line, in order. */
async function drawnText(bytes: Uint8Array): Promise<string> {
  const pdf = await PDFDocument.load(bytes);
  const decoder = new TextDecoder("windows-1252");
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const contents = pdf.context.lookup(page.node.get(PDFName.of("Contents")) as never);
    const streams = contents instanceof PDFArray ? Array.from({ length: contents.size() }, (_, i) => pdf.context.lookup(contents.get(i) as never)) : [contents];
    for (const stream of streams) {
      const ops = new TextDecoder("latin1").decode(decodePDFRawStream(stream as PDFRawStream).decode());
      for (const m of ops.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) lines.push(decoder.decode(Uint8Array.from(m[1]!.match(/.{2}/g) ?? [], (h) => parseInt(h, 16))));
    }
  }
  return lines.join("\n");
}

const quote: QuoteDocument = {
  reference: "DEM-2026-00042",
  issuedOn: "29 novembre 2026",
  validUntil: "29 décembre 2026",
  partner: { name: "Mon Jardin Chocolaté", billingAddress: "21 rue Boulard, 75014 Paris" },
  site: "Atelier, 21 rue Boulard, 75014 Paris",
  prestation: "Entretien des espaces verts",
  unitPrice: "22,00 € HT par heure et par personne",
  vatRate: "20 %",
  schedule: "Une fois, 3 h",
  dates: ["4 décembre 2026 à 09:00"],
  purchaseOrderNumber: null,
  amounts: { perIntervention: "198,00 €", exclVat: "198,00 €", vat: "39,60 €", inclVat: "237,60 €", insertion: "9 h" },
  accepted: null,
};

describe("quote PDF", () => {
  it("keeps French accents and the euro sign, replaces what Helvetica cannot draw", () => {
    expect(winAnsiSafe("Élagage à 1\u202f234,56\u00a0€ — œuvre")).toBe("Élagage à 1\u00a0234,56\u00a0€ — œuvre");
    expect(winAnsiSafe("日本 🙂")).toBe("?? ?");
  });
  it("builds a PDF with many dates and a hostile note", async () => {
    const bytes = await quotePdf(
      {
        reference: "DEM-2026-00001",
        issuedOn: "29 novembre 2026",
        validUntil: "29 décembre 2026",
        partner: { name: "Mon Jardin Chocolaté", billingAddress: "21 rue Boulard, 75014 Paris" },
        site: "Atelier <script>alert(1)</script>",
        prestation: "Entretien des espaces verts",
        unitPrice: "22,00\u00a0€ HT par heure et par personne",
        vatRate: "20 %",
        schedule: "Chaque semaine, 3 h",
        dates: Array.from({ length: 52 }, (_, i) => `date ${i + 1}`),
        purchaseOrderNumber: "4500012340",
        amounts: { perIntervention: "198,00 €", exclVat: "1 000,00 €", vat: "200,00 €", inclVat: "1 200,00 €", insertion: "468 h" },
        accepted: null,
      },
      { occurrences: 52 },
    );
    expect(Buffer.from(bytes.slice(0, 5)).toString()).toBe("%PDF-");
  });
  it("says until when it holds, has a « Bon pour accord » block, and gives the seller as the invoices do (address, SIRET)", async () => {
    const text = await drawnText(await quotePdf(quote, { occurrences: 1 }));
    expect(text).toContain("Établi le 29 novembre 2026 · valable jusqu'au 29 décembre 2026");
    expect(text).toContain("Bon pour accord");
    for (const field of ["Date :", "Nom et qualité du signataire :", "Signature et cachet :"]) expect(text).toContain(field);
    // The seller's identity has one owner, the one the invoices' Factur-X reads (documentSettings).
    expect(text).toContain(`${ASSOCIATION.address.line}, ${ASSOCIATION.address.postalCode} ${ASSOCIATION.address.city}`);
    expect(text).toContain(`SIRET ${ASSOCIATION.siret}`);
    expect(text).not.toContain("Exelmans");
  });

  it("holds 30 days from the day it is made", () => {
    expect(quoteValidUntil(new Date("2026-11-29T10:00:00Z")).toISOString()).toBe("2026-12-29T10:00:00.000Z");
  });
});
