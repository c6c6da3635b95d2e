import { z } from "zod";
import { DPH_MAX_WEEKLY_HOURS, DPH_MIN_WEEKLY_HOURS, lastContractDay } from "~/domain/dph.ts";
import { dayField, isCalendarDay } from "~/utils/validation.ts";
import { TEAM_MAX, TEAM_MIN, TEAM_TOO_LARGE, TEAM_TOO_SMALL } from "~/domain/team.ts";

// The forms that create the people of the service. A person in insertion is
// known by first name and initial, contract dates, weekly hours and skills
// (availability is set on their page afterwards): nothing else, by design.

const dateField = (message: string) => dayField(message, "planned");
const frenchDay = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** "6,5" or "6.5" hours, by quarter of an hour, within bounds. */
export const hoursField = (label: string, min: number, max: number) =>
  z
    .string({ error: `Indiquez ${label}.` })
    .trim()
    .min(1, `Indiquez ${label}.`)
    .transform((s) => s.replace(",", "."))
    .refine((s) => /^\d{1,2}(\.\d{1,2})?$/.test(s), "Un nombre d'heures, par exemple 6 ou 6,5.")
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `Entre ${min} et ${max} heures (Dispositif Premières Heures).`)
        .max(max, `Entre ${min} et ${max} heures (Dispositif Premières Heures).`)
        .refine((h) => Number.isInteger(h * 4), "Par quart d'heure (par exemple 6,25 ou 6,5)."),
    );

export function newParticipantSchema(today: string) {
  return z
    .object({
      firstName: z
        .string({ error: "Indiquez le prénom." })
        .trim()
        .min(1, "Indiquez le prénom.")
        .max(50, "50 caractères au plus.")
        .regex(/^\p{L}[\p{L}' -]*$/u, "Le prénom seulement : des lettres, espaces, tirets ou apostrophes."),
      lastInitial: z
        .string({ error: "Indiquez l'initiale du nom." })
        .trim()
        .min(1, { error: "Indiquez l'initiale du nom.", abort: true })
        .regex(/^\p{L}\.?$/u, "Une seule lettre : l'initiale du nom, pas le nom entier.")
        .transform((s) => s.slice(0, 1).toUpperCase()),
      contractStart: dateField("Indiquez la date de début du contrat."),
      contractEnd: dateField("Indiquez la date de fin du contrat."),
      weeklyTargetHours: hoursField("l'objectif d'heures par semaine", DPH_MIN_WEEKLY_HOURS, DPH_MAX_WEEKLY_HOURS),
      weeklyMaxHours: hoursField("le plafond d'heures par semaine", DPH_MIN_WEEKLY_HOURS, DPH_MAX_WEEKLY_HOURS),
      referentSupervisorId: z
        .string()
        .optional()
        .transform((s) => (s ?? "").trim() || null)
        .refine((s) => s === null || /^[\w-]{1,40}$/.test(s), "Choisissez un encadrant de la liste."),
    })
    .superRefine((v, ctx) => {
      // An impossible date already has its message; comparing it would throw.
      const datesExist = isCalendarDay(v.contractStart) && isCalendarDay(v.contractEnd);
      if (!datesExist) {
        // Each impossible date has its own message already.
      } else if (v.contractEnd < v.contractStart) {
        ctx.addIssue({ code: "custom", path: ["contractEnd"], message: "La fin du contrat doit suivre son début." });
      } else if (v.contractEnd > lastContractDay(v.contractStart)) {
        ctx.addIssue({ code: "custom", path: ["contractEnd"], message: `Un contrat DPH dure 12 mois au plus : fin au plus tard le ${frenchDay(lastContractDay(v.contractStart))}.` });
      } else if (v.contractEnd < today) {
        ctx.addIssue({ code: "custom", path: ["contractEnd"], message: "Ce contrat est déjà terminé." });
      }
      if (v.weeklyTargetHours <= 16 && v.weeklyMaxHours < v.weeklyTargetHours) {
        ctx.addIssue({ code: "custom", path: ["weeklyMaxHours"], message: "Le plafond ne peut pas être sous l'objectif." });
      }
    });
}

export type NewParticipant = z.infer<ReturnType<typeof newParticipantSchema>>;

const personName = (label: string) =>
  z
    .string({ error: `Indiquez le ${label}.` })
    .trim()
    .min(1, `Indiquez le ${label}.`)
    .max(60, "60 caractères au plus.")
    .regex(/^\p{L}[\p{L}' -]*$/u, "Des lettres, espaces, tirets ou apostrophes.");

export const newSupervisorSchema = z.object({
  firstName: personName("prénom"),
  lastName: personName("nom"),
  maxTeamSize: z
    .string({ error: "Indiquez une taille d'équipe." })
    .trim()
    .regex(/^\d{1,2}$/, "Un nombre entier de personnes.")
    .transform(Number)
    .pipe(z.number().min(TEAM_MIN, TEAM_TOO_SMALL).max(TEAM_MAX, TEAM_TOO_LARGE)),
  weeklyMaxHours: z
    .string({ error: "Indiquez un nombre d'heures." })
    .trim()
    .transform((s) => s.replace(",", "."))
    .refine((s) => /^\d{1,2}(\.\d{1,2})?$/.test(s), "Un nombre d'heures, par exemple 35.")
    .transform(Number)
    .pipe(z.number().min(1, "Une heure au moins.").max(48, "48 heures au plus (durée maximale du travail).")),
  userId: z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim() || null)
    .refine((s) => s === null || /^[\w-]{1,40}$/.test(s), "Choisissez un compte de la liste."),
});

export type NewSupervisor = z.infer<typeof newSupervisorSchema>;
