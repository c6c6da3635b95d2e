import { z } from "zod";

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

/** A YYYY-MM-DD day (a date input): the message when empty or malformed, another when the day does not exist. */
export const dayField = (message: string) =>
  z
    .string({ error: message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || isCalendarDay(s), "Cette date n'existe pas.");

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

export const nameField = z
  .string({ error: "Indiquez un nom." })
  .trim()
  .min(1, "Indiquez un nom.")
  .max(100, "100 caractères au plus.");
