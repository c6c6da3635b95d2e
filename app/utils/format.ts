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
const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" });
const euroFormat = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

const toDate = (d: Date | string) => (typeof d === "string" ? new Date(d) : d);

/** "29 novembre 2026" */
export const formatDate = (d: Date | string) => dateFormat.format(toDate(d));
/** "dim. 29 nov." */
export const formatShortDate = (d: Date | string) => shortDateFormat.format(toDate(d));
/** "29 novembre 2026 à 14:30" */
export const formatDateTime = (d: Date | string) => dateTimeFormat.format(toDate(d));
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
