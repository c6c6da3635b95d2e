import { buildMail, type Mail } from "~/domain/mail/layout.ts";
import { formatDate, formatDateTime, formatEuros, formatMinutes, ofName } from "~/utils/format.ts";

// Who is told by email of what, and in which words. Partner users are told of
// their requests and invoices; coordination of what needs its attention. Each
// user chooses which kinds they receive (User.mutedNotifications holds the
// ones they turned off).
export const PARTNER_NOTIFICATION_KINDS = [
  "request.received",
  "request.accepted",
  "request.declined",
  "intervention.scheduled",
  "intervention.changed",
  "intervention.cancelled",
  "intervention.done",
  "message.answered",
  "dispute.settled",
  "invoice.voided",
  "price.changed",
] as const;
export const STAFF_NOTIFICATION_KINDS = ["message.received", "intervention.unstaffable", "hours.flagged"] as const;
export const NOTIFICATION_KINDS = [...PARTNER_NOTIFICATION_KINDS, ...STAFF_NOTIFICATION_KINDS] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type NotificationAudience = "partner" | "staff";

/** The kinds a role can receive (and choose among on « Mon compte »): coordination gets the staff ones. */
export function notificationKindsFor(role: string): readonly NotificationKind[] {
  if (role === "PARTNER_ADMIN" || role === "PARTNER_MEMBER") return PARTNER_NOTIFICATION_KINDS;
  return role === "COORDINATOR" ? STAFF_NOTIFICATION_KINDS : [];
}

export const audienceOf = (kind: NotificationKind): NotificationAudience => ((STAFF_NOTIFICATION_KINDS as readonly string[]).includes(kind) ? "staff" : "partner");

export const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  "request.received": "Demande reçue",
  "request.accepted": "Demande validée par la coordination",
  "request.declined": "Demande refusée, avec son motif",
  "intervention.scheduled": "Intervention planifiée (date, heure, encadrant)",
  "intervention.changed": "Date ou heure d'une intervention changée",
  "intervention.cancelled": "Intervention annulée",
  "intervention.done": "Intervention réalisée",
  "message.answered": "Réponse de la coordination à un message",
  "dispute.settled": "Décision sur une contestation d'heures",
  "invoice.voided": "Facture annulée",
  "price.changed": "Nouveau prix d'une prestation que vous commandez, avant qu'il s'applique",
  "message.received": "Message d'un partenaire sur une demande",
  "intervention.unstaffable": "Intervention qu'aucune équipe ne peut assurer",
  "hours.flagged": "Heures enregistrées loin du prévu ou au-delà du plafond",
};

export type NotificationFacts = {
  reference: string;
  prestation: string;
  site: string;
  siteAddress: string;
  link: string;
  organisation?: string;
  // For an intervention:
  startsAt?: Date;
  previousStartsAt?: Date | null;
  durationMinutes?: number;
  teamSize?: number;
  encadrant?: string | null;
  reason?: string | null;
  dates?: number; // for a request: how many dates
  message?: string; // a message's text, for its recipients
  settlement?: string | null; // a dispute's answer
  invoiceNumber?: string; // an invoice's number (voided)
  creditNoteNumber?: string; // the credit note that cancels a voided invoice
  amountCents?: number;
  priceCents?: number; // a new price, excl. VAT
  priceUnit?: string; // "l'heure par personne"
  validFrom?: Date; // when it applies
  recordedMinutes?: number[]; // hours recorded per person of the team (no names), absent people left out
};

const when = (f: NotificationFacts) => (f.startsAt ? formatDateTime(f.startsAt) : "");
const recorded = (f: NotificationFacts) => (f.recordedMinutes ?? []).map(formatMinutes).join(", ") || "aucune";

const PARTNER_FOOTER = "Vous recevez ce message selon vos préférences : vous pouvez les changer dans « Mon compte ».";
const STAFF_FOOTER = "Message pour la coordination ; vos préférences d'e-mails sont dans « Mon compte ».";

/** One line per event, for a digest: what happened, in a few words. */
export function notificationLine(kind: NotificationKind, f: NotificationFacts): string {
  switch (kind) {
    case "request.received":
      return `Demande reçue${f.dates && f.dates > 1 ? ` (${f.dates} dates)` : ""}.`;
    case "request.accepted":
      return "Demande validée par la coordination : elle part en planification.";
    case "request.declined":
      return `Demande refusée.${f.reason ? ` Motif : ${f.reason}` : ""}`;
    case "intervention.scheduled":
      return `Intervention planifiée le ${when(f)}${f.encadrant ? `, encadrée par ${f.encadrant}` : ""}.`;
    case "intervention.changed":
      return `Intervention${f.previousStartsAt ? ` du ${formatDateTime(f.previousStartsAt)}` : ""} déplacée au ${when(f)}.`;
    case "intervention.cancelled":
      return `Intervention du ${when(f)} annulée.${f.reason ? ` Motif : ${f.reason}` : ""}`;
    case "intervention.done":
      return `Intervention du ${when(f)} réalisée.`;
    case "message.answered":
      return `Réponse de la coordination : « ${f.message ?? ""} »`;
    case "dispute.settled":
      return `Contestation des heures du ${when(f)} tranchée.${f.settlement ? ` Réponse : ${f.settlement}` : ""}`;
    case "invoice.voided":
      return `Facture ${f.invoiceNumber ?? ""} annulée${f.creditNoteNumber ? ` par l'avoir ${f.creditNoteNumber}` : ""}.${f.reason ? ` Motif : ${f.reason}` : ""}`;
    case "price.changed":
      return `Nouveau prix de ${f.prestation} : ${formatEuros(f.priceCents ?? 0)} HT ${f.priceUnit ?? ""} à partir du ${f.validFrom ? formatDate(f.validFrom) : ""}.`;
    case "message.received":
      return `Message ${f.organisation ? ofName(f.organisation) : "du partenaire"} : « ${f.message ?? ""} »`;
    case "intervention.unstaffable":
      return `Intervention du ${when(f)} sans équipe possible${f.reason ? ` : ${f.reason}` : ""}.`;
    case "hours.flagged":
      return `Heures à vérifier sur l'intervention du ${when(f)} : ${recorded(f)}.`;
  }
}

export function notificationMail(kind: NotificationKind, to: string, f: NotificationFacts): Mail {
  const footer = audienceOf(kind) === "staff" ? STAFF_FOOTER : PARTNER_FOOTER;
  const link = { href: f.link, label: kind === "invoice.voided" ? "Voir la facture" : "Voir la demande" };
  const what = `${f.prestation} — ${f.site}`;
  switch (kind) {
    case "request.received":
      return buildMail(
        to,
        `Demande ${f.reference} reçue`,
        ["Bonjour,", `Nous avons bien reçu votre demande ${f.reference} : ${what}${f.dates && f.dates > 1 ? `, ${f.dates} dates` : ""}.`, "Nous vous écrivons dès qu'une équipe est prévue."],
        link,
        footer,
      );
    case "request.accepted":
      return buildMail(
        to,
        `Demande ${f.reference} validée`,
        ["Bonjour,", `La coordination a validé votre demande ${f.reference} : ${what}. Elle part en planification ; nous vous écrivons dès qu'une équipe est prévue.`],
        link,
        footer,
      );
    case "request.declined":
      return buildMail(
        to,
        `Demande ${f.reference} refusée`,
        ["Bonjour,", `La coordination ne peut pas assurer votre demande ${f.reference} : ${what}.${f.reason ? ` Motif : ${f.reason}` : ""}`, "Vous pouvez lui répondre depuis la demande."],
        link,
        footer,
      );
    case "intervention.scheduled":
      return buildMail(
        to,
        `${f.reference} : intervention planifiée le ${when(f)}`,
        [
          "Bonjour,",
          `L'intervention ${what} est planifiée le ${when(f)} (${formatMinutes(f.durationMinutes ?? 0)}), à ${f.siteAddress}.`,
          `Équipe : ${f.teamSize ?? "?"} personnes en insertion${f.encadrant ? `, encadrées par ${f.encadrant}` : ""}.`,
        ],
        link,
        footer,
      );
    case "intervention.changed":
      return buildMail(
        to,
        `${f.reference} : nouvel horaire le ${when(f)}`,
        [
          "Bonjour,",
          `L'intervention ${what}${f.previousStartsAt ? ` prévue le ${formatDateTime(f.previousStartsAt)}` : ""} aura lieu le ${when(f)}.`,
          ...(f.encadrant ? [`Encadrant : ${f.encadrant}.`] : []),
        ],
        link,
        footer,
      );
    case "intervention.cancelled":
      return buildMail(
        to,
        `${f.reference} : intervention du ${when(f)} annulée`,
        ["Bonjour,", `L'intervention ${what} du ${when(f)} est annulée.${f.reason ? ` Motif : ${f.reason}` : ""}`],
        link,
        footer,
      );
    case "intervention.done":
      return buildMail(
        to,
        `${f.reference} : intervention du ${when(f)} réalisée`,
        ["Bonjour,", `L'équipe a réalisé l'intervention ${what} du ${when(f)}.`, "Si les heures vous semblent inexactes, vous pouvez les contester depuis la demande avant la facturation."],
        link,
        footer,
      );
    case "message.answered":
      return buildMail(
        to,
        `${f.reference} : réponse de la coordination`,
        ["Bonjour,", `La coordination vous répond au sujet de votre demande ${f.reference} (${what}) :`, f.message ?? ""],
        link,
        footer,
      );
    case "dispute.settled":
      return buildMail(
        to,
        `${f.reference} : décision sur votre contestation`,
        [
          "Bonjour,",
          `Votre contestation des heures de l'intervention ${what} du ${when(f)} est tranchée.${f.settlement ? ` Réponse : ${f.settlement}` : ""}`,
          "La facture tient compte de cette décision.",
        ],
        link,
        footer,
      );
    case "invoice.voided":
      return buildMail(
        to,
        `Facture ${f.invoiceNumber ?? ""} annulée`,
        [
          "Bonjour,",
          `La facture ${f.invoiceNumber ?? ""}${f.amountCents !== undefined ? ` de ${formatEuros(f.amountCents)}` : ""} est annulée : vous n'avez rien à régler sur celle-ci.${f.reason ? ` Motif : ${f.reason}` : ""}`,
          ...(f.creditNoteNumber ? [`L'avoir ${f.creditNoteNumber} l'annule ; vous le trouverez avec vos factures.`] : []),
          "Si une facture la remplace, vous la recevrez séparément.",
        ],
        link,
        footer,
      );
    case "price.changed":
      return buildMail(
        to,
        `Nouveau prix : ${f.prestation} à partir du ${f.validFrom ? formatDate(f.validFrom) : ""}`,
        [
          "Bonjour,",
          `Le prix de la prestation ${f.prestation} sera de ${formatEuros(f.priceCents ?? 0)} HT ${f.priceUnit ?? ""} à partir du ${f.validFrom ? formatDate(f.validFrom) : ""}.`,
          "Il s'applique aux demandes passées à partir de cette date. Vos demandes déjà passées, leurs devis et vos factures gardent le prix en vigueur quand vous les avez passées.",
        ],
        { href: f.link, label: "Voir le catalogue" },
        footer,
      );
    case "message.received":
      return buildMail(
        to,
        `${f.reference} : message ${f.organisation ? ofName(f.organisation) : "d'un partenaire"}`,
        [
          "Bonjour,",
          `${f.organisation ?? "Le partenaire"} écrit au sujet de la demande ${f.reference} (${what}) :`,
          f.message ?? "",
          "Répondez depuis la demande : le partenaire est prévenu par e-mail.",
        ],
        link,
        footer,
      );
    case "intervention.unstaffable":
      return buildMail(
        to,
        `${f.reference} : intervention du ${when(f)} sans équipe`,
        [
          "Bonjour,",
          `Aucune équipe ne peut assurer l'intervention ${what} (${f.organisation ?? "partenaire"}) du ${when(f)}.${f.reason ? ` Raison : ${f.reason}` : ""}`,
          "Composez l'équipe à la main sur le planning, ou prévenez le partenaire.",
        ],
        { href: f.link, label: "Voir l'intervention" },
        footer,
      );
    case "hours.flagged":
      return buildMail(
        to,
        `Heures à vérifier : ${f.site}, ${when(f)}`,
        [
          "Bonjour,",
          `Sur l'intervention ${what} du ${when(f)} (${formatMinutes(f.durationMinutes ?? 0)} prévues par personne), des heures enregistrées s'écartent du prévu ou dépassent le plafond de la semaine d'une personne (Dispositif Premières Heures).`,
          `Heures enregistrées : ${recorded(f)}.`,
          "Elles sont gardées telles quelles pour la paie ; vérifiez-les avec l'encadrant si besoin.",
        ],
        { href: f.link, label: "Voir l'intervention" },
        footer,
      );
  }
}

/** Several events of one request for one person: one mail listing them, in order. */
export function digestMail(to: string, events: { kind: NotificationKind; facts: NotificationFacts }[]): Mail {
  const first = events[0]!.facts;
  const staff = audienceOf(events[0]!.kind) === "staff";
  const what = first.invoiceNumber ? `la facture ${first.invoiceNumber}` : `la demande ${first.reference} (${first.prestation} — ${first.site})`;
  return buildMail(
    to,
    `${first.reference} : ${events.length} nouvelles`,
    ["Bonjour,", `Du nouveau sur ${what} :`, ...events.map((e) => `• ${notificationLine(e.kind, e.facts)}`)],
    { href: first.link, label: first.invoiceNumber ? "Voir la facture" : "Voir la demande" },
    staff ? STAFF_FOOTER : PARTNER_FOOTER,
  );
}
