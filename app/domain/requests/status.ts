// Statuses live on each dated intervention; a request's status is derived from them.
export const INTERVENTION_STATUSES = [
  "SUBMITTED",
  "ACCEPTED",
  "SCHEDULED",
  "IN_PROGRESS",
  "DONE",
  "INVOICED",
  "PAID",
  "CANCELLED",
  "DECLINED",
] as const;
export type InterventionStatus = (typeof INTERVENTION_STATUSES)[number];

export const STATUS_LABELS: Record<InterventionStatus, string> = {
  SUBMITTED: "Envoyée",
  ACCEPTED: "Acceptée",
  SCHEDULED: "Planifiée",
  IN_PROGRESS: "En cours",
  DONE: "Réalisée",
  INVOICED: "Facturée",
  PAID: "Payée",
  CANCELLED: "Annulée",
  DECLINED: "Refusée",
};

export const STATUS_TONES: Record<InterventionStatus, "green" | "amber" | "red" | "blue" | undefined> = {
  SUBMITTED: "amber",
  ACCEPTED: "blue",
  SCHEDULED: "blue",
  IN_PROGRESS: "blue",
  DONE: "green",
  INVOICED: "green",
  PAID: "green",
  CANCELLED: "red",
  DECLINED: "red",
};

// Progress order along the life of a request (cancelled and declined stand apart).
const PROGRESS: InterventionStatus[] = ["SUBMITTED", "ACCEPTED", "SCHEDULED", "IN_PROGRESS", "DONE", "INVOICED", "PAID"];

/**
 * The request's status: the least advanced status among its live
 * interventions (a series is "scheduled" only when every live date is), or
 * cancelled/declined when every intervention is.
 */
export function deriveRequestStatus(statuses: readonly InterventionStatus[]): InterventionStatus {
  const live = statuses.filter((s) => s !== "CANCELLED" && s !== "DECLINED");
  if (live.length === 0) return statuses.includes("DECLINED") ? "DECLINED" : "CANCELLED";
  // An intervention in progress makes the request in progress, whatever the others say.
  if (live.includes("IN_PROGRESS")) return "IN_PROGRESS";
  return PROGRESS[Math.min(...live.map((s) => PROGRESS.indexOf(s)))]!;
}

/**
 * deriveRequestStatus as a test on a request's interventions, for a filter in
 * SQL: the request shows `status` exactly when one of its interventions has a
 * status of `some` and none has a status of `none`.
 */
export function requestStatusCondition(status: InterventionStatus): { some: InterventionStatus[]; none: InterventionStatus[] } {
  const live = PROGRESS;
  if (status === "DECLINED") return { some: ["DECLINED"], none: live };
  if (status === "CANCELLED") return { some: ["CANCELLED"], none: [...live, "DECLINED"] };
  if (status === "IN_PROGRESS") return { some: ["IN_PROGRESS"], none: [] };
  return { some: [status], none: [...PROGRESS.slice(0, PROGRESS.indexOf(status)), "IN_PROGRESS"] };
}

export const RECURRENCE_LABELS = {
  NONE: "Ponctuelle",
  WEEKLY: "Chaque semaine",
  BIWEEKLY: "Toutes les deux semaines",
  MONTHLY: "Chaque mois",
} as const;
