import { describe, expect, it } from "vitest";
import { pdfTexts } from "../../../tests/support/pdf-text.ts";
import { accessNoteOf, planningSheetPdf } from "./sheet-pdf.ts";

describe("the weekly planning sheet", () => {
  it("prints the access note typed on the order over the site's usual one, and the site's when the order has none", () => {
    expect(accessNoteOf("Badge à retirer à l'accueil, demander M. Martin", "Entrée rue de Bercy")).toBe("Badge à retirer à l'accueil, demander M. Martin");
    expect(accessNoteOf(null, "Entrée rue de Bercy")).toBe("Entrée rue de Bercy");
    expect(accessNoteOf("  ", "Entrée rue de Bercy")).toBe("Entrée rue de Bercy");
    expect(accessNoteOf(null, null)).toBeNull();
  });

  it("wraps a long note over several lines instead of cutting it after the first words", async () => {
    const note = `Badge à retirer à l'accueil du bâtiment B auprès de M. Martin, qui vous accompagne jusqu'au local ; clés du local au poste de sécurité.\nSonner deux fois.`;
    const bytes = await planningSheetPdf({
      person: "Aminata D.",
      week: "Semaine du 7 au 13 décembre 2026",
      totalHours: "3 h",
      targetHours: "6 h",
      lines: [
        { day: "lun. 7 déc.", time: "09:00 – 12:00", site: "Gare de Lyon", address: "Place Louis-Armand, 75012 Paris", prestation: "Nettoyage", encadrant: "Sandrine Lefebvre", accessNotes: note },
      ],
    });
    const text = (await pdfTexts(bytes)).join(" ");
    expect(text).toContain("Accès : Badge à retirer");
    expect(text).toContain("poste de sécurité.");
    expect(text).toContain("Sonner deux fois.");
  });
});
