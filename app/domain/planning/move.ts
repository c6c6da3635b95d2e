import { z } from "zod";
import { dayField } from "~/utils/validation.ts";

// The move form, the same on the request's page and on the planning: a new
// date and start time; the coordination may force the staffing rules with a
// reason (partners have no such fields, and any they send are ignored).

export const MOVE_INTENTS = ["move", "check-move"] as const;
export const isMoveIntent = (value: unknown): value is (typeof MOVE_INTENTS)[number] => MOVE_INTENTS.includes(value as never);

export const moveFormSchema = z
  .object({
    intent: z.enum(MOVE_INTENTS, { error: "Action inconnue." }),
    date: dayField("Indiquez la nouvelle date."),
    startTime: z.string({ error: "Indiquez l'heure de début." }).regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, "Indiquez une heure au quart d'heure (par exemple 08:30)."),
    force: z.literal("on", { error: "Cochez la case ou laissez-la vide." }).optional(),
    reason: z.string().trim().max(500, "500 caractères au plus.").optional(),
  })
  .refine((v) => v.intent !== "move" || !v.force || (v.reason ?? "").length >= 10, {
    message: "Pour forcer, expliquez en quelques mots pourquoi (10 caractères au moins).",
    path: ["reason"],
  });
export type MoveForm = z.infer<typeof moveFormSchema>;

/** What the move form shows after a check or a refused move. */
export type MoveFeedback = {
  checked: boolean;
  errors: Record<string, string>;
  violations: { rule: string; message: string }[];
  message: string | null;
  values: Record<string, string>;
};

type MoveOutcome = { ok: true; message: string } | { ok: false; message: string; field?: string; violations?: { rule: string; message: string }[] };

/** A move's outcome as the form shows it: a message next to its field, or the rules broken. */
export function moveFeedback(result: MoveOutcome, values: Record<string, string>): MoveFeedback {
  if (result.ok) return { checked: true, errors: {}, violations: [], message: null, values };
  return {
    checked: true,
    errors: result.field ? { [result.field]: result.message } : {},
    violations: result.violations ?? [],
    message: result.field || result.violations?.length ? null : result.message,
    values,
  };
}
