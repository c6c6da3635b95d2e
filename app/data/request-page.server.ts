import { can, isStaffRole, type Actor } from "~/domain/access/roles.ts";
import { callCoordination } from "~/domain/requests/contact.ts";
import { canChangeOnline, estimateOrder } from "~/domain/requests/order.ts";
import { CHANGEABLE, isIn, PROGRESS } from "~/domain/requests/status.ts";
import { requestHistory, requestTimeline } from "~/domain/requests/timeline.ts";
import { acceptQuote, cancelInterventions, changeRecurrenceTime, decideRequest, getRequest, postMessage, type ActionResult } from "./requests.server.ts";
import { requestHistoryFacts } from "./request-history.server.ts";
import { recurrenceOutlook } from "./recurrence.server.ts";
import { getServiceRules } from "./settings.server.ts";

// What the request page shows its reader, and what its forms do: the route
// only reads the form and hands over. Scoped by the actor (another
// organisation's request is null, i.e. "not found").

/** The request as its reader may see it, with the quote, the series, the history and what the reader may do; null when not theirs. */
export async function requestPage(actor: Actor, id: string, now = new Date()) {
  if (id.length > 40) return null;
  const [found, rules] = await Promise.all([getRequest(actor, id), getServiceRules()]);
  if (!found) return null;
  const { role } = actor;
  // A series' later dates are created by the rolling horizon: the quote counts them already.
  const [recurrence, facts] = await Promise.all([recurrenceOutlook(found, now), requestHistoryFacts(actor, found.id, found.messages)]);
  const live = found.interventions.filter((i) => isIn(PROGRESS, i.status));
  const quote = estimateOrder({
    pricingUnit: found.prestation.pricingUnit,
    unitPriceCents: found.unitPriceCents,
    vatRateBasisPoints: found.vatRateBasisPoints,
    durationMinutes: found.durationMinutes,
    teamSize: found.teamSize,
    occurrences: live.length + (recurrence?.pending.length ?? 0),
  });
  const canOrder = can(role, "requests.order");
  const canDecide = can(role, "requests.decide");
  const waitsForDecision = !found.declinedAt && found.interventions.some((i) => i.status === "SUBMITTED");
  // Each reader's own history: a partner never reads coordination's internals nor who at the Conciergerie acted.
  const history = facts
    ? requestHistory(facts, isStaffRole(role) ? "staff" : "partner", {
        invoice: (invoiceId) => (can(role, "finance.view") ? `/finance/invoices/${invoiceId}` : can(role, "invoices.view") ? "/invoices" : null),
      })
    : [];
  return {
    serviceRequest: {
      ...found,
      interventions: found.interventions.map((i) => ({
        ...i,
        changeable: isIn(CHANGEABLE, i.status) && i.startsAt > now,
        beforeDeadline: canChangeOnline(i.startsAt, now, rules.cancellationDeadlineHours),
      })),
    },
    quote,
    recurrence,
    canChangeRecurrence: (canOrder || canDecide) && recurrence !== null && !recurrence.endedAt && !found.declinedAt,
    history,
    timeline: requestTimeline(found.status, found.declineReason ?? found.interventions.find((i) => i.cancelReason)?.cancelReason ?? null),
    canAcceptQuote: canOrder && !found.quoteAcceptedAt && waitsForDecision,
    // A decision is due while dates wait for validation; once planned, coordination cancels dates instead.
    canDecide: canDecide && waitsForDecision,
    canValidate: canDecide && waitsForDecision,
    canChange: canOrder || canDecide,
    canWrite: canOrder || canDecide,
    deadlineHours: rules.cancellationDeadlineHours,
    // The partner's way to coordination past the deadline (coordination itself is not bound by it).
    callCoordination: canOrder ? callCoordination(rules.serviceContact) : null,
  };
}

export type RequestIntent =
  | { intent: "accept-quote" }
  | { intent: "validate" }
  | { intent: "decline"; reason: string }
  | { intent: "stop-series"; stopReason: string }
  | { intent: "series-time"; startTime: string }
  | { intent: "message"; body: string };

/** Who may send each form: accepting a quote is the partner's, deciding is coordination's, the rest is either's. */
export function mayAct(actor: Actor, intent: RequestIntent["intent"]): boolean {
  if (intent === "accept-quote") return can(actor.role, "requests.order");
  if (intent === "validate" || intent === "decline") return can(actor.role, "requests.decide");
  return can(actor.role, "requests.order") || can(actor.role, "requests.decide");
}

/** One data function per form of the page. */
export function actOnRequest(actor: Actor, requestId: string, input: RequestIntent): Promise<ActionResult> {
  switch (input.intent) {
    case "accept-quote":
      return acceptQuote(actor, requestId);
    case "validate":
      return decideRequest(actor, requestId, { accept: true });
    case "decline":
      return decideRequest(actor, requestId, { accept: false, reason: input.reason });
    case "series-time":
      return changeRecurrenceTime(actor, requestId, input.startTime);
    case "stop-series":
      return cancelInterventions(actor, requestId, { recurrence: true }, input.stopReason);
    case "message":
      return postMessage(actor, requestId, input.body);
  }
}
