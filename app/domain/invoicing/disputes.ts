// Contested hours: when a partner may contest, the forms, and how a
// settlement reads for the partner. Pure.
import { z } from "zod";
import { formatMinutes } from "~/utils/format.ts";
import { monthBounds, monthOf } from "./period.ts";

export type DisputeOutcome = "KEEP" | "CORRECT" | "WAIVE";

export const OUTCOME_LABELS: Record<DisputeOutcome, string> = {
  KEEP: "Heures maintenues",
  CORRECT: "Heures corrigées",
  WAIVE: "Ligne abandonnée",
};

/** Partners contest until `windowDays` days after the end of the intervention's month (Paris). */
export function disputeDeadline(startsAt: Date, windowDays: number): Date {
  return new Date(monthBounds(monthOf(startsAt)).to.getTime() + windowDays * 86_400_000);
}

export type ContestCheck = { ok: true } | { ok: false; message: string };

/** Whether the partner may still contest this intervention's hours. */
export function canContest(i: { status: string; startsAt: Date; hasDispute: boolean; onIssuedInvoice: boolean; hoursRecorded: boolean }, now: Date, windowDays: number): ContestCheck {
  if (i.hasDispute) return { ok: false, message: "Ces heures ont déjà été contestées." };
  if (i.status !== "DONE" || i.onIssuedInvoice) return { ok: false, message: "Cette intervention est déjà facturée : écrivez à la coordination depuis la demande." };
  if (!i.hoursRecorded) return { ok: false, message: "Les heures de cette intervention ne sont pas encore saisies." };
  if (now.getTime() > disputeDeadline(i.startsAt, windowDays).getTime()) {
    return { ok: false, message: "Le délai de contestation est passé : écrivez à la coordination depuis la demande." };
  }
  return { ok: true };
}

/** Whole days since the dispute was opened. */
export function ageInDays(openedAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - openedAt.getTime()) / 86_400_000));
}

export const DISPUTE_TEXT_MAX = 1000;

const reasonText = (empty: string) => z.string({ error: empty }).trim().min(5, empty).max(DISPUTE_TEXT_MAX, `${DISPUTE_TEXT_MAX} caractères au plus.`);

export const contestSchema = z.object({
  intent: z.literal("contest"),
  reason: reasonText("Dites-nous en une phrase ce qui ne correspond pas (par exemple : l'équipe est partie à 11 h)."),
});

/** "5:30", "5 h 30", "5h", "5,5" or "5.5" hours -> minutes; null when unreadable. */
export function parseHours(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, " ");
  const clock = /^(\d{1,4}) ?(?:h|:) ?(\d{1,2})?(?: ?min)?$/.exec(s);
  if (clock) {
    const minutes = Number(clock[2] ?? 0);
    return minutes < 60 ? Number(clock[1]) * 60 + minutes : null;
  }
  const decimal = /^(\d{1,4})(?:[.,](\d{1,2}))?$/.exec(s);
  if (decimal) return Math.round(Number(`${decimal[1]}.${decimal[2] ?? "0"}`) * 60);
  return null;
}

const answer = reasonText("Écrivez votre réponse au partenaire : il la lit sur sa demande.");

const settleIntent = z.literal("settle", { error: "Action inconnue." });
const disputeId = z.string({ error: "Contestation inconnue : rechargez la page." }).min(1, "Contestation inconnue : rechargez la page.").max(40, "Contestation inconnue : rechargez la page.");

export const settleSchema = z.discriminatedUnion(
  "outcome",
  [
    z.object({ intent: settleIntent, disputeId, outcome: z.literal("KEEP"), answer }),
    z.object({
      intent: settleIntent,
      disputeId,
      outcome: z.literal("CORRECT"),
      correctedHours: z.string({ error: "Indiquez les heures à facturer, par exemple 5 h 30." }).transform((s, ctx) => {
        const minutes = parseHours(s);
        if (minutes === null) {
          ctx.addIssue({ code: "custom", message: "Indiquez les heures à facturer, par exemple 5 h 30 ou 5,5." });
          return z.NEVER;
        }
        if (minutes === 0) {
          ctx.addIssue({ code: "custom", message: "Pour ne rien facturer, choisissez « Abandonner la ligne »." });
          return z.NEVER;
        }
        if (minutes > 24 * 60 * 50) {
          ctx.addIssue({ code: "custom", message: "Ce nombre d'heures n'est pas plausible pour une intervention." });
          return z.NEVER;
        }
        return minutes;
      }),
      answer,
    }),
    z.object({ intent: settleIntent, disputeId, outcome: z.literal("WAIVE"), answer }),
  ],
  { error: "Choisissez une décision : maintenir, corriger ou abandonner." },
);

/** What the partner reads once finance has settled. */
export function settlementText(s: { outcome: DisputeOutcome; correctedMinutes: number | null; recordedMinutes: number }): string {
  switch (s.outcome) {
    case "KEEP":
      return `Heures maintenues : ${formatMinutes(s.recordedMinutes)} seront facturées.`;
    case "CORRECT":
      return `Heures corrigées : ${formatMinutes(s.correctedMinutes ?? 0)} seront facturées au lieu de ${formatMinutes(s.recordedMinutes)}.`;
    case "WAIVE":
      return "Ligne abandonnée : cette intervention ne vous sera pas facturée.";
  }
}
