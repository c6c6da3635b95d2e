import { describe, expect, it } from "vitest";
import { quotePdf, winAnsiSafe } from "./quote-pdf.ts";

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
});
