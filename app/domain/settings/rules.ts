import { electronicFormatIBAN, isValidBIC, validateIBAN, ValidationErrorsIBAN } from "ibantools";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { z } from "zod";
import { TEAM_MAX, TEAM_MIN } from "~/domain/team.ts";

// The service rules, in one place: the portal, the scheduler and invoicing read
// them through app/data/settings.server.ts; the back office edits them. Each
// rule has a default, so a fresh database works before anyone sets anything.

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Heure au format HH:MM");

export const openingHoursSchema = z
  .object({
    // ISO weekdays (1 = Monday) when teams work, and the daily window.
    days: z.array(z.number().int().min(1).max(7)).min(1),
    from: hhmm,
    to: hhmm,
  })
  .refine((v) => v.from < v.to, { message: "L'heure de fin doit suivre l'heure de début", path: ["to"] });

/** An IBAN, in electronic form (no spaces, capitals), checked by its country's length and its mod-97 key (ibantools). */
export const ibanSchema = z
  .string({ error: "Indiquez l'IBAN du compte." })
  .trim()
  .min(1, "Indiquez l'IBAN du compte.")
  .transform((v) => electronicFormatIBAN(v) ?? "")
  .superRefine((v, ctx) => {
    const { valid, errorCodes } = validateIBAN(v);
    if (valid) return;
    const message = errorCodes.includes(ValidationErrorsIBAN.WrongIBANChecksum)
      ? "IBAN invalide : la clé de contrôle ne correspond pas. Vérifiez chaque caractère."
      : errorCodes.includes(ValidationErrorsIBAN.NoIBANCountry)
        ? "IBAN invalide : il commence par le code du pays (FR76 pour un compte français)."
        : "IBAN invalide : longueur ou format inattendu pour ce pays (27 caractères pour un compte français).";
    ctx.addIssue({ code: "custom", message });
  });
/** A BIC (SWIFT code): 8 or 11 characters, bank, country, place (and branch). */
export const bicSchema = z
  .string({ error: "Indiquez le BIC de la banque." })
  .trim()
  .toUpperCase()
  .min(1, "Indiquez le BIC de la banque.")
  .refine((v) => isValidBIC(v), "BIC invalide : 8 ou 11 lettres et chiffres, par exemple AGRIFRPP ou AGRIFRPP882.");
export const accountNameSchema = z.string({ error: "Indiquez le titulaire du compte." }).trim().min(1, "Indiquez le titulaire du compte.").max(140, "140 caractères au plus.");
/** The seller's bank account, written on every e-invoice (BT-84 IBAN, BT-85 name, BT-86 BIC). */
export const bankAccountSchema = z.object({ iban: ibanSchema, bic: bicSchema, accountName: accountNameSchema });

/**
 * A phone number people can dial, checked by libphonenumber-js (French numbers
 * without their +33, others with their country code), kept as it is read:
 * "01 42 78 55 23", "+32 2 123 45 67". Empty: none.
 */
export const phoneSchema = z
  .string()
  .trim()
  .max(30, "Ce numéro est trop long.")
  .transform((v, ctx) => {
    if (v === "") return null;
    const phone = /^[\d\s.+()-]+$/.test(v) ? parsePhoneNumberFromString(v, "FR") : undefined;
    if (!phone?.isValid()) {
      ctx.addIssue({ code: "custom", message: "Ce numéro de téléphone n'est pas valide : 10 chiffres pour un numéro français (01 42 78 55 23), ou l'indicatif du pays (+32 …)." });
      return z.NEVER;
    }
    // "01 00 00 00 00" parses, but is a placeholder no one answers.
    if (/^(\d)\1{7}$/.test(phone.nationalNumber.slice(-8))) {
      ctx.addIssue({ code: "custom", message: "Ce numéro ressemble à un exemple (01 00 00 00 00) : indiquez le vrai numéro de la coordination." });
      return z.NEVER;
    }
    return phone.country === "FR" ? phone.formatNational() : phone.formatInternational();
  });
export const contactEmailSchema = z
  .string()
  .trim()
  .max(254, "Cette adresse est trop longue.")
  .transform((s) => (s ? s.toLowerCase() : null))
  .pipe(z.email("Cette adresse e-mail n'est pas valide.").nullable());
/** How partners and staff reach coordination: shown wherever the app says "call coordination". */
export const serviceContactSchema = z.object({ phone: phoneSchema.nullable(), email: contactEmailSchema.nullable() });
export type ServiceContact = z.infer<typeof serviceContactSchema>;

export const SERVICE_RULES = {
  openingHours: openingHoursSchema.default({ days: [1, 2, 3, 4, 5], from: "08:00", to: "18:00" }),
  /** Hours before an intervention after which a partner can no longer move or cancel it online. */
  cancellationDeadlineHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(48),
  /** Share of the intervention's price billed for a cancellation after the deadline (0–100). */
  lateCancellationFeePercent: z.number().int().min(0).max(100).default(50),
  /** Closure days of the service (YYYY-MM-DD), on top of French public holidays. */
  closureDays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  /** Weekly optimisation: ISO weekday and time, Europe/Paris. */
  weeklyOptimisation: z.object({ day: z.number().int().min(1).max(7), time: hhmm }).default({ day: 4, time: "14:00" }),
  /** Default team size limit of an encadrant (each encadrant may have their own). */
  defaultMaxTeamSize: z.number().int().min(TEAM_MIN).max(TEAM_MAX).default(6),
  /** Days ahead within which a person's confirmed schedule changes only with their agreement. */
  scheduleChangeNoticeDays: z.number().int().min(0).max(60).default(7),
  /** Weeks ahead to which recurring requests are expanded into dated interventions (daily job). */
  recurrenceHorizonWeeks: z.number().int().min(2).max(26).default(8),
  /** Days partners have, after the end of a month, to contest the hours of an intervention. */
  disputeWindowDays: z.number().int().min(0).max(60).default(5),
  /** Months after a contract ends before a person in insertion is anonymised. */
  retentionMonths: z.number().int().min(12).max(120).default(24),
  /** Team size a partner may order (participants in insertion per intervention). */
  teamSize: z.object({ min: z.number().int().min(TEAM_MIN), max: z.number().int().max(TEAM_MAX) }).default({ min: 1, max: 8 }),
  /** E-invoicing: VAT due on receipts (TVA sur les encaissements, the rule for services) rather than on debits. */
  vatOnReceipts: z.boolean().default(true),
  /** Years the Factur-X documents are kept (never less than the 10 years of the law, art. L123-22 C. com.). */
  einvoiceRetentionYears: z
    .number({ error: "Indiquez un nombre d'années." })
    .int("Un nombre entier d'années.")
    .min(10, "10 ans au moins : la loi impose de conserver les factures 10 ans.")
    .max(50, "50 ans au plus.")
    .default(10),
  /** Recording hours on site: how early an arrival may be noted, and the gap from the plan that alerts coordination. */
  fieldHours: z
    .object({ checkInEarlyMinutes: z.number().int().min(0).max(240), varianceAlertMinutes: z.number().int().min(0).max(240) })
    .default({ checkInEarlyMinutes: 60, varianceAlertMinutes: 15 }),
  /** Minutes of quiet before the events of one request are mailed, together (0: at once). */
  notificationDigestMinutes: z.number().int().min(0).max(60).default(2),
  /** The association's bank account for transfers, on every invoice; none by default, and no invoice is issued without it. */
  sellerBankAccount: bankAccountSchema.nullable().default(null),
  /** The coordination's phone and e-mail, told to partners when the app can no longer do something for them; none by default (nothing made up is shown). */
  serviceContact: serviceContactSchema.default({ phone: null, email: null }),
  /** Skills of the service, as code and French label. */
  skills: z.array(z.object({ code: z.string().min(1), label: z.string().min(1) })).default([]),
} as const;

export type ServiceRuleKey = keyof typeof SERVICE_RULES;
export type ServiceRules = { [K in ServiceRuleKey]: z.infer<(typeof SERVICE_RULES)[K]> };

/**
 * Merges stored values over the defaults. A stored value that no longer fits
 * its schema (an old format, a hand edit) falls back to the default rather
 * than breaking every page.
 */
/** The rules' French names, for the messages about them. */
export const RULE_TITLES: Record<ServiceRuleKey, string> = {
  openingHours: "Horaires d'ouverture",
  cancellationDeadlineHours: "Délai d'annulation",
  lateCancellationFeePercent: "Frais d'annulation tardive",
  closureDays: "Jours de fermeture",
  weeklyOptimisation: "Optimisation hebdomadaire",
  defaultMaxTeamSize: "Taille d'équipe d'un encadrant",
  scheduleChangeNoticeDays: "Délai de prévenance d'un changement",
  recurrenceHorizonWeeks: "Horizon des séries",
  disputeWindowDays: "Délai de contestation",
  retentionMonths: "Conservation des données des personnes",
  teamSize: "Taille d'équipe commandable",
  vatOnReceipts: "TVA sur les encaissements",
  einvoiceRetentionYears: "Conservation des factures électroniques",
  fieldHours: "Pointage sur le terrain",
  notificationDigestMinutes: "Regroupement des e-mails",
  sellerBankAccount: "Compte bancaire de la Conciergerie",
  serviceContact: "Coordonnées du service",
  skills: "Compétences",
};

/** Rules stored with a value their schema refuses (written by an older version, or by hand): they fall back to their default. */
export function invalidStoredRules(stored: Partial<Record<string, unknown>>): ServiceRuleKey[] {
  return (Object.keys(SERVICE_RULES) as ServiceRuleKey[]).filter((key) => stored[key] !== undefined && !SERVICE_RULES[key].safeParse(stored[key]).success);
}

export function resolveServiceRules(stored: Partial<Record<string, unknown>>): ServiceRules {
  const rules = {} as Record<string, unknown>;
  for (const [key, schema] of Object.entries(SERVICE_RULES)) {
    const parsed = (schema as z.ZodType).safeParse(stored[key]);
    rules[key] = parsed.success ? parsed.data : (schema as z.ZodType).parse(undefined);
  }
  return rules as ServiceRules;
}
