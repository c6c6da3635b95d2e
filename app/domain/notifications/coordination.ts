import { buildMail, type Mail } from "~/domain/mail/layout.ts";
import { formatDateTime, formatMinutes } from "~/utils/format.ts";

// What coordination is told by email. No person's name: the link opens the
// intervention in the app, where coordination sees who it is.

export type HoursAlertFacts = { site: string; startsAt: Date; plannedMinutes: number; recordedMinutes: number; pastWeeklyCap: boolean; link: string };

export function hoursAlertMail(to: string, f: HoursAlertFacts): Mail {
  const gap = f.recordedMinutes - f.plannedMinutes;
  const paragraphs = [
    "Bonjour,",
    `Des heures viennent d'être enregistrées pour une personne de l'équipe de l'intervention ${f.site} du ${formatDateTime(f.startsAt)} : ${formatMinutes(f.recordedMinutes)} pour ${formatMinutes(f.plannedMinutes)} prévues (${gap >= 0 ? "+" : "−"}${formatMinutes(Math.abs(gap))}).`,
    ...(f.pastWeeklyCap ? ["Avec ces heures, la personne dépasse son plafond de la semaine (Dispositif Premières Heures)."] : []),
    "Les heures sont gardées telles quelles pour la paie ; vérifiez-les avec l'encadrant si besoin.",
  ];
  return buildMail(to, `Heures à vérifier : ${f.site}, ${formatDateTime(f.startsAt)}`, paragraphs, { href: f.link, label: "Voir l'intervention" });
}
