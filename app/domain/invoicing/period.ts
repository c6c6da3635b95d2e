// Months, Paris time and working days for invoicing. Pure.
import { ofName, TIME_ZONE } from "~/utils/format.ts";

/** "2026-10" */
export type Month = string;
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Offset of Paris from UTC at an instant, in minutes (60 or 120). */
function parisOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The instant of a Paris wall-clock time. */
export function parisTime(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const guess = new Date(Date.UTC(year, month - 1, day, hour, minute));
  const first = new Date(guess.getTime() - parisOffsetMinutes(guess) * 60_000);
  return new Date(guess.getTime() - parisOffsetMinutes(first) * 60_000);
}

/** The Paris calendar date of an instant, "YYYY-MM-DD". */
export function parisDate(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

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

/** Gregorian Easter Sunday (anonymous algorithm), as a UTC date. */
function easter(year: number): Date {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

/** French public holidays of a year, "YYYY-MM-DD". */
export function publicHolidays(year: number): Set<string> {
  const e = easter(year).getTime();
  const plus = (days: number) => new Date(e + days * 86_400_000).toISOString().slice(0, 10);
  return new Set([
    `${year}-01-01`, plus(1), `${year}-05-01`, `${year}-05-08`, plus(39), plus(50),
    `${year}-07-14`, `${year}-08-15`, `${year}-11-01`, `${year}-11-11`, `${year}-12-25`,
  ]);
}

/** The first Monday-to-Friday of the month that is not a public holiday, "YYYY-MM-DD". */
export function firstWorkingDay(month: Month): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const holidays = publicHolidays(y);
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
