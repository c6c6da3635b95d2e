import { z } from "zod";
import { addDays, daysBetween, isoWeekday, publicHolidayName } from "~/domain/calendar/holidays.ts";
import { clockMinutes, clockText, parisInstant, parisParts } from "~/domain/calendar/paris.ts";
import { pricedLine, type LineTotals, type PricingUnit } from "~/domain/money/lines.ts";
import type { ServiceRules } from "~/domain/settings/rules.ts";
import { formatDayMonth, formatLongDate } from "~/utils/format.ts";
import { dayField, isDayWithin, outOfSpanMessage } from "~/utils/validation.ts";
import { isTeamSize, TEAM_MAX, TEAM_MIN, TEAM_TOO_LARGE, TEAM_TOO_SMALL } from "~/domain/team.ts";

// The order form of the partner portal: its zod schema (French messages), the
// rules of a date (notice, opening days and hours, holidays, closures), the
// dates of a series and the estimate. Pure: the form runs the same estimate in
// the browser as the server does.

export const MAX_TEXT = 2000;
export const MAX_OCCURRENCES = 52;
export const MAX_WINDOW_MINUTES = 240;
export const MIN_DURATION_MINUTES = 30;
export const MAX_DURATION_MINUTES = 10 * 60;
export const RECURRENCES = ["NONE", "WEEKLY", "BIWEEKLY", "MONTHLY"] as const;
export type Recurrence = (typeof RECURRENCES)[number];
export const NEW_SITE = "new";

const validDate = (s: string) => isDayWithin(s, "planned");
const quarterClock = (s: string) => /^([01]\d|2[0-3]):(00|15|30|45)$/.test(s);

// An empty date input asks for a date; a format message would puzzle someone using the date picker.
const dateField = (message: string, empty = message) => dayField(message, "planned", empty);
const clockField = (message: string) => z.string({ error: message }).trim().refine(quarterClock, message);
const optionalText = (max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim())
    .refine((s) => s.length <= max, `${String(max).replace(/\B(?=(\d{3})+(?!\d))/g, " ")} caractères au plus.`)
    .transform((s) => (s === "" ? null : s));
const intField = (message: string, min: number, max: number, tooSmall = message, tooBig = message) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^\d{1,6}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, tooSmall).max(max, tooBig));

export const orderSchema = z
  .object({
    submissionKey: z.string({ error: "Rechargez la page et recommencez." }).regex(/^[\w-]{16,64}$/, "Rechargez la page et recommencez."),
    siteId: z.string({ error: "Choisissez un site." }).trim().min(1, "Choisissez un site.").max(40, "Choisissez un site de la liste."),
    siteName: optionalText(100),
    siteAddress: optionalText(200),
    sitePostalCode: optionalText(10),
    siteCity: optionalText(100),
    prestationId: z.string({ error: "Choisissez une prestation." }).trim().min(1, "Choisissez une prestation.").max(40, "Choisissez une prestation de la liste."),
    date: dateField("Indiquez la date au format JJ/MM/AAAA.", "Choisissez la date de l'intervention."),
    startTime: clockField("Indiquez une heure de début au quart d'heure (par exemple 08:30)."),
    latestStart: z
      .string()
      .optional()
      .transform((s) => (s ?? "").trim())
      .refine((s) => s === "" || quarterClock(s), "Indiquez une heure au quart d'heure (par exemple 09:15), ou laissez vide.")
      .transform((s) => (s === "" ? null : s)),
    durationMinutes: intField("Indiquez une durée.", MIN_DURATION_MINUTES, MAX_DURATION_MINUTES, "30 minutes au moins.", "10 heures au plus : au-delà, faites deux demandes.").refine(
      (m) => m % 15 === 0,
      "Une durée au quart d'heure.",
    ),
    teamSize: intField("Indiquez le nombre de personnes (un nombre entier).", TEAM_MIN, TEAM_MAX, TEAM_TOO_SMALL, TEAM_TOO_LARGE),
    purchaseOrderNumber: optionalText(50),
    recurrence: z.enum(RECURRENCES, { error: "Choisissez une fréquence." }),
    recurrenceEnd: z.enum(["count", "until"]).optional().catch("count"),
    recurrenceCount: z.string().optional(),
    recurrenceUntil: z.string().optional(),
    accessInstructions: optionalText(MAX_TEXT),
    notes: optionalText(MAX_TEXT),
  })
  .superRefine((v, ctx) => {
    if (v.siteId === NEW_SITE) {
      if (!v.siteName) ctx.addIssue({ code: "custom", path: ["siteName"], message: "Indiquez le nom du site." });
      if (!v.siteAddress) ctx.addIssue({ code: "custom", path: ["siteAddress"], message: "Indiquez l'adresse du site." });
      if (!v.sitePostalCode || !/^\d{5}$/.test(v.sitePostalCode)) ctx.addIssue({ code: "custom", path: ["sitePostalCode"], message: "Un code postal de 5 chiffres." });
      if (!v.siteCity) ctx.addIssue({ code: "custom", path: ["siteCity"], message: "Indiquez la ville." });
    }
    if (v.recurrence !== "NONE") {
      if (v.recurrenceEnd === "until") {
        if (!v.recurrenceUntil || !validDate(v.recurrenceUntil.trim()))
          ctx.addIssue({
            code: "custom",
            path: ["recurrenceUntil"],
            message: validDate((v.recurrenceUntil ?? "").trim()) || !v.recurrenceUntil ? "Indiquez la date de la dernière intervention." : outOfSpanMessage("planned"),
          });
      } else if (!/^\d{1,3}$/.test((v.recurrenceCount ?? "").trim()) || Number(v.recurrenceCount) < 1 || Number(v.recurrenceCount) > MAX_OCCURRENCES) {
        ctx.addIssue({ code: "custom", path: ["recurrenceCount"], message: `Entre 1 et ${MAX_OCCURRENCES} interventions.` });
      }
    }
  })
  .transform((v) => ({
    ...v,
    recurrenceCount: v.recurrence !== "NONE" && v.recurrenceEnd !== "until" ? Number(v.recurrenceCount) : null,
    recurrenceUntil: v.recurrence !== "NONE" && v.recurrenceEnd === "until" ? v.recurrenceUntil!.trim() : null,
  }));

export type OrderInput = z.infer<typeof orderSchema>;

// ---------------------------------------------------------------- dates

/** "2026-12-07" -> "lundi 7 décembre 2026", "2026-12-01" -> "mardi 1er décembre 2026" */
export const frenchDate = (date: string) => formatLongDate(date);

export type DateRules = Pick<ServiceRules, "openingHours" | "closureDays">;

/** Why the service does not work that day, or null when it does. */
export function closedReason(date: string, rules: DateRules): string | null {
  const holiday = publicHolidayName(date);
  if (holiday) return `Le ${frenchDate(date)} est un jour férié (${holiday}).`;
  if (rules.closureDays.includes(date)) return `Le service est fermé le ${frenchDate(date)}.`;
  if (!rules.openingHours.days.includes(isoWeekday(date))) return `Nos équipes ne travaillent pas le ${frenchDate(date).split(" ")[0]}.`;
  return null;
}

/** The first day on or after `from` when the service works. */
export function nextOpenDay(from: string, rules: DateRules): string {
  let day = from;
  for (let i = 0; i < 400 && closedReason(day, rules); i++) day = addDays(day, 1);
  return day;
}

/**
 * byCoordination: the prestation's notice binds partners, who order ahead; the
 * coordination moves any date to come (today too, later than now), inside the
 * opening days and hours. The team's own rules are checked by the planning.
 */
export type SlotContext = { now: Date; rules: DateRules; minNoticeDays: number; byCoordination?: boolean };
export type SlotErrors = Partial<Record<"date" | "startTime" | "latestStart" | "durationMinutes", string>>;

/**
 * Checks one dated slot against the service rules. Each message says what
 * would work instead.
 */
export function checkSlot(slot: { date: string; startTime: string; windowMinutes: number; durationMinutes: number }, ctx: SlotContext): SlotErrors {
  const errors: SlotErrors = {};
  const today = parisParts(ctx.now).date;
  const earliest = nextOpenDay(addDays(today, Math.max(ctx.minNoticeDays, 1)), ctx.rules);
  if (slot.date < today) {
    errors.date = `Cette date est passée. Première date possible : le ${frenchDate(earliest)}.`;
  } else if (ctx.byCoordination && slot.date === today && clockMinutes(slot.startTime) <= parisParts(ctx.now).minutes) {
    errors.startTime = "Cette heure est passée : choisissez une heure à venir.";
  } else if (!ctx.byCoordination && (daysBetween(today, slot.date) < ctx.minNoticeDays || slot.date === today)) {
    errors.date = `Cette prestation se commande ${ctx.minNoticeDays} jour${ctx.minNoticeDays > 1 ? "s" : ""} à l'avance au moins. Première date possible : le ${frenchDate(earliest)}.`;
  } else {
    const closed = closedReason(slot.date, ctx.rules);
    if (closed) errors.date = `${closed} Le prochain jour ouvert est le ${frenchDate(nextOpenDay(slot.date, ctx.rules))}.`;
  }
  const open = clockMinutes(ctx.rules.openingHours.from);
  const close = clockMinutes(ctx.rules.openingHours.to);
  const start = clockMinutes(slot.startTime);
  const hours = `Nos équipes travaillent de ${ctx.rules.openingHours.from} à ${ctx.rules.openingHours.to}`;
  if (start < open) errors.startTime = `${hours} : commencez à ${ctx.rules.openingHours.from} au plus tôt.`;
  else if (start + slot.durationMinutes > close) {
    const latest = close - slot.durationMinutes;
    errors.startTime =
      latest >= open ? `${hours} : avec cette durée, commencez à ${clockText(latest)} au plus tard.` : `${hours} : raccourcissez l'intervention à ${Math.floor((close - open) / 60)} h au plus.`;
  } else if (start + slot.windowMinutes + slot.durationMinutes > close) {
    errors.latestStart = `${hours} : le début le plus tardif possible avec cette durée est ${clockText(close - slot.durationMinutes)}.`;
  }
  return errors;
}

/** The calendar dates of a series, at most MAX_OCCURRENCES (one more when the end asks for more, to tell). */
export function recurrenceDates(first: string, recurrence: Recurrence, end: { count: number | null; until: string | null }): string[] {
  if (recurrence === "NONE") return [first];
  const limit = end.count ?? MAX_OCCURRENCES + 1;
  const dates: string[] = [];
  for (let i = 0; dates.length < Math.min(limit, MAX_OCCURRENCES + 1); i++) {
    const date = recurrence === "WEEKLY" ? addDays(first, 7 * i) : recurrence === "BIWEEKLY" ? addDays(first, 14 * i) : addMonths(first, i);
    if (end.until && date > end.until) break;
    dates.push(date);
  }
  return dates;
}

/** Same day of the month, or the month's last day when it has fewer days. */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10);
}

export type PlannedOccurrence = { date: string; startsAt: Date; endsAt: Date; latestStartAt: Date | null };
export type OrderPlan = { ok: true; occurrences: PlannedOccurrence[]; skipped: { date: string; reason: string }[]; windowMinutes: number } | { ok: false; errors: Record<string, string> };

/**
 * Team sizes a partner may order for one prestation: the service's range
 * (rule teamSize), and no more people than the largest team an encadrant with
 * the prestation's skill may lead (scheduling rule H2: an encadrant leads at
 * most their maxTeamSize). `largestLed` is null while no active encadrant has
 * the skill: the service's range stands, scheduling explains the rest.
 */
export type TeamRange = { min: number; max: number; largestLed?: number | null };

/** The largest team that may be ordered for this range. */
export const teamMax = (team: TeamRange) => Math.min(team.max, team.largestLed ?? team.max);

const people = (n: number) => `${n} personne${n > 1 ? "s" : ""}`;

/** The French message for a team size the order cannot take, or null. */
export function teamSizeError(size: number, team: TeamRange): string | null {
  const minTeam = Math.max(1, team.min);
  if (size < minTeam || size > team.max) return `Une équipe compte de ${minTeam} à ${team.max} personnes en insertion.`;
  if (team.largestLed != null && size > team.largestLed) {
    return `Aucun encadrant ne peut mener une équipe de ${people(size)} pour cette prestation : ${people(team.largestLed)} au plus. Réduisez l'équipe, ou commandez une seconde intervention pour le reste.`;
  }
  return null;
}

export type OrderContext = SlotContext & {
  teamSize: TeamRange;
  requiresPurchaseOrder: boolean;
};

/**
 * The dated interventions of an order, or a French message per field. In a
 * series, dates that fall on a holiday or a closure are left out (and listed);
 * the first date must itself be open.
 */
export function planOrder(input: OrderInput, ctx: OrderContext): OrderPlan {
  const errors: Record<string, string> = {};
  const teamError = teamSizeError(input.teamSize, ctx.teamSize);
  if (teamError) errors.teamSize = teamError;
  if (ctx.requiresPurchaseOrder && !input.purchaseOrderNumber) {
    errors.purchaseOrderNumber = "Votre organisation demande un numéro de bon de commande pour chaque demande.";
  }
  let windowMinutes = 0;
  if (input.latestStart) {
    windowMinutes = clockMinutes(input.latestStart) - clockMinutes(input.startTime);
    if (windowMinutes <= 0) errors.latestStart = "Le début le plus tardif doit suivre l'heure de début (ou laissez vide).";
    else if (windowMinutes > MAX_WINDOW_MINUTES) errors.latestStart = "4 heures au plus après l'heure de début.";
  }
  const slotErrors = checkSlot({ date: input.date, startTime: input.startTime, windowMinutes: Math.max(0, windowMinutes), durationMinutes: input.durationMinutes }, ctx);
  for (const [k, v] of Object.entries(slotErrors)) errors[k] ??= v;
  if (input.recurrenceUntil && input.recurrenceUntil < input.date) {
    errors.recurrenceUntil = "La dernière intervention ne peut pas précéder la première.";
  }
  const dates = recurrenceDates(input.date, input.recurrence, { count: input.recurrenceCount, until: input.recurrenceUntil });
  if (dates.length > MAX_OCCURRENCES) {
    errors.recurrenceUntil = `${MAX_OCCURRENCES} interventions au plus : choisissez une fin au plus tard le ${frenchDate(dates[MAX_OCCURRENCES - 1]!)}.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const start = clockMinutes(input.startTime);
  const occurrences: PlannedOccurrence[] = [];
  const skipped: { date: string; reason: string }[] = [];
  for (const date of dates) {
    const closed = closedReason(date, ctx.rules);
    if (closed) {
      skipped.push({ date, reason: closed });
      continue;
    }
    occurrences.push(occurrenceAt(date, start, input.durationMinutes, windowMinutes));
  }
  return { ok: true, occurrences, skipped, windowMinutes };
}

export function occurrenceAt(date: string, startMinutes: number, durationMinutes: number, windowMinutes: number): PlannedOccurrence {
  const startsAt = parisInstant(date, startMinutes);
  return {
    date,
    startsAt,
    endsAt: new Date(startsAt.getTime() + durationMinutes * 60_000),
    latestStartAt: windowMinutes > 0 ? new Date(startsAt.getTime() + windowMinutes * 60_000) : null,
  };
}

// ---------------------------------------------------------------- estimate

export type { PricingUnit };

/** The priced line of one planned intervention (the team for its whole duration), as the invoice prices it. */
export function interventionLine(p: { pricingUnit: PricingUnit; unitPriceCents: number; vatRateBasisPoints: number; durationMinutes: number; teamSize: number }): LineTotals {
  return pricedLine({ ...p, participantMinutes: p.durationMinutes * p.teamSize });
}

export type Estimate = { perIntervention: LineTotals; total: LineTotals; occurrences: number; insertionMinutes: number };

/** The quote: one line per intervention (as invoiced), and the hours of work given to people in insertion. */
export function estimateOrder(p: Parameters<typeof interventionLine>[0] & { occurrences: number }): Estimate {
  const line = interventionLine(p);
  return {
    perIntervention: line,
    total: { exclVatCents: line.exclVatCents * p.occurrences, vatCents: line.vatCents * p.occurrences, inclVatCents: line.inclVatCents * p.occurrences },
    occurrences: p.occurrences,
    insertionMinutes: p.durationMinutes * p.teamSize * p.occurrences,
  };
}

// ---------------------------------------------------------------- changes

/** A partner may move or cancel an intervention online until this many hours before it starts. */
export function changeDeadline(startsAt: Date, deadlineHours: number): Date {
  return new Date(startsAt.getTime() - deadlineHours * 3_600_000);
}

export const canChangeOnline = (startsAt: Date, now: Date, deadlineHours: number) => now.getTime() < changeDeadline(startsAt, deadlineHours).getTime();

/** The estimate as the server will compute it, from what the order form holds so far (null while incomplete). */
export function estimateOrderForm(
  state: Record<string, string | undefined>,
  prestation: { pricingUnit: "PER_PARTICIPANT_HOUR" | "FLAT"; priceCents: number; vatRateBasisPoints: number } | null,
  rules: { openingHours: { days: number[]; from: string; to: string }; closureDays: string[] },
) {
  const durationMinutes = Number(state.durationMinutes);
  const teamSize = Number(state.teamSize);
  // Only what the order accepts is estimated: a date of the calendar within the span, a duration within bounds.
  const durationOk = Number.isInteger(durationMinutes) && durationMinutes >= MIN_DURATION_MINUTES && durationMinutes <= MAX_DURATION_MINUTES;
  if (!prestation || !durationOk || !isTeamSize(teamSize)) return null;
  const firstDay = isDayWithin(state.date ?? "", "planned") ? state.date! : null;
  const until = isDayWithin(state.recurrenceUntil ?? "", "planned") ? state.recurrenceUntil! : null;
  const recurrence = (RECURRENCES as readonly string[]).includes(state.recurrence!) ? (state.recurrence as Recurrence) : "NONE";
  let occurrences = 1;
  let skipped: string[] = [];
  // The dates the estimate covers, once the first date reads well: a partner checks the series ends where meant.
  let span: { first: string; last: string | null } | null = firstDay ? { first: firstDay, last: null } : null;
  if (recurrence !== "NONE") {
    const count = Number(state.recurrenceCount);
    const byCount = state.recurrenceEnd !== "until";
    if (firstDay) {
      const dates = recurrenceDates(firstDay, recurrence, {
        count: byCount ? Math.min(Math.max(count || 1, 1), MAX_OCCURRENCES) : null,
        until: byCount ? null : until,
      }).slice(0, MAX_OCCURRENCES);
      const closed = dates.filter((d, i) => i > 0 && closedReason(d, rules));
      skipped = closed.map((d) => formatDayMonth(d));
      occurrences = dates.length - closed.length;
      const open = dates.filter((d, i) => i === 0 || !closedReason(d, rules));
      if (open.length > 1) span = { first: open[0]!, last: open[open.length - 1]! };
    } else {
      occurrences = byCount ? Math.min(Math.max(count || 1, 1), MAX_OCCURRENCES) : 1;
    }
  }
  return {
    ...estimateOrder({ pricingUnit: prestation.pricingUnit, unitPriceCents: prestation.priceCents, vatRateBasisPoints: prestation.vatRateBasisPoints, durationMinutes, teamSize, occurrences }),
    skipped,
    span,
  };
}
