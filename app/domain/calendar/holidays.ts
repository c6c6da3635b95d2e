// French public holidays (metropolitan France), computed: fixed dates and the
// Easter-based ones. Dates are plain "YYYY-MM-DD" calendar days.
import { addDays } from "~/utils/paris-time.ts";

export { addDays };

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as "YYYY-MM-DD". */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(Date.UTC(year, month - 1, day));
}

const DAY_MS = 86_400_000;
export const isoDate = (utcMs: number) => new Date(utcMs).toISOString().slice(0, 10);
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** ISO weekday of a calendar day: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string) => ((new Date(dayMs(date)).getUTCDay() + 6) % 7) + 1;
/** Whole days from a to b. */
export const daysBetween = (a: string, b: string) => Math.round((dayMs(b) - dayMs(a)) / DAY_MS);

/** The public holidays of a year: date -> French name. */
export function frenchPublicHolidays(year: number): Map<string, string> {
  const easter = easterSunday(year);
  const y = String(year).padStart(4, "0");
  return new Map([
    [`${y}-01-01`, "Jour de l'an"],
    [addDays(easter, 1), "lundi de Pâques"],
    [`${y}-05-01`, "fête du Travail"],
    [`${y}-05-08`, "Victoire 1945"],
    [addDays(easter, 39), "Ascension"],
    [addDays(easter, 50), "lundi de Pentecôte"],
    [`${y}-07-14`, "fête nationale"],
    [`${y}-08-15`, "Assomption"],
    [`${y}-11-01`, "Toussaint"],
    [`${y}-11-11`, "Armistice 1918"],
    [`${y}-12-25`, "Noël"],
  ]);
}

const cache = new Map<number, Map<string, string>>();
/** The holiday's name when the day is a French public holiday, else null. */
export function publicHolidayName(date: string): string | null {
  const year = Number(date.slice(0, 4));
  let holidays = cache.get(year);
  if (!holidays) cache.set(year, (holidays = frenchPublicHolidays(year)));
  return holidays.get(date) ?? null;
}
