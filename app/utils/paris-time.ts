// Wall-clock times in Paris <-> instants. The scheduling engine speaks local
// "YYYY-MM-DDTHH:mm" in Europe/Paris; the database stores instants (UTC).
export const PARIS = "Europe/Paris";

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: PARIS,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** 2026-12-08T08:00:00Z -> "2026-12-08T09:00" */
export function toParisLocal(date: Date): string {
  const p = Object.fromEntries(parts.formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** "2026-12-08" of an instant, in Paris. */
export const toParisDate = (date: Date) => toParisLocal(date).slice(0, 10);

/** Minutes Paris is ahead of UTC at this instant (60 in winter, 120 in summer). */
function offsetMinutes(date: Date): number {
  const local = toParisLocal(date);
  const asUtc = Date.parse(`${local}:00Z`);
  return Math.round((asUtc - Math.floor(date.getTime() / 60_000) * 60_000) / 60_000);
}

/** "2026-12-08T09:00" in Paris -> the instant. (In the autumn's repeated hour, the first.) */
export function fromParisLocal(local: string): Date {
  const naive = Date.parse(`${local.length === 10 ? `${local}T00:00` : local}:00Z`);
  if (Number.isNaN(naive)) throw new Error(`Not a local date-time: ${local}`);
  let guess = naive - offsetMinutes(new Date(naive)) * 60_000;
  guess = naive - offsetMinutes(new Date(guess)) * 60_000;
  return new Date(guess);
}

/** The Monday (YYYY-MM-DD, Paris) of the week containing this instant. */
export function parisWeekStart(date: Date): string {
  const day = toParisDate(date);
  const d = new Date(`${day}T00:00:00Z`);
  const isoDay = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  d.setUTCDate(d.getUTCDate() - (isoDay - 1));
  return d.toISOString().slice(0, 10);
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
