import { describe, expect, it } from "vitest";
import { pdfTexts } from "../../../tests/support/pdf-text.ts";
import { certificateFigures, impactCertificatePdf, type InsertionRow } from "./impact-certificate.ts";

const rows: InsertionRow[] = [
  { interventionId: "a", month: "2026-01", category: "Espaces verts", minutes: 540 },
  { interventionId: "b", month: "2026-01", category: "Propreté", minutes: 90 },
  { interventionId: "c", month: "2026-03", category: "Espaces verts", minutes: 725 },
  { interventionId: "d", month: "2025-12", category: "Propreté", minutes: 600 }, // another year
  { interventionId: "e", month: "2026-03", category: "Déchets", minutes: 0 }, // everyone absent
];

describe("impact certificate figures", () => {
  it("sums the hours worked per month, per category and for the year, counting interventions where someone worked", () => {
    const f = certificateFigures(2026, rows);
    expect(f.totalMinutes).toBe(540 + 90 + 725);
    expect(f.interventions).toBe(3);
    expect(f.months).toHaveLength(12);
    expect(f.months[0]).toEqual({ month: "2026-01", label: "janvier 2026", minutes: 630, interventions: 2 });
    expect(f.months[1]).toMatchObject({ minutes: 0, interventions: 0 });
    expect(f.months[2]).toMatchObject({ minutes: 725, interventions: 1 });
    expect(f.months.reduce((s, m) => s + m.minutes, 0)).toBe(f.totalMinutes);
    expect(f.categories).toEqual([
      { category: "Espaces verts", minutes: 1265, interventions: 2 },
      { category: "Propreté", minutes: 90, interventions: 1 },
    ]);
  });

  it("is all zeros for a year without work", () => {
    const f = certificateFigures(2024, rows);
    expect(f).toMatchObject({ totalMinutes: 0, interventions: 0, categories: [] });
  });
});

describe("impact certificate PDF", () => {
  it("reads back in French with the partner, the association, the months, the categories and the totals", async () => {
    const bytes = await impactCertificatePdf({
      figures: certificateFigures(2026, rows),
      partner: { name: "Mon Jardin Chocolaté", siret: "12345678900011", address: "21 rue Boulard, 75014 Paris" },
      issuedOn: "29 novembre 2026",
      stoppedOn: "29 novembre 2026",
    });
    const texts = await pdfTexts(bytes);
    const all = texts.join("\n");
    expect(all).toContain("Attestation d'heures de travail en insertion · année 2026");
    expect(all).toContain("Bénéficiaire de l'attestation : Mon Jardin Chocolaté");
    expect(all).toContain("SIRET 775 663 438 00034");
    expect(all).toContain("Total 2026 : 22 h 35 · 3 interventions");
    expect(all).toContain("Année en cours : chiffres arrêtés au 29 novembre 2026.");
    expect(all).toContain("Fait à Paris, le 29 novembre 2026.");
    // The tables: each row is its cells in order.
    const rowAfter = (label: string) => texts.slice(texts.indexOf(label), texts.indexOf(label) + 3);
    expect(rowAfter("Janvier 2026")).toEqual(["Janvier 2026", "2", "10 h 30"]);
    expect(rowAfter("Février 2026")).toEqual(["Février 2026", "0", "0 min"]);
    expect(rowAfter("Mars 2026")).toEqual(["Mars 2026", "1", "12 h 05"]);
    expect(rowAfter("Espaces verts")).toEqual(["Espaces verts", "2", "21 h 05"]);
    expect(rowAfter("Propreté")).toEqual(["Propreté", "1", "1 h 30"]);
    expect(texts.filter((t) => t === "Total")).toHaveLength(1);
    expect(rowAfter("Total")).toEqual(["Total", "3", "22 h 35"]);
  });
});
