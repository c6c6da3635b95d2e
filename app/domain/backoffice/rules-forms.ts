import { z } from "zod";
import { isCalendarDay, isDayWithin, outOfSpanMessage } from "~/utils/validation.ts";
import { accountNameSchema, bicSchema, contactEmailSchema, ibanSchema, phoneSchema } from "../settings/rules.ts";
import { intField } from "./forms.ts";
import { TEAM_MAX, TEAM_MIN } from "~/domain/team.ts";

// One small form per service rule on the rules screen: each turns the typed
// strings into the rule's value, with a French message next to the field.
// The limits match app/domain/settings/rules.ts, which checks them again.

const hhmm = (label: string) =>
  z
    .string({ error: `Indiquez ${label}.` })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Une heure au format HH:MM, par exemple 08:30.");

const DAY_FIELDS = ["day1", "day2", "day3", "day4", "day5", "day6", "day7"] as const;
export const WEEKDAY_LABELS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"] as const;

const isoDay = z
  .string({ error: "Choisissez un jour." })
  .regex(/^[1-7]$/, "Choisissez un jour.")
  .transform(Number);

/** "2026-12-24", "24/12/2026", one a line -> sorted unique YYYY-MM-DD, or the first bad line. */
function parseDayList(text: string): { days: string[] } | { bad: string; outOfSpan?: true } {
  const days = new Set<string>();
  for (const raw of text.split(/[\n,;]+/)) {
    const line = raw.trim();
    if (!line) continue;
    const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(line);
    const iso = fr ? `${fr[3]}-${fr[2]!.padStart(2, "0")}-${fr[1]!.padStart(2, "0")}` : line;
    if (!isCalendarDay(iso)) return { bad: line };
    if (!isDayWithin(iso, "planned")) return { bad: line, outOfSpan: true };
    days.add(iso);
  }
  return { days: [...days].sort() };
}

const rule = <K extends string, S extends z.ZodRawShape, V>(key: K, shape: S, toValue: (v: z.infer<z.ZodObject<S>>, ctx: z.RefinementCtx) => V) =>
  z.object({ intent: z.literal(key), ...shape }).transform((v, ctx) => ({ key, value: toValue(v as z.infer<z.ZodObject<S>>, ctx) }));

const RULE_FORM_LIST = [
  rule(
    "openingHours",
    {
      from: hhmm("l'heure d'ouverture"),
      to: hhmm("l'heure de fermeture"),
      ...Object.fromEntries(DAY_FIELDS.map((d) => [d, z.string().optional()])),
    } as { from: z.ZodString; to: z.ZodString } & Record<(typeof DAY_FIELDS)[number], z.ZodOptional<z.ZodString>>,
    (v, ctx) => {
      const days = DAY_FIELDS.flatMap((d, i) => (v[d] === "on" ? [i + 1] : []));
      if (days.length === 0) ctx.addIssue({ code: "custom", path: ["days"], message: "Cochez au moins un jour d'ouverture." });
      if (v.from >= v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "L'heure de fermeture doit suivre l'heure d'ouverture." });
      return { days, from: v.from, to: v.to };
    },
  ),
  rule(
    "cancellationDeadlineHours",
    {
      value: z
        .string({ error: "Indiquez un délai." })
        .trim()
        .min(1, "Indiquez un délai en heures.")
        .regex(/^-?\d+$/, "Un nombre entier d'heures.")
        .transform(Number)
        .pipe(
          z
            .number()
            .min(0, "Le délai se compte avant l'intervention : il ne peut pas être négatif (une échéance après l'intervention n'a pas de sens).")
            .max(720, "Le délai d'annulation ne peut pas dépasser 30 jours (720 heures)."),
        ),
    },
    (v) => v.value,
  ),
  rule("lateCancellationFeePercent", { value: intField("un pourcentage", 0, 100, " %") }, (v) => v.value),
  rule("closureDays", { value: z.string().max(5000, "Trop de dates.").optional() }, (v, ctx) => {
    const parsed = parseDayList(v.value ?? "");
    if ("bad" in parsed) {
      const message = parsed.outOfSpan ? `« ${parsed.bad} » : ${outOfSpanMessage("planned")}` : `« ${parsed.bad} » n'est pas une date : une date par ligne, au format JJ/MM/AAAA.`;
      ctx.addIssue({ code: "custom", path: ["value"], message });
      return [];
    }
    return parsed.days;
  }),
  rule("weeklyOptimisation", { day: isoDay, time: hhmm("une heure") }, (v) => ({ day: v.day, time: v.time })),
  rule("defaultMaxTeamSize", { value: intField("un nombre de personnes", TEAM_MIN, TEAM_MAX, " personnes") }, (v) => v.value),
  rule("scheduleChangeNoticeDays", { value: intField("un nombre de jours", 0, 60, " jours") }, (v) => v.value),
  rule("recurrenceHorizonWeeks", { value: intField("un nombre de semaines", 2, 26, " semaines") }, (v) => v.value),
  rule("notificationDigestMinutes", { value: intField("un nombre de minutes", 0, 60, " minutes") }, (v) => v.value),
  rule("disputeWindowDays", { value: intField("un nombre de jours", 0, 60, " jours") }, (v) => v.value),
  rule("retentionMonths", { value: intField("un nombre de mois", 12, 120, " mois") }, (v) => v.value),
  // Invoices are kept 10 years at least (Code de commerce L123-22): less is refused.
  rule("einvoiceRetentionYears", { value: intField("un nombre d'années", 10, 50, " ans") }, (v) => v.value),
  rule("sellerBankAccount", { iban: ibanSchema, bic: bicSchema, accountName: accountNameSchema }, (v) => ({ iban: v.iban, bic: v.bic, accountName: v.accountName })),
  rule("serviceContact", { phone: phoneSchema.optional().transform((v) => v ?? null), email: contactEmailSchema.optional().transform((v) => v ?? null) }, (v) => ({ phone: v.phone, email: v.email })),
  rule("vatOnReceipts", { value: z.literal("on", { error: "Cochez la case ou laissez-la vide." }).optional() }, (v) => v.value === "on"),
  rule("fieldHours", { checkInEarlyMinutes: intField("un nombre de minutes", 0, 240, " minutes"), varianceAlertMinutes: intField("un nombre de minutes", 0, 240, " minutes") }, (v) => ({
    checkInEarlyMinutes: v.checkInEarlyMinutes,
    varianceAlertMinutes: v.varianceAlertMinutes,
  })),
  rule("teamSize", { min: intField("un minimum", TEAM_MIN, TEAM_MAX, " personnes"), max: intField("un maximum", TEAM_MIN, TEAM_MAX, " personnes") }, (v, ctx) => {
    if (v.max < v.min) ctx.addIssue({ code: "custom", path: ["max"], message: "Le maximum doit être au moins égal au minimum." });
    return { min: v.min, max: v.max };
  }),
] as const;

/** The form schema of each rule, by the form's intent (the rule's key). */
export const RULE_FORMS: Record<string, (typeof RULE_FORM_LIST)[number]> = Object.fromEntries(
  RULE_FORM_LIST.map((schema) => [((schema.in as z.ZodObject).shape.intent as z.ZodLiteral).value, schema]),
);
export type RuleForm = z.infer<(typeof RULE_FORM_LIST)[number]>;

export const skillFormSchema = z.object({
  intent: z.literal("skill"),
  code: z
    .string({ error: "Indiquez un code." })
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Des lettres sans accent, des chiffres et des tirets, par exemple espaces-verts.")
    .max(40, "40 caractères au plus."),
  label: z.string({ error: "Indiquez un libellé." }).trim().min(1, "Indiquez un libellé.").max(80, "80 caractères au plus."),
});

export const supervisorLimitSchema = z.object({
  intent: z.literal("supervisorLimit"),
  supervisorId: z.string({ error: "Cet encadrant n'existe pas." }).min(1, "Cet encadrant n'existe pas.").max(40, "Cet encadrant n'existe pas."),
  maxTeamSize: intField("un nombre de personnes", TEAM_MIN, TEAM_MAX, " personnes"),
});
