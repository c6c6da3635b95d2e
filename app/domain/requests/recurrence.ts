import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { closedReason, occurrenceAt, recurrenceDates, type DateRules, type PlannedOccurrence, type Recurrence } from "./order.ts";

// A recurring request is not expanded up front: its dates are a rule (first
// date, frequency, end), and a daily job turns them into dated interventions
// up to a rolling horizon. Pure: the job, the order and the request page all
// read the same dates from here.

export type RecurrenceSpec = {
  firstDate: string; // YYYY-MM-DD (Paris)
  startMinute: number; // minutes after midnight, Paris
  recurrence: Recurrence;
  count: number | null;
  until: string | null; // the last date of the series (set for every series once created)
  durationMinutes: number;
  windowMinutes: number;
};

/** The last day the horizon reaches from today (Paris). */
export const horizonEnd = (now: Date, weeks: number) => addDays(parisParts(now).date, weeks * 7);

/** Every date of the series, with the reason a date is left out (holiday, closure, day off). */
export function recurrenceCalendar(spec: RecurrenceSpec, rules: DateRules): { date: string; closed: string | null }[] {
  return recurrenceDates(spec.firstDate, spec.recurrence, { count: spec.count, until: spec.until }).map((date) => ({ date, closed: closedReason(date, rules) }));
}

/**
 * The occurrences to create now: open dates after what is already expanded
 * (`after`, exclusive) up to `through` (inclusive), still in the future. The
 * first date always comes with the order, however far it is.
 */
export function occurrencesToExpand(spec: RecurrenceSpec, rules: DateRules, range: { after: string | null; through: string; now: Date }): PlannedOccurrence[] {
  return recurrenceCalendar(spec, rules)
    .filter((d) => d.closed === null && (range.after === null || d.date > range.after) && (d.date <= range.through || d.date === spec.firstDate))
    .map((d) => occurrenceAt(d.date, spec.startMinute, spec.durationMinutes, spec.windowMinutes))
    .filter((o) => o.startsAt > range.now);
}

/** How far the series is expanded once `through` is reached: never past its last date. */
export function expandedThrough(spec: RecurrenceSpec, through: string): string {
  const last = spec.until ?? spec.firstDate;
  const reached = through < last ? through : last;
  return reached < spec.firstDate ? spec.firstDate : reached;
}

/** The open dates not expanded yet (after `expandedUntil`), for the partner to see what comes. */
export function datesNotYetExpanded(spec: RecurrenceSpec, rules: DateRules, expandedUntil: string | null): string[] {
  return recurrenceCalendar(spec, rules)
    .filter((d) => d.closed === null && (expandedUntil === null || d.date > expandedUntil))
    .map((d) => d.date);
}
