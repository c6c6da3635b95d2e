// Wall-clock time in Paris <-> instants. Partners type a date and a time as
// they read them on a Paris clock; the database keeps instants (UTC).
export const PARIS = "Europe/Paris";

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: PARIS,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** The Paris calendar day ("YYYY-MM-DD") and minutes since midnight of an instant. */
export function parisParts(instant: Date): { date: string; minutes: number } {
  const p = Object.fromEntries(partsFormat.formatToParts(instant).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** "08:30" -> 510 */
export const clockMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** 510 -> "08:30" */
export const clockText = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** The instant a Paris clock shows date and time (in the autumn overlap, the first one). */
export function parisInstant(date: string, minutes: number): Date {
  const naive = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  // Paris is UTC+1 or UTC+2: try both offsets, keep the one that reads back right.
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(naive - offsetHours * 3_600_000);
    const back = parisParts(candidate);
    if (back.date === date && back.minutes === minutes) return candidate;
  }
  // A time that does not exist (spring gap): the instant one hour later on the clock.
  return new Date(naive - 3_600_000);
}
