import { z } from "zod";

/** The form of the agreement card (coordinator's intervention page, encadrant's day). */
export const agreementFormSchema = z.object({
  intent: z.enum(["agree", "withdraw-agreement"], { error: "Action inconnue." }),
  participantId: z.string({ error: "Personne inconnue." }).regex(/^[\w-]{1,40}$/, "Personne inconnue."),
});

export const isAgreementIntent = (intent: unknown) => intent === "agree" || intent === "withdraw-agreement";
