// French wording for coordinators: dates, hours and durations as people say them.
import { MINUTES_PER_DAY, dateParts, isoWeekday } from "./time";

const WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/** "jeudi 10 décembre", "mardi 1er décembre". */
export function frenchDay(dayNumber: number): string {
  const { month, day } = dateParts(dayNumber);
  const dayText = day === 1 ? "1er" : String(day);
  return `${WEEKDAYS[isoWeekday(dayNumber) - 1]} ${dayText} ${MONTHS[month - 1]}`;
}

/** "14 h", "9 h 05", "24 h". */
export function frenchClock(minuteOfDay: number): string {
  const hours = Math.floor(minuteOfDay / 60);
  const minutes = minuteOfDay % 60;
  return minutes === 0 ? `${hours} h` : `${hours} h ${String(minutes).padStart(2, "0")}`;
}

/** "3 h", "2 h 30", "45 min". */
export function frenchDuration(minutes: number): string {
  const rounded = Math.round(minutes);
  if (rounded < 60) return `${rounded} min`;
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, "0")}`;
}

/** Hours as "16 h" or "7,5 h". */
export function frenchHours(hours: number): string {
  return `${String(Math.round(hours * 100) / 100).replace(".", ",")} h`;
}

/** "le jeudi 10 décembre de 14 h à 17 h" for naive minutes since epoch. */
export function frenchSpan(startNaive: number, endNaive: number): string {
  const startDay = Math.floor(startNaive / MINUTES_PER_DAY);
  const endDay = Math.floor((endNaive - 1) / MINUTES_PER_DAY);
  const startClock = startNaive - startDay * MINUTES_PER_DAY;
  if (startDay === endDay) {
    const endClock = endNaive - startDay * MINUTES_PER_DAY;
    return `le ${frenchDay(startDay)} de ${frenchClock(startClock)} à ${frenchClock(endClock)}`;
  }
  const endAsDay = Math.floor(endNaive / MINUTES_PER_DAY);
  return `du ${frenchDay(startDay)} ${frenchClock(startClock)} ` + `au ${frenchDay(endAsDay)} ${frenchClock(endNaive - endAsDay * MINUTES_PER_DAY)}`;
}

/** "r-001, r-002 et r-003". */
export function frenchList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} et ${items[items.length - 1]}`;
}
