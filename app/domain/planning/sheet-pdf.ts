// A person's weekly planning on one A4 page, printed by the encadrant and
// handed out: people in insertion have no account. pdf-lib's standard
// Helvetica (WinAnsi) covers French accents.
import { PDFDocument, StandardFonts, type PDFFont, type RGB } from "pdf-lib";
import { COLOURS, PdfLayout, winAnsiSafe } from "~/domain/pdf/layout.ts";
import { ofName } from "~/utils/format.ts";

export type SheetLine = {
  day: string;
  time: string;
  site: string;
  address: string;
  prestation: string;
  /** The person's sheet names the encadrant; the week's sheet groups by encadrant and names the team. */
  encadrant?: string;
  team?: string;
  accessNotes: string | null;
};

/**
 * The access note a person reads for one intervention: the one the partner
 * typed on the order ("Badge à retirer… M. Martin") when there is one, else
 * the site's usual note.
 */
export function accessNoteOf(orderNote: string | null | undefined, siteNote: string | null | undefined): string | null {
  return orderNote?.trim() || siteNote?.trim() || null;
}

const ACCESS_NOTE_MAX_LINES = 6;
export type PlanningSheet = { person: string; week: string; totalHours: string; targetHours: string; lines: SheetLine[] };
export type WeekSheet = { week: string; summary: string; sections: { title: string; lines: SheetLine[] }[] };

/** One A4 document: a title block, then dated lines, one layout for every printed planning. */
async function sheetDocument(title: string) {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setAuthor("La Conciergerie Solidaire (association Aurore)");
  pdf.setLanguage("fr-FR");
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  // 40 points kept free at the foot of each page.
  const layout = new PdfLayout(pdf, { fonts: { regular, bold }, margin: 48, footRoom: 40, encode: winAnsiSafe });
  const { margin } = layout;
  const green = COLOURS.green;
  const text = (value: string, x: number, size = 10, font: PDFFont = regular, color: RGB = COLOURS.ink) => layout.line(value, x, { size, font, color });
  const down = (gap: number) => layout.down(gap);
  /** Keeps a block of this height on one page. */
  const room = (needed: number) => layout.room(needed);
  const line = (l: SheetLine) => {
    room(70);
    layout.rule(14);
    text(l.day, margin, 11, bold);
    text(l.time, margin + 170, 11, bold);
    down(15);
    text(`${l.prestation} — ${l.site}`, margin, 10);
    down(13);
    text(l.address, margin, 10);
    down(13);
    if (l.encadrant) {
      text(`Encadrant : ${l.encadrant}`, margin, 10);
      down(13);
    }
    if (l.team) {
      text(`Équipe : ${l.team}`, margin, 10);
      down(13);
    }
    if (l.accessNotes) {
      // A note typed on the order may be long and on several lines: wrapped, not cut after the first words.
      for (const row of layout.wrap(`Accès : ${l.accessNotes}`, { size: 9, max: layout.right - margin, maxLines: ACCESS_NOTE_MAX_LINES })) {
        text(row, margin, 9);
        down(12);
      }
    }
    down(14);
  };
  text("La Conciergerie Solidaire", margin, 16, bold, green);
  down(20);
  return { pdf, text, down, room, line, bold, green };
}

export async function planningSheetPdf(sheet: PlanningSheet): Promise<Uint8Array> {
  const { pdf, text, down, line, bold } = await sheetDocument(`Planning ${ofName(sheet.person)}, ${sheet.week}`);
  text(`Planning ${ofName(sheet.person)}`, 48, 14, bold);
  down(18);
  text(sheet.week, 48, 11);
  down(16);
  text(`Heures prévues : ${sheet.totalHours} (objectif de la semaine : ${sheet.targetHours})`, 48, 10);
  down(26);
  if (sheet.lines.length === 0) {
    text("Pas d'intervention prévue cette semaine.", 48, 11);
    down(16);
  }
  for (const l of sheet.lines) line(l);
  down(10);
  text("En cas d'empêchement, prévenez votre encadrant technique le plus tôt possible.", 48, 9);
  return pdf.save();
}

/** The coordination's whole week, one section per encadrant (the interventions without a team first). */
export async function weekPlanningPdf(sheet: WeekSheet): Promise<Uint8Array> {
  const { pdf, text, down, room, line, bold, green } = await sheetDocument(`Planning de la semaine, ${sheet.week}`);
  text("Planning de la semaine", 48, 14, bold);
  down(18);
  text(sheet.week, 48, 11);
  down(16);
  text(sheet.summary, 48, 10);
  down(26);
  if (sheet.sections.length === 0) {
    text("Pas d'intervention cette semaine.", 48, 11);
    down(16);
  }
  for (const section of sheet.sections) {
    room(100);
    text(section.title, 48, 13, bold, green);
    down(24);
    for (const l of section.lines) line(l);
    down(6);
  }
  return pdf.save();
}
