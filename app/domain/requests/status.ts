// Statuses live on each dated intervention; a request's status is derived from them.
export const INTERVENTION_STATUSES = ["SUBMITTED", "ACCEPTED", "SCHEDULED", "IN_PROGRESS", "DONE", "INVOICED", "PAID", "CANCELLED", "DECLINED"] as const;
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
export const PROGRESS: readonly InterventionStatus[] = ["SUBMITTED", "ACCEPTED", "SCHEDULED", "IN_PROGRESS", "DONE", "INVOICED", "PAID"];

// The named sets of an intervention's life: every data function, route and job
// reads them here instead of writing its own list.
/** A partner (or coordination) may still move or cancel it. */
export const CHANGEABLE = ["SUBMITTED", "ACCEPTED", "SCHEDULED"] as const satisfies readonly InterventionStatus[];
/** Scheduling may (re)staff it; coordination steers its team. */
export const PLANNABLE = ["ACCEPTED", "SCHEDULED"] as const satisfies readonly InterventionStatus[];
/** It has started or happened: never re-planned, but its team counts in the week. */
export const HISTORY = ["IN_PROGRESS", "DONE", "INVOICED", "PAID"] as const satisfies readonly InterventionStatus[];
/** Staffed and going ahead, or done: a team's week is made of these. */
export const STAFFED = ["SCHEDULED", ...HISTORY] as const satisfies readonly InterventionStatus[];
/** Accepted and not cancelled: on the planning board. */
export const LIVE = ["ACCEPTED", ...STAFFED] as const satisfies readonly InterventionStatus[];
/** Its hours were worked (they can be read, contested, invoiced). */
export const WORKED = ["DONE", "INVOICED", "PAID"] as const satisfies readonly InterventionStatus[];
/** What a month's invoice takes: done, or cancelled late (a fee). */
export const BILLABLE = ["DONE", "CANCELLED"] as const satisfies readonly InterventionStatus[];
/** Not yet staffed or started: what a partner still waits for. */
export const UPCOMING = ["SUBMITTED", "ACCEPTED", "SCHEDULED"] as const satisfies readonly InterventionStatus[];
/** Never accepted: no one works on it. */
export const NEVER_ACCEPTED = ["SUBMITTED", "DECLINED"] as const satisfies readonly InterventionStatus[];
/** Waiting for validation or for a team: the home page's "without a team" count. */
export const AWAITING_TEAM = ["SUBMITTED", "ACCEPTED"] as const satisfies readonly InterventionStatus[];
/** Staffed and not yet invoiced: the encadrant's day shows it and their hours are recorded on it. */
export const ON_THE_GROUND = ["SCHEDULED", "IN_PROGRESS", "DONE"] as const satisfies readonly InterventionStatus[];
/** On an issued invoice: a void puts it back to DONE. */
export const BILLED = ["INVOICED", "PAID"] as const satisfies readonly InterventionStatus[];
/** Worked and not yet paid: an issued or paid invoice moves it on. */
export const AWAITING_PAYMENT = ["DONE", "INVOICED"] as const satisfies readonly InterventionStatus[];
/** Will not take place: cancelled, or declined before it was accepted. */
export const WITHDRAWN = ["CANCELLED", "DECLINED"] as const satisfies readonly InterventionStatus[];

/** A moved intervention loses its team (booked for the old time): a staffed one waits to be staffed again. */
export const statusAfterMove = (status: InterventionStatus): InterventionStatus => (status === "SCHEDULED" ? "ACCEPTED" : status);

export const isIn = <S extends InterventionStatus>(set: readonly S[], status: string): status is S => (set as readonly string[]).includes(status);

/**
 * The request's status: the least advanced status among its live
 * interventions (a series is "scheduled" only when every live date is), or
 * cancelled/declined when every intervention is.
 */
export function deriveRequestStatus(statuses: readonly InterventionStatus[]): InterventionStatus {
  const live = statuses.filter((s) => !isIn(WITHDRAWN, s));
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
  const live = [...PROGRESS];
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
