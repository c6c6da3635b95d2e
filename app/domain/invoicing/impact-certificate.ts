// The yearly impact certificate: hours of work in insertion a partner's orders
// gave, per month and per kind of prestation, as a PDF for its CSR report.
// Pure: the data layer gives the hours actually worked, one row per intervention.
import { PDFDocument, StandardFonts, type PDFFont, type RGB } from "pdf-lib";
import { COLOURS, PdfLayout, winAnsiSafe } from "~/domain/pdf/layout.ts";
import { formatMinutes } from "~/utils/format.ts";
import { ASSOCIATION } from "./mentions.ts";
import { monthLabel } from "./period.ts";

/** One intervention's hours worked by people in insertion (absences excluded). */
export type InsertionRow = { interventionId: string; month: string; category: string; minutes: number };

export type CertificateFigures = {
  year: number;
  totalMinutes: number;
  interventions: number;
  months: { month: string; label: string; minutes: number; interventions: number }[];
  categories: { category: string; minutes: number; interventions: number }[];
};

/** The year's figures: twelve months (empty ones included), the total, and each category. */
export function certificateFigures(year: number, rows: readonly InsertionRow[]): CertificateFigures {
  const months = Array.from({ length: 12 }, (_, k) => {
    const month = `${year}-${String(k + 1).padStart(2, "0")}`;
    return { month, label: monthLabel(month), minutes: 0, interventions: 0 };
  });
  const categories = new Map<string, { category: string; minutes: number; interventions: number }>();
  let totalMinutes = 0;
  let interventions = 0;
  for (const r of rows) {
    const m = months.find((x) => x.month === r.month);
    if (!m || r.minutes <= 0) continue; // another year, or nobody worked
    m.minutes += r.minutes;
    m.interventions += 1;
    const c = categories.get(r.category) ?? categories.set(r.category, { category: r.category, minutes: 0, interventions: 0 }).get(r.category)!;
    c.minutes += r.minutes;
    c.interventions += 1;
    totalMinutes += r.minutes;
    interventions += 1;
  }
  return {
    year,
    totalMinutes,
    interventions,
    months,
    categories: [...categories.values()].sort((a, b) => b.minutes - a.minutes || a.category.localeCompare(b.category, "fr")),
  };
}

export type CertificateDocument = {
  figures: CertificateFigures;
  partner: { name: string; siret: string | null; address: string | null };
  issuedOn: string; // "29 novembre 2026"
  /** Set while the year is not over: the figures stop at this date. */
  stoppedOn: string | null;
};

/** The certificate, in French, on A4 (Helvetica: WinAnsi covers accents). */
export async function impactCertificatePdf(doc: CertificateDocument): Promise<Uint8Array> {
  const { figures: f } = doc;
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Attestation d'heures d'insertion ${f.year} · ${winAnsiSafe(doc.partner.name)}`);
  pdf.setAuthor("La Conciergerie Solidaire (association Aurore)");
  pdf.setSubject(`${formatMinutes(f.totalMinutes)} de travail en insertion en ${f.year}`);
  pdf.setLanguage("fr-FR");
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const layout = new PdfLayout(pdf, { fonts: { regular, bold }, margin: 56, encode: winAnsiSafe });
  const { margin } = layout;
  const { green, grey } = COLOURS;
  const line = (text: string, o: { font?: PDFFont; size?: number; color?: RGB; gap?: number } = {}) => layout.paragraph(text, o);
  /** A table row: first cell left, the others right-aligned in fixed columns. */
  const rightEdges = [margin + 300, layout.right];
  const row = (cells: [string, string, string], o: { font?: PDFFont; rule?: boolean } = {}) => {
    layout.room(10 * 1.8);
    layout.columns(cells, rightEdges, { font: o.font });
    if (o.rule) layout.rule(-4, grey);
    layout.y -= 10 * 1.55;
  };
  const interventionsText = (n: number) => `${n} intervention${n > 1 ? "s" : ""}`;

  line("La Conciergerie Solidaire", { font: bold, size: 16, color: green });
  line(`${ASSOCIATION.name} · SIRET ${ASSOCIATION.siret}`, { size: 9, color: grey, gap: 18 });
  line(`Attestation d'heures de travail en insertion · année ${f.year}`, { font: bold, size: 14, gap: 10 });
  line(`Bénéficiaire de l'attestation : ${doc.partner.name}`, { font: bold });
  if (doc.partner.siret) line(`SIRET ${doc.partner.siret}`);
  if (doc.partner.address) line(doc.partner.address);
  layout.y -= 10;
  line(
    `L'association Aurore, pour La Conciergerie Solidaire, atteste que les prestations commandées par ${doc.partner.name} ont donné, ` +
      `du 1er janvier au ${doc.stoppedOn ?? `31 décembre ${f.year}`}, ${formatMinutes(f.totalMinutes)} de travail rémunéré à des personnes en parcours d'insertion ` +
      `(Dispositif Premières Heures de la Ville de Paris), au cours de ${interventionsText(f.interventions)}.`,
    { gap: 12 },
  );
  line(`Total ${f.year} : ${formatMinutes(f.totalMinutes)} · ${interventionsText(f.interventions)}`, { font: bold, size: 12, color: green, gap: 10 });

  line("Par mois", { font: bold, size: 11, gap: 4 });
  row(["Mois", "Interventions", "Heures d'insertion"], { font: bold, rule: true });
  for (const m of f.months) row([capitalise(m.label), String(m.interventions), formatMinutes(m.minutes)]);
  row(["Total", String(f.interventions), formatMinutes(f.totalMinutes)], { font: bold });
  layout.y -= 8;

  line("Par catégorie de prestation", { font: bold, size: 11, gap: 4 });
  row(["Catégorie", "Interventions", "Heures d'insertion"], { font: bold, rule: true });
  if (f.categories.length === 0) row(["Aucune intervention réalisée", "0", formatMinutes(0)]);
  for (const c of f.categories) row([c.category, String(c.interventions), formatMinutes(c.minutes)]);
  layout.y -= 10;

  line(
    "Méthode : heures réellement travaillées par les salariés en insertion, relevées par l'encadrant technique à chaque intervention réalisée ; " +
      "les absences et les heures des encadrants ne sont pas comptées. Ces chiffres sont ceux du tableau de bord de la Conciergerie.",
    { size: 9, color: grey, gap: 4 },
  );
  if (doc.stoppedOn) line(`Année en cours : chiffres arrêtés au ${doc.stoppedOn}.`, { size: 9, color: grey, gap: 4 });
  layout.y -= 12;
  layout.room(60); // the sign-off stays in one piece
  line(`Fait à Paris, le ${doc.issuedOn}.`);
  line("Pour l'association Aurore, la direction de La Conciergerie Solidaire", { font: bold });
  line(`${ASSOCIATION.name}, SIRET ${ASSOCIATION.siret}`, { size: 9, color: grey });
  return pdf.save();
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
