// The one converter between Paris wall-clock time and instants (on
// @date-fns/tz). The scheduling engine speaks local "YYYY-MM-DDTHH:mm" in
// Europe/Paris, partners type a Paris date and time, the database stores
// instants (UTC). app/domain/calendar/paris.ts and the invoicing months read
// through it. Its two DST rules, tested minute by minute across both changes:
// - in the autumn's repeated hour (02:00-02:59 on the last Sunday of October),
//   a wall-clock time is the FIRST of its two instants (summer time);
// - in the spring's missing hour (02:00-02:59 on the last Sunday of March),
//   a time that does not exist is read one hour later on the clock (03:30).
import { TZDate } from "@date-fns/tz";

export const PARIS = "Europe/Paris";

const two = (n: number) => String(n).padStart(2, "0");

/** 2026-12-08T08:00:00Z -> "2026-12-08T09:00" */
export function toParisLocal(date: Date): string {
  const p = new TZDate(date.getTime(), PARIS);
  return `${p.getFullYear()}-${two(p.getMonth() + 1)}-${two(p.getDate())}T${two(p.getHours())}:${two(p.getMinutes())}`;
}

/** "2026-12-08" of an instant, in Paris. */
export const toParisDate = (date: Date) => toParisLocal(date).slice(0, 10);

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/** "2026-12-08T09:00" (or "2026-12-08", midnight) in Paris -> the instant. */
export function fromParisLocal(local: string): Date {
  const m = LOCAL.exec(local);
  if (!m) throw new Error(`Not a local date-time: ${local}`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0"].map(Number) as [number, number, number, number, number];
  if (!Number.isFinite(Date.UTC(year, month - 1, day, hour, minute)) || month < 1 || month > 12) throw new Error(`Not a local date-time: ${local}`);
  const instant = new TZDate(year, month - 1, day, hour, minute, PARIS).getTime();
  if (Number.isNaN(instant)) throw new Error(`Not a local date-time: ${local}`);
  // The library takes the second of a repeated hour's two instants (Paris repeats 02:xx only):
  // when an hour earlier reads the same on the clock, take it.
  if (hour !== 2) return new Date(instant);
  const earlier = instant - 3_600_000;
  return toParisLocal(new Date(earlier)) === toParisLocal(new Date(instant)) ? new Date(earlier) : new Date(instant);
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
