import { formatDateTime, formatShortDate, ofName } from "~/utils/format.ts";
import { isIn, PROGRESS, STAFFED, STATUS_LABELS, WITHDRAWN, WORKED, type InterventionStatus } from "./status.ts";

const STEPS = PROGRESS;

export type TimelineStep = { status: InterventionStatus; label: string; state: "done" | "current" | "upcoming" };
export type Timeline = { steps: TimelineStep[]; ended: { status: "CANCELLED" | "DECLINED"; label: string; reason: string | null } | null };

/**
 * The request's life as a timeline: submitted → accepted → scheduled → in
 * progress → done → invoiced → paid, from its derived status; a cancelled or
 * declined request ends it, with the reason.
 */
export function requestTimeline(status: InterventionStatus, reason: string | null = null): Timeline {
  if (isIn(WITHDRAWN, status)) {
    return { steps: [{ status: "SUBMITTED", label: STATUS_LABELS.SUBMITTED, state: "done" }], ended: { status, label: STATUS_LABELS[status], reason } };
  }
  const at = STEPS.indexOf(status);
  return {
    steps: STEPS.map((s, i) => ({ status: s, label: STATUS_LABELS[s], state: i < at ? "done" : i === at ? (s === "PAID" ? "done" : "current") : "upcoming" })),
    ended: null,
  };
}

// ------------------------------------------------------------------ dated history

/** Who reads the history: a partner sees what concerns it, never coordination's internals. */
export type TimelineAudience = "partner" | "staff";

/** Someone who did something: their name, and whether they are of the Conciergerie. */
export type TimelineActor = { name: string; staff: boolean } | null;

/** What the data layer knows of one request's life (ids and facts; no wording). */
export type TimelineFacts = {
  requestId: string;
  serviceRequest: {
    createdAt: Date;
    createdBy: TimelineActor;
    quoteAcceptedAt: Date | null;
    acceptedAt: Date | null;
    acceptedBy: TimelineActor;
    declinedAt: Date | null;
    declineReason: string | null;
    recurrenceEndedAt: Date | null;
  };
  interventions: {
    id: string;
    startsAt: Date;
    status: InterventionStatus;
    /** When its team was last composed and told (scheduling). */
    confirmedAt: Date | null;
    cancelledAt: Date | null;
    cancelReason: string | null;
    /** Scheduling's explanation when no team fits: names people and rules, for coordination only. */
    unstaffedReason: string | null;
    updatedAt: Date;
    doneAt: Date | null;
    supervisor: string | null;
    participantsNeeded: number;
  }[];
  /** Audit entries about the request, its interventions and their invoices, with who acted. */
  audit: { at: Date; action: string; entityId: string | null; actor: TimelineActor; details: unknown }[];
  invoices: { id: string; number: string; statement: boolean; issuedAt: Date | null; paidAt: Date | null; voidedAt: Date | null; interventions: number }[];
  disputes: { id: string; interventionId: string; openedAt: Date; settledAt: Date | null }[];
  messages: { id: string; createdAt: Date; authorName: string; fromConciergerie: boolean; body: string }[];
};

export type TimelineKind =
  | "ordered"
  | "quote"
  | "accepted"
  | "declined"
  | "planned"
  | "unstaffed"
  | "moved"
  | "series"
  | "cancelled"
  | "done"
  | "disputed"
  | "settled"
  | "invoiced"
  | "voided"
  | "paid"
  | "message";

export type TimelineEvent = {
  at: Date;
  kind: TimelineKind;
  title: string;
  detail: string | null;
  /** Who did it, as this reader may know it. */
  by: string | null;
  /** Where to read more (a page of the app, or an anchor of the request's page). */
  href: string | null;
};

const EXCERPT = 160;
const excerpt = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1).trimEnd()}…` : flat;
};
const sameMinute = (a: Date, b: Date) => Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);
const plural = (n: number, one: string, many: string) => (n > 1 ? many : one);

/** "par Camille Renaud" for staff; a partner reads "par la Conciergerie" for the association's acts, nothing for its own. */
function byLine(actor: TimelineActor, audience: TimelineAudience): string | null {
  if (!actor) return null;
  if (audience === "staff") return actor.staff ? actor.name : `${actor.name} (partenaire)`;
  return actor.staff ? "la Conciergerie" : null;
}

const dateOf = (value: unknown) => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : null);

/**
 * The request's dated history, oldest first: ordered, quote accepted,
 * validated or declined, teams composed, moves, cancellations, done, contested,
 * invoiced, voided, paid, and the messages. Events of several dates of a
 * series at the same minute (a series planned at once) are told once. A
 * partner never reads coordination's internals (why no team fits, who at
 * the Conciergerie acted); dates are French, Paris time.
 */
export function requestHistory(facts: TimelineFacts, audience: TimelineAudience, links: { invoice: (id: string) => string | null } = { invoice: () => null }): TimelineEvent[] {
  const r = facts.serviceRequest;
  const events: (TimelineEvent & { dates?: Date[] })[] = [];
  const push = (e: Omit<TimelineEvent, "by" | "href" | "detail"> & Partial<Pick<TimelineEvent, "by" | "href" | "detail">> & { dates?: Date[] }) =>
    events.push({ by: null, href: null, detail: null, ...e });
  const interventionHref = (id: string) => `/requests/${facts.requestId}/interventions/${id}`;
  const dateOfIntervention = new Map(facts.interventions.map((i) => [i.id, i.startsAt]));

  push({ at: r.createdAt, kind: "ordered", title: "Demande envoyée", by: byLine(r.createdBy, audience) });
  // Without a validation to wait for, accepting the quote accepts the request (same instant): told once.
  const acceptedWithQuote = r.acceptedAt && r.quoteAcceptedAt && Math.abs(r.acceptedAt.getTime() - r.quoteAcceptedAt.getTime()) < 1000;
  if (r.quoteAcceptedAt) {
    push({ at: r.quoteAcceptedAt, kind: "quote", title: acceptedWithQuote ? "Devis accepté : la demande part en planification" : "Devis accepté" });
  }
  if (r.acceptedAt && !acceptedWithQuote) push({ at: r.acceptedAt, kind: "accepted", title: "Demande validée par la coordination", by: audience === "staff" ? byLine(r.acceptedBy, audience) : null });
  if (r.declinedAt) push({ at: r.declinedAt, kind: "declined", title: "Demande refusée", detail: r.declineReason });
  if (r.recurrenceEndedAt) push({ at: r.recurrenceEndedAt, kind: "series", title: "Série arrêtée : plus aucune nouvelle date" });

  for (const i of facts.interventions) {
    if (i.confirmedAt && isIn(STAFFED, i.status)) {
      push({
        at: i.confirmedAt,
        kind: "planned",
        title: "Équipe composée",
        detail: i.supervisor ? `Encadrant : ${i.supervisor}, ${i.participantsNeeded} ${plural(i.participantsNeeded, "personne", "personnes")} en insertion` : null,
        dates: [i.startsAt],
      });
    }
    if (audience === "staff" && i.status === "ACCEPTED" && i.unstaffedReason) {
      push({ at: i.updatedAt, kind: "unstaffed", title: "Aucune équipe possible pour l'instant", detail: i.unstaffedReason, dates: [i.startsAt], href: "/planning" });
    }
    if (i.cancelledAt && i.status === "CANCELLED") push({ at: i.cancelledAt, kind: "cancelled", title: "Intervention annulée", detail: i.cancelReason, dates: [i.startsAt] });
    if (i.doneAt && isIn(WORKED, i.status)) {
      push({ at: i.doneAt, kind: "done", title: "Intervention réalisée", dates: [i.startsAt], href: interventionHref(i.id) });
    }
  }

  for (const a of facts.audit) {
    const details = (a.details ?? {}) as Record<string, unknown>;
    if (a.action === "intervention.moved") {
      const from = dateOf(details.from);
      const to = dateOf(details.to);
      push({
        at: a.at,
        kind: "moved",
        title: from && to ? `Intervention du ${formatDateTime(from)} déplacée au ${formatDateTime(to)}` : "Intervention déplacée",
        by: byLine(a.actor, audience),
      });
    } else if (a.action === "request.series_changed" && typeof details.startTime === "string") {
      push({ at: a.at, kind: "series", title: `Heure de la série changée : les dates à venir commencent à ${details.startTime}`, by: byLine(a.actor, audience) });
    } else if (a.action === "intervention.cancelled") {
    }
  }
  // Who cancelled: the audit entry written with the cancellation, at the same instant.
  for (const e of events) {
    if (e.kind !== "cancelled") continue;
    const entry = facts.audit.find((a) => a.action === "intervention.cancelled" && Math.abs(a.at.getTime() - e.at.getTime()) < 1000);
    if (entry) e.by = byLine(entry.actor, audience);
  }

  for (const d of facts.disputes) {
    const when = dateOfIntervention.get(d.interventionId);
    const on = when ? ` du ${formatDateTime(when)}` : "";
    push({ at: d.openedAt, kind: "disputed", title: `Heures de l'intervention${on} contestées`, href: interventionHref(d.interventionId) });
    if (d.settledAt) push({ at: d.settledAt, kind: "settled", title: `Contestation des heures${on} réglée`, href: interventionHref(d.interventionId) });
  }

  for (const inv of facts.invoices) {
    const name = `${inv.statement ? "relevé" : "facture"} ${inv.number}`;
    const href = links.invoice(inv.id);
    const count = `${inv.interventions} ${plural(inv.interventions, "intervention", "interventions")} de cette demande`;
    if (inv.issuedAt) push({ at: inv.issuedAt, kind: "invoiced", title: `Facturée : ${name}`, detail: count, href });
    if (inv.voidedAt)
      push({
        at: inv.voidedAt,
        kind: "voided",
        title: `${inv.statement ? "Relevé" : "Facture"} ${inv.number} annulé${inv.statement ? "" : "e"}`,
        detail: "Les interventions seront facturées à nouveau.",
        href,
      });
    if (inv.paidAt) push({ at: inv.paidAt, kind: "paid", title: `Payée : ${name}`, href });
  }

  for (const m of facts.messages) {
    push({ at: m.createdAt, kind: "message", title: `Message ${ofName(m.authorName)}${m.fromConciergerie ? " (La Conciergerie)" : ""}`, detail: excerpt(m.body), href: `#message-${m.id}` });
  }

  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  // Several dates of a series, the same event at the same minute: one line that names them.
  const merged: (TimelineEvent & { dates?: Date[] })[] = [];
  for (const e of events) {
    const last = merged[merged.length - 1];
    if (last && e.dates && last.dates && last.kind === e.kind && last.detail === e.detail && last.by === e.by && sameMinute(last.at, e.at)) {
      last.dates.push(...e.dates);
      continue;
    }
    merged.push({ ...e, dates: e.dates ? [...e.dates] : undefined });
  }
  return merged.map(({ dates, ...e }) => {
    if (!dates) return e;
    const sorted = [...dates].sort((a, b) => a.getTime() - b.getTime());
    if (sorted.length === 1) return { ...e, title: `${e.title} : ${formatDateTime(sorted[0]!)}` };
    const shown = sorted.slice(0, 6).map((d) => formatShortDate(d));
    const more = sorted.length - shown.length;
    return {
      ...e,
      title: `${e.title} : ${sorted.length} dates`,
      detail: [`${shown.join(", ")}${more > 0 ? ` et ${more} ${plural(more, "autre", "autres")}` : ""}`, e.detail].filter(Boolean).join(" · "),
      // One link for one intervention only.
      href: e.kind === "done" ? null : e.href,
    };
  });
}
