// Months, Paris time and working days for invoicing. Pure.
import { frenchPublicHolidays } from "~/domain/calendar/holidays.ts";
import { ofName } from "~/utils/format.ts";
import { fromParisLocal, toParisDate } from "~/utils/paris-time.ts";

/** "2026-10" */
export type Month = string;
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The instant of a Paris wall-clock time (the one converter: app/utils/paris-time.ts). */
export function parisTime(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const two = (n: number) => String(n).padStart(2, "0");
  return fromParisLocal(`${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}`);
}

/** The Paris calendar date of an instant, "YYYY-MM-DD". */
export const parisDate = toParisDate;

export function monthOf(at: Date): Month {
  return parisDate(at).slice(0, 7);
}

export function previousMonth(month: Month): Month {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/**
 * A month as the instants it covers in Paris ([from, to)) and as the calendar
 * dates stored on the invoice (periodStart, periodEnd at UTC midnight, @db.Date).
 */
export function monthBounds(month: Month) {
  if (!MONTH_PATTERN.test(month)) throw new RangeError(`Bad month ${month}`);
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? [y + 1, 1] : [y, m + 1];
  const lastDay = new Date(Date.UTC(next[0]!, next[1]! - 1, 0)).getUTCDate();
  return {
    from: parisTime(y, m, 1),
    to: parisTime(next[0]!, next[1]!, 1),
    periodStart: new Date(Date.UTC(y, m - 1, 1)),
    periodEnd: new Date(Date.UTC(y, m - 1, lastDay)),
  };
}

/** How far back a run looks for work still to bill (settled disputes, voided invoices, hours recorded late). */
export const CARRY_OVER_MONTHS = 12;

/**
 * The instants a run for `month` bills: the month itself and, carried over,
 * whatever of the months before is still unbilled. One rule for the run and
 * for the list of partners it visits.
 */
export function billingWindow(month: Month) {
  let first = month;
  for (let k = 0; k < CARRY_OVER_MONTHS; k++) first = previousMonth(first);
  return { from: monthBounds(first).from, to: monthBounds(month).to };
}

const MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
/** "2026-10" -> "octobre 2026" */
export function monthLabel(month: Month): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return `${MONTH_NAMES[m - 1]} ${y}`;
}

/** The first Monday-to-Friday of the month that is not a public holiday, "YYYY-MM-DD". */
export function firstWorkingDay(month: Month): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const holidays = frenchPublicHolidays(y);
  for (let day = 1; ; day++) {
    const date = new Date(Date.UTC(y, m - 1, day));
    const iso = date.toISOString().slice(0, 10);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(iso)) return iso;
  }
}

/** True on the first working day of a month (Paris date): the monthly run invoices the month before. */
export function isFirstWorkingDay(at: Date): boolean {
  const date = parisDate(at);
  return firstWorkingDay(date.slice(0, 7)) === date;
}

/**
 * Whether a month may be invoiced now: a month not yet begun never (a run for
 * 2027-01 issued an invoice in December 2026), the month in progress only when
 * finance says so ("préparer ce mois avant sa fin"), a month that is over always.
 * The French reason when not.
 */
export function monthNotReady(month: Month, now: Date, early: boolean): string | null {
  const { from, to } = monthBounds(month);
  if (from > now) return `Le mois ${ofName(monthLabel(month))} n'a pas commencé : il n'y a rien à facturer.`;
  if (to > now && !early) return `Le mois ${ofName(monthLabel(month))} n'est pas terminé. Cochez « Préparer ce mois avant sa fin » pour le facturer déjà.`;
  return null;
}
