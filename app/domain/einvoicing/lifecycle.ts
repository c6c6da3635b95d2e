// The life of an e-invoice at the accredited platform (PA): the flow's
// acknowledgement (AFNOR XP Z12-013 Flow Service: Pending, Ok, Error) and the
// lifecycle statuses of the French reform (codes 200 to 221; Déposée,
// Rejetée, Refusée and Encaissée are mandatory). Statuses may arrive twice and
// in any order (webhooks, polling): the current one is derived from the
// history by the lifecycle's own order, never by arrival.

export const LIFECYCLE = {
  "200": { label: "Déposée", rank: 10 },
  "201": { label: "Émise par la plateforme", rank: 20 },
  "202": { label: "Reçue par la plateforme", rank: 30 },
  "203": { label: "Mise à disposition", rank: 40 },
  "204": { label: "Prise en charge", rank: 50 },
  "208": { label: "Suspendue", rank: 55 },
  "209": { label: "Complétée", rank: 57 },
  "207": { label: "En litige", rank: 60 },
  "206": { label: "Approuvée partiellement", rank: 70 },
  "205": { label: "Approuvée", rank: 75 },
  "214": { label: "Visée", rank: 76 },
  "211": { label: "Paiement transmis", rank: 80 },
  "212": { label: "Encaissée", rank: 90 },
  "221": { label: "Erreur de routage", rank: 95 },
  // Final and negative: nothing after them changes the outcome.
  "210": { label: "Refusée", rank: 100 },
  "213": { label: "Rejetée", rank: 100 },
  "220": { label: "Annulée", rank: 100 },
} as const satisfies Record<string, { label: string; rank: number }>;

export type LifecycleCode = keyof typeof LIFECYCLE;
export const ENCAISSEE: LifecycleCode = "212";
export const isLifecycleCode = (code: string): code is LifecycleCode => code in LIFECYCLE;
export const lifecycleLabel = (code: string) => (isLifecycleCode(code) ? LIFECYCLE[code].label : `Statut ${code}`);

export const ACK_STATUSES = ["Pending", "Ok", "Error"] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];
export const ACK_LABELS: Record<AckStatus, string> = {
  Pending: "En cours de contrôle par la plateforme",
  Ok: "Acceptée par la plateforme (contrôles techniques passés)",
  Error: "Refusée par la plateforme (contrôles techniques)",
};

/** Statuses that ask finance to act (buyer's refusal, platform's rejection, dispute, suspension, routing). */
const ACTION_CODES = new Set<string>(["210", "213", "207", "208", "221"]);

export type StatusEvent = { kind: string; code: string; occurredAt: Date };

/**
 * The current lifecycle status: the highest in lifecycle order; between two of
 * the same rank, the later one. Acknowledgements are not lifecycle statuses.
 */
export function currentLifecycle(events: StatusEvent[]): LifecycleCode | null {
  let best: { code: LifecycleCode; rank: number; at: number } | null = null;
  for (const e of events) {
    if (e.kind !== "lifecycle" || !isLifecycleCode(e.code)) continue;
    const rank = LIFECYCLE[e.code].rank;
    const at = e.occurredAt.getTime();
    if (!best || rank > best.rank || (rank === best.rank && at > best.at)) best = { code: e.code, rank, at };
  }
  return best?.code ?? null;
}

// The transmission's own states, before any lifecycle status.
export const TRANSMISSION_STATES = ["queued", "directory_missing", "submitted", "refused", "unreachable"] as const;
export type TransmissionState = (typeof TRANSMISSION_STATES)[number];

export type TransmissionView = { state: string; ackStatus: string | null; lifecycleCode: string | null };

/** One line finance reads for a transmission. */
export function transmissionSummary(t: TransmissionView): string {
  if (t.state === "directory_missing") return "Destinataire absent de l'annuaire : rien n'est envoyé";
  if (t.state === "refused") return "Refusée par la plateforme";
  if (t.state === "unreachable") return "Plateforme injoignable : nouvel essai automatique";
  if (t.lifecycleCode) return lifecycleLabel(t.lifecycleCode);
  if (t.ackStatus && t.ackStatus in ACK_LABELS) return ACK_LABELS[t.ackStatus as AckStatus];
  if (t.state === "submitted") return "Envoyée à la plateforme";
  return "En file d'envoi vers la plateforme";
}

/** Whether finance has something to do about this document. */
export function needsAction(t: TransmissionView): boolean {
  if (t.state === "directory_missing" || t.state === "refused" || t.state === "unreachable") return true;
  if (t.ackStatus === "Error") return true;
  return t.lifecycleCode !== null && ACTION_CODES.has(t.lifecycleCode);
}

/** What to do, in French, for a document that needs action. */
export function whatToDo(t: TransmissionView): string {
  if (t.state === "directory_missing")
    return "Le partenaire n'a pas encore d'adresse de facturation électronique dans l'annuaire. Demandez-lui de choisir sa plateforme agréée et de s'inscrire à l'annuaire (ou vérifiez son SIRET dans sa fiche), puis relancez l'envoi.";
  if (t.state === "unreachable") return "La plateforme ne répond pas : l'envoi est repris automatiquement. Si cela dure, vérifiez les identifiants de la plateforme et relancez.";
  if (t.state === "refused" || t.ackStatus === "Error") return "Corrigez la cause indiquée (le document émis ne change pas : émettez un avoir et une nouvelle facture si besoin), puis relancez.";
  if (t.lifecycleCode === "213") return "La plateforme a rejeté la facture (non conforme) : émettez un avoir et une nouvelle facture corrigée.";
  if (t.lifecycleCode === "210") return "Le client a refusé la facture : voyez avec lui le motif, puis émettez un avoir (et une nouvelle facture si besoin).";
  if (t.lifecycleCode === "207") return "Le client conteste la facture : prenez contact avec lui pour régler le litige.";
  if (t.lifecycleCode === "208") return "Le client a suspendu la facture : il attend un complément (bon de commande, justificatif).";
  if (t.lifecycleCode === "221") return "La facture n'a pas pu être acheminée : vérifiez le SIRET et le code de routage du client.";
  return "";
}
