// A Paris day and minutes of the clock, as the order forms and the rules
// speak of them. The conversion itself (and its DST rules) is app/utils/paris-time.ts.
import { fromParisLocal, toParisLocal } from "~/utils/paris-time.ts";

export { PARIS } from "~/utils/paris-time.ts";

/** The Paris calendar day ("YYYY-MM-DD") and minutes since midnight of an instant. */
export function parisParts(instant: Date): { date: string; minutes: number } {
  const local = toParisLocal(instant);
  return { date: local.slice(0, 10), minutes: clockMinutes(local.slice(11, 16)) };
}

/** "08:30" -> 510 */
export const clockMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** 510 -> "08:30" */
export const clockText = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** The instant a Paris clock shows date and time (minutes since midnight, below 24 h). */
export const parisInstant = (date: string, minutes: number): Date => fromParisLocal(`${date}T${clockText(minutes)}`);
