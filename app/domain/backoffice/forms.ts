import { z } from "zod";
import { normaliseSiret, normaliseVatNumber, siretProblem, sirenOfFrenchVat, vatNumberProblem } from "./identifiers.ts";
import { parseEurosToCents, parsePercentToBasisPoints } from "./money.ts";
import { dayField } from "~/utils/validation.ts";
import { TEAM_MAX, TEAM_MIN } from "~/domain/team.ts";

// The back office's forms, as zod schemas with a French message per field.
// Pure: the routes parse with them (parseForm), the tests check them directly.

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((s) => (s ? s : null));

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === "on" || v === "true");

/** A whole number typed in a field, with French messages for empty, not a number, too small, too big. */
export const intField = (label: string, min: number, max: number, unit = "") =>
  z
    .string({ error: `Indiquez ${label}.` })
    .trim()
    .min(1, `Indiquez ${label}.`)
    .regex(/^-?\d+$/, "Un nombre entier, sans virgule.")
    .transform(Number)
    .pipe(z.number().min(min, `${min}${unit} au moins.`).max(max, `${max}${unit} au plus.`));

export const eurosField = z
  .string({ error: "Indiquez un prix." })
  .trim()
  .min(1, "Indiquez un prix.")
  .transform((s, ctx) => {
    const cents = parseEurosToCents(s);
    if (cents === null) {
      ctx.addIssue({ code: "custom", message: "Un montant en euros, par exemple 24,50." });
      return z.NEVER;
    }
    return cents;
  })
  .pipe(z.number().min(1, "Le prix doit être positif.").max(10_000_000, "100 000 € au plus."));

const dateField = (empty: string) => dayField("Une date au format JJ/MM/AAAA.", "planned", empty);

// --- Partners -------------------------------------------------------------

export const partnerSchema = z
  .object({
    name: z.string({ error: "Indiquez un nom." }).trim().min(1, "Indiquez un nom.").max(120, "120 caractères au plus."),
    kind: z.enum(["PARTNER", "INTERNAL"], { error: "Choisissez le type d'organisation." }),
    siret: z
      .string()
      .trim()
      .optional()
      .transform((s) => (s ? normaliseSiret(s) : null))
      .superRefine((s, ctx) => {
        if (s === null) return;
        const problem = siretProblem(s);
        if (problem === "format") ctx.addIssue({ code: "custom", message: "Un SIRET compte 14 chiffres." });
        if (problem === "checksum") ctx.addIssue({ code: "custom", message: "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle)." });
      }),
    vatNumber: z
      .string()
      .trim()
      .optional()
      .transform((s) => (s ? normaliseVatNumber(s) : null))
      .superRefine((s, ctx) => {
        if (s === null) return;
        const problem = vatNumberProblem(s);
        if (problem === "format") ctx.addIssue({ code: "custom", message: "Un numéro de TVA intracommunautaire ressemble à FR32123456789." });
        if (problem === "country") ctx.addIssue({ code: "custom", message: "Ce numéro ne commence pas par le code d'un pays de l'Union européenne." });
        if (problem === "checksum") ctx.addIssue({ code: "custom", message: "La clé de ce numéro de TVA ne correspond pas au SIREN : vérifiez les chiffres." });
      }),
    billingEmail: z
      .string()
      .trim()
      .max(254, "Cette adresse est trop longue.")
      .optional()
      .transform((s) => (s ? s.toLowerCase() : null))
      .pipe(z.email("Cette adresse e-mail n'est pas valide.").nullable()),
    billingAddress: optionalText(400, "400 caractères au plus."),
    paymentTermsDays: intField("un délai de paiement", 0, 60, " jours"),
    requiresValidation: checkbox,
    requiresPurchaseOrder: checkbox,
  })
  .superRefine((v, ctx) => {
    const vatSiren = v.vatNumber ? sirenOfFrenchVat(v.vatNumber) : null;
    if (vatSiren && v.siret && !v.siret.startsWith(vatSiren)) {
      ctx.addIssue({ code: "custom", path: ["vatNumber"], message: "Ce numéro de TVA ne correspond pas au SIRET (les 9 premiers chiffres diffèrent)." });
    }
    if (v.kind === "PARTNER" && !v.billingEmail) {
      ctx.addIssue({ code: "custom", path: ["billingEmail"], message: "Indiquez l'adresse où envoyer les factures." });
    }
  });
export type PartnerInput = z.infer<typeof partnerSchema>;

export const siteSchema = z.object({
  name: z.string({ error: "Indiquez un nom." }).trim().min(1, "Indiquez le nom du site.").max(120, "120 caractères au plus."),
  address: z.string({ error: "Indiquez une adresse." }).trim().min(1, "Indiquez une adresse.").max(200, "200 caractères au plus."),
  postalCode: z
    .string({ error: "Indiquez un code postal." })
    .trim()
    .regex(/^\d{5}$/, "Un code postal compte 5 chiffres."),
  city: z.string({ error: "Indiquez une ville." }).trim().min(1, "Indiquez une ville.").max(100, "100 caractères au plus."),
  accessNotes: optionalText(1000, "1 000 caractères au plus."),
});
export type SiteInput = z.infer<typeof siteSchema>;

// --- Catalogue ------------------------------------------------------------

const vatFields = {
  vatMode: z.enum(["rate", "exempt"], { error: "Choisissez un taux de TVA ou une exonération." }),
  // Checked on its own so its message shows even when another field is wrong too.
  vatRate: z
    .string()
    .trim()
    .optional()
    .superRefine((s, ctx) => {
      if (!s) return;
      const bp = parsePercentToBasisPoints(s);
      if (bp === null) ctx.addIssue({ code: "custom", message: "Un pourcentage, par exemple 20 ou 5,5." });
      else if (bp < 0 || bp > 10_000) ctx.addIssue({ code: "custom", message: "Le taux de TVA est compris entre 0 et 100 %." });
    }),
  vatExemptionMention: z.string().trim().max(300, "300 caractères au plus.").optional(),
};

/** The VAT part of a prestation: a rate in basis points (0–10 000), or 0 with its legal mention. */
function resolveVat(v: { vatMode: "rate" | "exempt"; vatRate?: string; vatExemptionMention?: string }, ctx: z.RefinementCtx): { vatRateBasisPoints: number; vatExemptionMention: string | null } {
  if (v.vatMode === "exempt") {
    if (!v.vatExemptionMention) {
      ctx.addIssue({ code: "custom", path: ["vatExemptionMention"], message: "Indiquez la mention légale de l'exonération, par exemple « TVA non applicable, art. 261-7-1° du CGI »." });
    }
    return { vatRateBasisPoints: 0, vatExemptionMention: v.vatExemptionMention || null };
  }
  const bp = v.vatRate ? parsePercentToBasisPoints(v.vatRate) : null;
  if (!v.vatRate) ctx.addIssue({ code: "custom", path: ["vatRate"], message: "Indiquez un taux de TVA, par exemple 20." });
  return { vatRateBasisPoints: bp ?? 0, vatExemptionMention: null };
}

const prestationFields = {
  category: z.string({ error: "Indiquez une catégorie." }).trim().min(1, "Indiquez une catégorie.").max(80, "80 caractères au plus."),
  name: z.string({ error: "Indiquez un nom." }).trim().min(1, "Indiquez un nom.").max(120, "120 caractères au plus."),
  description: z.string({ error: "Décrivez ce que fait l'équipe." }).trim().min(10, "Décrivez en une ou deux phrases ce que fait l'équipe.").max(2000, "2 000 caractères au plus."),
  skillId: z.string({ error: "Choisissez une compétence." }).min(1, "Choisissez une compétence.").max(40),
  pricingUnit: z.enum(["PER_PARTICIPANT_HOUR", "FLAT"], { error: "Choisissez une unité de prix." }),
  minNoticeDays: intField("un délai de prévenance", 0, 60, " jours"),
  defaultDurationMinutes: intField("une durée", 15, 720, " minutes"),
  defaultTeamSize: intField("une taille d'équipe", TEAM_MIN, TEAM_MAX, " personnes"),
  active: checkbox,
  ...vatFields,
};

export const prestationUpdateSchema = z.object(prestationFields).transform(({ vatMode, vatRate, vatExemptionMention, ...rest }, ctx) => ({
  ...rest,
  ...resolveVat({ vatMode, vatRate, vatExemptionMention }, ctx),
}));
export type PrestationUpdateInput = z.infer<typeof prestationUpdateSchema>;

export const prestationCreateSchema = z.object({ ...prestationFields, price: eurosField }).transform(({ vatMode, vatRate, vatExemptionMention, price, ...rest }, ctx) => ({
  ...rest,
  priceCents: price,
  ...resolveVat({ vatMode, vatRate, vatExemptionMention }, ctx),
}));
export type PrestationCreateInput = z.infer<typeof prestationCreateSchema>;

/** A new price from a date: never before today (Paris), so the past is never rewritten. */
export const priceVersionSchema = (today: string) =>
  z.object({
    price: eurosField,
    validFrom: dateField("Indiquez la date d'entrée en vigueur.").refine((s) => s >= today, "Un nouveau prix s'applique à partir d'aujourd'hui ou plus tard : le passé ne change pas."),
    organisationId: z
      .string()
      .max(40, "Choisissez un partenaire de la liste.")
      .optional()
      .transform((s) => (s ? s : null)),
  });
export type PriceVersionInput = z.infer<ReturnType<typeof priceVersionSchema>>;
