import { PDFDocument, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { pdfTexts } from "../../../tests/support/pdf-text.ts";
import { PdfLayout, winAnsiSafe, wrapText } from "./layout.ts";

const chars = (s: string) => s.length;

describe("the PDF layout every document uses", () => {
  it("wraps by words, keeps line breaks, and ends a cut text with an ellipsis", () => {
    expect(wrapText("un deux trois quatre cinq six", chars, 9, 2)).toEqual(["un deux", "trois …"]);
    expect(wrapText("un deux trois quatre cinq six", chars, 9)).toEqual(["un deux", "trois", "quatre", "cinq six"]);
    expect(wrapText("Entrée B\nSonner deux fois", chars, 40)).toEqual(["Entrée B", "Sonner deux fois"]);
  });

  it("cuts a word wider than a line (a pasted URL) instead of drawing it off the page", () => {
    const lines = wrapText("voir https://exemple.fr/un/tres/long/chemin fin", chars, 12);
    expect(lines.every((l) => l.length <= 12)).toBe(true);
    expect(lines.join("").replaceAll(" ", "")).toBe("voirhttps://exemple.fr/un/tres/long/cheminfin");
  });

  it("goes on to a new page, drawing its header again, when the text reaches the foot", async () => {
    const pdf = await PDFDocument.create();
    const regular = await pdf.embedFont(StandardFonts.Helvetica);
    const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
    const layout = new PdfLayout(pdf, { fonts: { regular, bold }, margin: 48, encode: winAnsiSafe });
    layout.onNewPage = () => layout.paragraph("En-tête du tableau", { font: bold });
    for (let n = 1; n <= 80; n++) layout.paragraph(`Ligne ${n} — coût 12 €`);
    expect(pdf.getPageCount()).toBe(2);
    const text = (await pdfTexts(await pdf.save())).join("\n");
    expect(text).toContain("Ligne 80 — coût 12 €");
    expect(text).toContain("En-tête du tableau");
  });
});
