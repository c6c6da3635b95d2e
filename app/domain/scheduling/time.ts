// Naive local wall-clock arithmetic. Every time in an instance is a local
// wall-clock string ("2026-12-08T09:00") in the instance's timezone; DST never
// matters because we only compare and subtract wall-clock values. We therefore
// map each string to "naive minutes" computed with UTC arithmetic, which has
// no DST, and never convert to a real instant.

export const MINUTES_PER_DAY = 1440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
/** Candidate starts of a request with a latestStart are on this grid. */
export const START_GRID_MINUTES = 15;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const CLOCK_RE = /^(\d{2}):(\d{2})$/;

/** Days since 1970-01-01 of a calendar date, or null if the date does not exist. */
function dayNumberOf(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  return Math.round(ms / 86_400_000);
}

/** "2026-12-07" -> day number (days since 1970-01-01), or null when malformed or nonexistent. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  return dayNumberOf(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** "2026-12-08T09:00" -> naive minutes since 1970-01-01T00:00, or null. */
export function parseDateTime(text: string): number | null {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return null;
  const day = dayNumberOf(Number(m[1]), Number(m[2]), Number(m[3]));
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  if (day === null || hours > 23 || minutes > 59) return null;
  return day * MINUTES_PER_DAY + hours * 60 + minutes;
}

/** "08:30" -> 510; "24:00" is accepted (end of day). Null when malformed. */
export function parseClock(text: string): number | null {
  const m = CLOCK_RE.exec(text);
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

/** ISO weekday (1 = Monday .. 7 = Sunday) of a day number. */
export function isoWeekday(dayNumber: number): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** The calendar date of a day number as "YYYY-MM-DD". */
export function formatDate(dayNumber: number): string {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}

/** Naive minutes since epoch -> "YYYY-MM-DDTHH:MM". */
export function formatDateTime(naiveMinutes: number): string {
  return new Date(naiveMinutes * 60_000).toISOString().slice(0, 16);
}

/** Calendar parts of a day number, for display. */
export function dateParts(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(dayNumber * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Half-open intervals [a1, a2) and [b1, b2) overlap. */
export function overlaps(a1: number, a2: number, b1: number, b2: number): boolean {
  return a1 < b2 && b1 < a2;
}
