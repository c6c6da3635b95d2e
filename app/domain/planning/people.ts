// The people in insertion, as coordinators follow them: planned hours against
// the weekly target, DPH alerts, the monthly payroll and DPH figures. Pure.
import { toCsv } from "~/utils/csv.ts";

import { DPH_MAX_MINUTES, DPH_MIN_MINUTES, weeklyCeilingMinutes } from "~/domain/dph.ts";

export { DPH_MAX_MINUTES, DPH_MIN_MINUTES };
const DAY_MS = 86_400_000;

export type ParticipantAlert = { kind: "contract-ending" | "under-3h" | "over-16h"; label: string };

/** Alerts of one worker for a week: contract ending within 30 days, under 3 h planned, over 16 h. */
export function participantAlerts(w: { contractEnd: Date; plannedMinutes: number; weeklyMaxMinutes: number }, today: Date): ParticipantAlert[] {
  const alerts: ParticipantAlert[] = [];
  const daysLeft = Math.floor((w.contractEnd.getTime() - today.getTime()) / DAY_MS);
  if (daysLeft <= 30) alerts.push({ kind: "contract-ending", label: daysLeft < 0 ? "contrat terminé" : `contrat se termine dans ${daysLeft} j` });
  if (w.plannedMinutes < DPH_MIN_MINUTES) alerts.push({ kind: "under-3h", label: "moins de 3 h cette semaine" });
  if (w.plannedMinutes > weeklyCeilingMinutes(w.weeklyMaxMinutes)) alerts.push({ kind: "over-16h", label: "plus de 16 h prévues" });
  return alerts;
}

/** Where a weekly target sits on the DPH path from 3 h to 16 h, as 0..100. */
export const progressionPercent = (targetMinutes: number) =>
  Math.round((100 * (Math.min(DPH_MAX_MINUTES, Math.max(DPH_MIN_MINUTES, targetMinutes)) - DPH_MIN_MINUTES)) / (DPH_MAX_MINUTES - DPH_MIN_MINUTES));

/** Minutes as "2,50" hours for a spreadsheet (French decimal comma). */
export const hoursCsv = (minutes: number) => (minutes / 60).toFixed(2).replace(".", ",");

export type WorkedEntry = {
  participantId: string;
  firstName: string;
  lastInitial: string;
  minutesWorked: number;
  absent: boolean;
  day: string; // YYYY-MM-DD, Paris
  organisationId: string;
  organisationName: string;
};

/** Payroll: one line per person, hours actually worked in the month, days worked and absences. */
export function payrollRows(entries: readonly WorkedEntry[]) {
  const byParticipant = new Map<string, { name: string; minutes: number; days: Set<string>; interventions: number; absences: number }>();
  for (const e of entries) {
    const row = byParticipant.get(e.participantId) ?? { name: `${e.firstName} ${e.lastInitial}.`, minutes: 0, days: new Set<string>(), interventions: 0, absences: 0 };
    if (e.absent) row.absences++;
    else {
      row.minutes += e.minutesWorked;
      row.interventions++;
      row.days.add(e.day);
    }
    byParticipant.set(e.participantId, row);
  }
  return [...byParticipant.entries()]
    .map(([participantId, r]) => ({ participantId, name: r.name, minutes: r.minutes, days: r.days.size, interventions: r.interventions, absences: r.absences }))
    .sort((a, b) => a.name.localeCompare(b.name, "fr") || a.participantId.localeCompare(b.participantId));
}

export function payrollCsv(month: string, entries: readonly WorkedEntry[]): string {
  return toCsv(
    ["mois", "identifiant", "salarie", "heures_travaillees", "minutes_travaillees", "jours_travailles", "interventions", "absences"],
    payrollRows(entries).map((r) => [month, r.participantId, r.name, hoursCsv(r.minutes), r.minutes, r.days, r.interventions, r.absences]),
  );
}

/** The DPH activity of a month: hours, people who worked, partners served; per partner and in total. */
export function dphReport(entries: readonly WorkedEntry[]) {
  const worked = entries.filter((e) => !e.absent && e.minutesWorked > 0);
  const partners = new Map<string, { name: string; minutes: number; people: Set<string> }>();
  for (const e of worked) {
    const p = partners.get(e.organisationId) ?? { name: e.organisationName, minutes: 0, people: new Set<string>() };
    p.minutes += e.minutesWorked;
    p.people.add(e.participantId);
    partners.set(e.organisationId, p);
  }
  return {
    minutes: worked.reduce((s, e) => s + e.minutesWorked, 0),
    people: new Set(worked.map((e) => e.participantId)).size,
    partners: partners.size,
    byPartner: [...partners.values()].map((p) => ({ name: p.name, minutes: p.minutes, people: p.people.size })).sort((a, b) => b.minutes - a.minutes || a.name.localeCompare(b.name, "fr")),
  };
}

export function dphCsv(month: string, entries: readonly WorkedEntry[]): string {
  const report = dphReport(entries);
  return toCsv(
    ["mois", "partenaire", "heures_travaillees", "personnes"],
    [...report.byPartner.map((p) => [month, p.name, hoursCsv(p.minutes), p.people]), [month, `TOTAL (${report.partners} partenaires)`, hoursCsv(report.minutes), report.people]],
  );
}
