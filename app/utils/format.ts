// French formatting, used by every page. Dates are shown in Paris time.
export const TIME_ZONE = "Europe/Paris";

const dateFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TIME_ZONE, dateStyle: "long" });
const shortDateFormat = new Intl.DateTimeFormat("fr-FR", {
  timeZone: TIME_ZONE,
  weekday: "short",
  day: "numeric",
  month: "short",
});
const dateTimeFormat = new Intl.DateTimeFormat("fr-FR", {
  timeZone: TIME_ZONE,
  dateStyle: "long",
  timeStyle: "short",
});
const weekdayDateFormat = new Intl.DateTimeFormat("fr-FR", {
  timeZone: TIME_ZONE,
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const dayMonthFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TIME_ZONE, day: "numeric", month: "long" });
const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" });
const euroFormat = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

const toDate = (d: Date | string) => (typeof d === "string" ? new Date(d) : d);

// French writes the first of the month as an ordinal ("1er octobre"), which Intl
// does not: every date written in words goes through here.
const FIRST_OF_MONTH = /(^|\s)1 (?=\p{L})/u;
function inWords(format: Intl.DateTimeFormat, d: Date | string): string {
  // The day is the only "1" standing alone before a word (the month): a regex
  // on format() costs a fraction of formatToParts, on every date of every list.
  return format.format(toDate(d)).replace(FIRST_OF_MONTH, "$11er ");
}

/** A calendar day "YYYY-MM-DD" as an instant at noon, so Paris time keeps the same day. */
const calendarDay = (d: Date | string) => (typeof d === "string" && /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T12:00:00Z` : d);

/** "29 novembre 2026", "1er octobre 2026" */
export const formatDate = (d: Date | string) => inWords(dateFormat, calendarDay(d));
/** "dim. 29 nov.", "jeu. 1er oct." */
export const formatShortDate = (d: Date | string) => inWords(shortDateFormat, calendarDay(d));
/** "jeudi 1er octobre 2026"; also takes a calendar day "2026-10-01" */
export const formatLongDate = (d: Date | string) => inWords(weekdayDateFormat, calendarDay(d));
/** "1er octobre", "29 novembre"; also takes a calendar day "2026-10-01" */
export const formatDayMonth = (d: Date | string) => inWords(dayMonthFormat, calendarDay(d));
/** "29 novembre 2026 à 14:30", "1er octobre 2026 à 09:00" */
export const formatDateTime = (d: Date | string) => inWords(dateTimeFormat, d);
/** "14:30" */
export const formatTime = (d: Date | string) => timeFormat.format(toDate(d));

/** 123456 cents -> "1 234,56 €" */
export function formatEuros(cents: number): string {
  return euroFormat.format(cents / 100);
}

/** 2000 basis points -> "20 %" */
export function formatVatRate(basisPoints: number): string {
  return `${(basisPoints / 100).toLocaleString("fr-FR")} %`;
}

/** 150 -> "2 h 30", 60 -> "1 h", 45 -> "45 min" */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
}

const pluralRules = new Intl.PluralRules("fr-FR");

/** The word for a count, French rule (0 and 1 take the singular): plural(2, "prêt") -> "prêts", plural(1, "prête", "prêtes") -> "prête". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return pluralRules.select(count) === "one" ? singular : pluralForm;
}

/** "1 facture", "0 facture", "7 factures", "1 234 interventions": never "facture" with "(s)". */
export function formatCount(count: number, singular: string, pluralForm?: string): string {
  return `${count.toLocaleString("fr-FR")} ${plural(count, singular, pluralForm)}`;
}

/** "de Paul", "d'Aminata", "d'Hélène", "d'octobre 2026": French elides "de" before a vowel or a mute h. */
export function ofName(name: string): string {
  return `${elides(name) ? "d'" : "de "}${name}`;
}

// Before a vowel (accented or not) or an h followed by a vowel (names: "d'Hugo"); "y" elides only before a consonant ("d'Yves", "de Yann").
function elides(word: string): boolean {
  const w = word.trim().normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  if (/^[aeiouœæ]/.test(w)) return true;
  if (/^h[aeiouy]/.test(w)) return true;
  return /^y[^aeiouy]/.test(w);
}

/** A name as an identifier for a URL or a code: "Mon Jardin Chocolaté" → "mon-jardin-chocolate" (50 characters at most; `fallback` when nothing is left). */
export const slugify = (name: string, fallback: string) =>
  name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 50) || fallback;
