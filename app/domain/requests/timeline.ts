import { STATUS_LABELS, type InterventionStatus } from "./status.ts";

const STEPS: InterventionStatus[] = ["SUBMITTED", "ACCEPTED", "SCHEDULED", "IN_PROGRESS", "DONE", "INVOICED", "PAID"];

export type TimelineStep = { status: InterventionStatus; label: string; state: "done" | "current" | "upcoming" };
export type Timeline = { steps: TimelineStep[]; ended: { status: "CANCELLED" | "DECLINED"; label: string; reason: string | null } | null };

/**
 * The request's life as a timeline: submitted → accepted → scheduled → in
 * progress → done → invoiced → paid, from its derived status; a cancelled or
 * declined request ends it, with the reason.
 */
export function requestTimeline(status: InterventionStatus, reason: string | null = null): Timeline {
  if (status === "CANCELLED" || status === "DECLINED") {
    return { steps: [{ status: "SUBMITTED", label: STATUS_LABELS.SUBMITTED, state: "done" }], ended: { status, label: STATUS_LABELS[status], reason } };
  }
  const at = STEPS.indexOf(status);
  return {
    steps: STEPS.map((s, i) => ({ status: s, label: STATUS_LABELS[s], state: i < at ? "done" : i === at ? (s === "PAID" ? "done" : "current") : "upcoming" })),
    ended: null,
  };
}
