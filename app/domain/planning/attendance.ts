import { formatMinutes, formatTime } from "~/utils/format.ts";

// What an encadrant records on site for each person of the team: arrival,
// departure, absence, or hours corrected by hand with a reason. These minutes
// become pay and invoices, so each action is allowed only where it makes
// sense. Pure: the clock and the rules come in as arguments.

export type AttendanceState = "expected" | "arrived" | "left" | "absent";
export type AttendanceAction = "check-in" | "check-out" | "absent" | "correct";

export type AttendanceEntry = { checkInAt: Date | string | null; checkOutAt: Date | string | null; minutesWorked: number; absent: boolean; correctionReason?: string | null };

export type FieldHoursRules = {
  /** Minutes before the planned start from which an arrival may be recorded. */
  checkInEarlyMinutes: number;
  /** Recorded hours further than this from the plan (either way) are flagged to coordination. */
  varianceAlertMinutes: number;
};

export function attendanceState(entry: AttendanceEntry | null | undefined): AttendanceState {
  if (!entry) return "expected";
  if (entry.absent) return "absent";
  if (entry.checkOutAt || entry.correctionReason) return "left";
  if (entry.checkInAt) return "arrived";
  return "expected";
}

/** The buttons each state offers; the data layer refuses anything else. */
export const ACTIONS_BY_STATE: Record<AttendanceState, readonly AttendanceAction[]> = {
  expected: ["check-in", "absent", "correct"],
  arrived: ["check-out", "absent", "correct"],
  left: ["correct"],
  absent: ["check-in", "correct"],
};

const STATE_REFUSALS: Record<AttendanceState, string> = {
  expected: "Cette personne n'est pas encore arrivée : notez d'abord son arrivée.",
  arrived: "L'arrivée de cette personne est déjà notée : notez son départ.",
  left: "Le départ de cette personne est déjà noté : corrigez les heures si besoin, avec un motif.",
  absent: "Cette personne est notée absente : notez son arrivée si elle est finalement venue.",
};

type Planned = { startsAt: Date; endsAt: Date };
export type Decision = { ok: true; minutes?: number } | { ok: false; message: string };

const minutesBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / 60_000);

/** Whether an action may be recorded now, and the minutes it records (check-out). */
export function decideAttendance(action: AttendanceAction, entry: AttendanceEntry | null | undefined, planned: Planned, rules: FieldHoursRules, now: Date): Decision {
  const state = attendanceState(entry);
  if (!ACTIONS_BY_STATE[state].includes(action)) return { ok: false, message: STATE_REFUSALS[state] };
  const opensAt = new Date(planned.startsAt.getTime() - rules.checkInEarlyMinutes * 60_000);
  if (action === "check-in") {
    if (now < opensAt)
      return {
        ok: false,
        message: `Trop tôt : l'arrivée se note à partir de ${formatTime(opensAt)} (${formatMinutes(rules.checkInEarlyMinutes)} avant le début prévu, ${formatTime(planned.startsAt)}).`,
      };
    if (now > planned.endsAt) return { ok: false, message: `L'intervention est finie depuis ${formatTime(planned.endsAt)} : saisissez les heures travaillées, avec un motif.` };
    return { ok: true };
  }
  if (action === "check-out") {
    const checkInAt = new Date(entry!.checkInAt!);
    const minutes = minutesBetween(checkInAt, now);
    if (minutes < 1) return { ok: false, message: `Le départ doit suivre l'arrivée (notée à ${formatTime(checkInAt)}) : attendez au moins une minute, ou corrigez les heures avec un motif.` };
    return { ok: true, minutes };
  }
  if (action === "correct" && now < opensAt) return { ok: false, message: "L'intervention n'a pas commencé : les heures se saisissent une fois sur place." };
  return { ok: true };
}

/** Recorded hours far enough from the plan for coordination to look (more, or less). */
export function hoursDifferFromPlan(minutesWorked: number, plannedMinutes: number, rules: FieldHoursRules) {
  return Math.abs(minutesWorked - plannedMinutes) > rules.varianceAlertMinutes;
}

/** What the encadrant reads on a person's card. */
export function attendanceSummary(entry: AttendanceEntry | null | undefined): string {
  const state = attendanceState(entry);
  if (state === "expected" || !entry) return "Pas encore arrivé·e";
  if (state === "absent") return "Absent·e";
  const parts = [entry.checkInAt ? `Arrivée ${formatTime(entry.checkInAt)}` : null, entry.checkOutAt ? `départ ${formatTime(entry.checkOutAt)}` : null];
  if (state === "left") parts.push(`${formatMinutes(entry.minutesWorked)} enregistrées${entry.correctionReason ? " (corrigées à la main)" : ""}`);
  return parts.filter(Boolean).join(" · ");
}
