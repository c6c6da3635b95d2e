// A person's weekly planning on one A4 page, printed by the encadrant and
// handed out: people in insertion have no account. pdf-lib's standard
// Helvetica (WinAnsi) covers French accents.
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { winAnsiSafe } from "~/domain/requests/quote-pdf.ts";
import { ofName } from "~/utils/format.ts";

export type SheetLine = { day: string; time: string; site: string; address: string; prestation: string; encadrant: string; accessNotes: string | null };
export type PlanningSheet = { person: string; week: string; totalHours: string; targetHours: string; lines: SheetLine[] };

export async function planningSheetPdf(sheet: PlanningSheet): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Planning ${ofName(sheet.person)}, ${sheet.week}`);
  pdf.setAuthor("La Conciergerie Solidaire (association Aurore)");
  pdf.setLanguage("fr-FR");
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [width, height, margin] = [595.28, 841.89, 48];
  let page = pdf.addPage([width, height]);
  let y = height - margin;
  const green = rgb(0.04, 0.37, 0.27);
  const ink = rgb(0.12, 0.16, 0.2);
  const text = (value: string, x: number, size = 10, font = regular, color = ink) => {
    let shown = winAnsiSafe(value);
    while (shown.length > 1 && font.widthOfTextAtSize(shown, size) > width - margin - x) shown = `${shown.slice(0, -2)}…`;
    page.drawText(shown, { x, y, size, font, color });
  };
  const down = (gap: number) => {
    y -= gap;
    if (y < margin + 40) {
      page = pdf.addPage([width, height]);
      y = height - margin;
    }
  };

  text("La Conciergerie Solidaire", margin, 16, bold, green);
  down(20);
  text(`Planning ${ofName(sheet.person)}`, margin, 14, bold);
  down(18);
  text(sheet.week, margin, 11);
  down(16);
  text(`Heures prévues : ${sheet.totalHours} (objectif de la semaine : ${sheet.targetHours})`, margin, 10);
  down(26);
  if (sheet.lines.length === 0) {
    text("Pas d'intervention prévue cette semaine.", margin, 11);
    down(16);
  }
  for (const line of sheet.lines) {
    page.drawLine({ start: { x: margin, y: y + 14 }, end: { x: width - margin, y: y + 14 }, thickness: 0.5, color: rgb(0.85, 0.88, 0.92) });
    text(line.day, margin, 11, bold);
    text(line.time, margin + 170, 11, bold);
    down(15);
    text(`${line.prestation} — ${line.site}`, margin, 10);
    down(13);
    text(line.address, margin, 10);
    down(13);
    text(`Encadrant : ${line.encadrant}`, margin, 10);
    down(13);
    if (line.accessNotes) {
      text(`Accès : ${line.accessNotes}`, margin, 9);
      down(12);
    }
    down(14);
  }
  down(10);
  text("En cas d'empêchement, prévenez votre encadrant technique le plus tôt possible.", margin, 9);
  return pdf.save();
}
