import { z } from "zod";
import { MONTH_PATTERN } from "~/domain/invoicing/period.ts";

export type FieldErrors = Record<string, string>;
export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Parses a submitted form with a zod schema. On failure, one French message per
 * field (the first one) and the submitted values, so the form is shown again
 * as the person filled it: nothing typed is lost.
 */
export function parseForm<S extends z.ZodType>(form: FormData, schema: S): Parsed<z.infer<S>> {
  const values = submittedValues(form);
  const raw: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string") raw[key] = value;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    // The intent comes from a button or a hidden field, never from a field the
    // person sees: its message ("Action inconnue.") is the form's, shown above it.
    const path = issue.path.join(".");
    const key = path === "" || path === "intent" ? "form" : path;
    errors[key] ??= issue.message;
    // A value too long is shown again cut at what the field accepts, never whole.
    if (issue.code === "too_big" && typeof issue.maximum === "number" && typeof values[path] === "string") {
      values[path] = values[path].slice(0, Number(issue.maximum));
    }
  }
  return { ok: false, errors, values };
}

/** More than any field accepts (the longest takes 5,000): a form is never echoed back bigger than that per field. */
export const MAX_ECHOED_CHARS = 5000;

/**
 * What the person typed, to show the form again: text fields only, never the
 * CSRF token or a password, each cut at MAX_ECHOED_CHARS.
 */
export function submittedValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && key !== "csrf" && !/password/i.test(key)) values[key] = value.slice(0, MAX_ECHOED_CHARS);
  }
  return values;
}

// Reusable French field schemas.

/** "2026-02-28" is a day of the calendar; "2026-13-45" or "2026-02-30" is not. */
export const isCalendarDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * The dates the app accepts, in one place. "planned": what the service plans,
 * records or bills (an order, a move, an absence, a contract, a payment): from
 * 2000 to two years from today. "search": a list's filter or a page's week,
 * wide but still a date every library can compute with (1970 to 2100).
 * Outside them, dates such as 9999-12-31 or 0000-01-01 broke the jobs and
 * pages that computed with them.
 */
export type DaySpan = "planned" | "search";
export const FIRST_PLANNED_DAY = "2000-01-01";
export const PLANNED_YEARS_AHEAD = 2;

export function daySpan(span: DaySpan, today: Date = new Date()): { min: string; max: string } {
  if (span === "search") return { min: "1970-01-01", max: "2100-12-31" };
  const max = new Date(today.getTime());
  max.setUTCFullYear(max.getUTCFullYear() + PLANNED_YEARS_AHEAD);
  return { min: FIRST_PLANNED_DAY, max: max.toISOString().slice(0, 10) };
}

/** A real day of the calendar within the span (YYYY-MM-DD compares as text). */
export function isDayWithin(s: string, span: DaySpan, today: Date = new Date()): boolean {
  if (!isCalendarDay(s)) return false;
  const { min, max } = daySpan(span, today);
  return s >= min && s <= max;
}

const frenchDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
export const outOfSpanMessage = (span: DaySpan, today: Date = new Date()) => {
  const { min, max } = daySpan(span, today);
  return `Choisissez une date entre le ${frenchDay(min)} et le ${frenchDay(max)}.`;
};

/**
 * A YYYY-MM-DD day (a date input): the message when empty or malformed, another
 * when the day does not exist, another when it is outside the span the app accepts.
 */
export const dayField = (message: string, span: DaySpan = "planned", empty = message) =>
  z
    .string({ error: empty })
    .trim()
    .min(1, empty)
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || isCalendarDay(s), "Cette date n'existe pas.")
    .refine((s) => !isCalendarDay(s) || isDayWithin(s, span), { error: () => outOfSpanMessage(span) });

/** A YYYY-MM month within the span (its first day is). */
export const monthField = (message: string, span: DaySpan = "planned") =>
  z
    .string({ error: message })
    .trim()
    .regex(MONTH_PATTERN, message)
    .refine((s) => !MONTH_PATTERN.test(s) || isDayWithin(`${s}-01`, span), { error: () => outOfSpanMessage(span) });

/**
 * Control characters (NUL and the like, but not tab and line breaks): no one
 * types them, and PostgreSQL refuses a NUL byte in text (error 22021), which
 * made any form field or id carrying one a server error.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const withoutControlCharacters = (s: string) => s.replace(CONTROL_CHARACTERS, "");

/** A URL whose path or query carries an encoded control character (%00, %1B…): no link of the app does. */
export const urlHasControlCharacters = (url: string) => /%(0[0-8bcef]|1[0-9a-f]|7f)/i.test(url);

/** A submitted form with control characters taken out of every text field (files stay as sent). */
export function cleanForm(form: FormData): FormData {
  const clean = new FormData();
  for (const [key, value] of form.entries()) {
    clean.append(withoutControlCharacters(key), typeof value === "string" ? withoutControlCharacters(value) : value);
  }
  return clean;
}

/**
 * A record id as the app makes them (cuid, or the seed's and Stripe's letters,
 * digits, "_" and "-"): anything else cannot name a record, so it is "not found"
 * before any query (a NUL byte in an id reached PostgreSQL and failed there).
 */
export const isRecordId = (s: unknown): s is string => typeof s === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(s);

export const emailField = z
  .string({ error: "Indiquez une adresse e-mail." })
  .trim()
  .min(1, "Indiquez une adresse e-mail.")
  .max(254, "Cette adresse est trop longue.")
  .email("Cette adresse e-mail n'est pas valide.")
  .transform((s) => s.toLowerCase());

export const newPasswordField = z
  .string({ error: "Choisissez un mot de passe." })
  .min(12, "Au moins 12 caractères, par exemple trois mots séparés par des tirets.")
  .max(200, "200 caractères au plus.");

export const nameField = z.string({ error: "Indiquez un nom." }).trim().min(1, "Indiquez un nom.").max(100, "100 caractères au plus.");
