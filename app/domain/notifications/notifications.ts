import { buildMail, type Mail } from "~/domain/mail/layout.ts";
import { formatDateTime, formatMinutes } from "~/utils/format.ts";

// What partners are told by email, and when. Each partner user chooses which
// kinds they receive (User.mutedNotifications holds the ones they turned off).
export const NOTIFICATION_KINDS = [
  "request.received",
  "intervention.scheduled",
  "intervention.changed",
  "intervention.cancelled",
  "intervention.done",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  "request.received": "Demande reçue",
  "intervention.scheduled": "Intervention planifiée (date, heure, encadrant)",
  "intervention.changed": "Date ou heure d'une intervention changée",
  "intervention.cancelled": "Intervention annulée",
  "intervention.done": "Intervention réalisée",
};

export type NotificationFacts = {
  reference: string;
  prestation: string;
  site: string;
  siteAddress: string;
  link: string;
  // For an intervention:
  startsAt?: Date;
  previousStartsAt?: Date | null;
  durationMinutes?: number;
  teamSize?: number;
  encadrant?: string | null;
  reason?: string | null;
  dates?: number; // for a request: how many dates
};

const when = (f: NotificationFacts) => (f.startsAt ? formatDateTime(f.startsAt) : "");

export function notificationMail(kind: NotificationKind, to: string, f: NotificationFacts): Mail {
  const footer = "Vous recevez ce message selon vos préférences : vous pouvez les changer dans « Mon compte ».";
  const link = { href: f.link, label: "Voir la demande" };
  const what = `${f.prestation} — ${f.site}`;
  switch (kind) {
    case "request.received":
      return buildMail(to, `Demande ${f.reference} reçue`, [
        "Bonjour,",
        `Nous avons bien reçu votre demande ${f.reference} : ${what}${f.dates && f.dates > 1 ? `, ${f.dates} dates` : ""}.`,
        "Nous vous écrivons dès qu'une équipe est prévue.",
      ], link, footer);
    case "intervention.scheduled":
      return buildMail(to, `${f.reference} : intervention planifiée le ${when(f)}`, [
        "Bonjour,",
        `L'intervention ${what} est planifiée le ${when(f)} (${formatMinutes(f.durationMinutes ?? 0)}), à ${f.siteAddress}.`,
        `Équipe : ${f.teamSize ?? "?"} personnes en insertion${f.encadrant ? `, encadrées par ${f.encadrant}` : ""}.`,
      ], link, footer);
    case "intervention.changed":
      return buildMail(to, `${f.reference} : nouvel horaire le ${when(f)}`, [
        "Bonjour,",
        `L'intervention ${what}${f.previousStartsAt ? ` prévue le ${formatDateTime(f.previousStartsAt)}` : ""} aura lieu le ${when(f)}.`,
        ...(f.encadrant ? [`Encadrant : ${f.encadrant}.`] : []),
      ], link, footer);
    case "intervention.cancelled":
      return buildMail(to, `${f.reference} : intervention du ${when(f)} annulée`, [
        "Bonjour,",
        `L'intervention ${what} du ${when(f)} est annulée.${f.reason ? ` Motif : ${f.reason}` : ""}`,
      ], link, footer);
    case "intervention.done":
      return buildMail(to, `${f.reference} : intervention du ${when(f)} réalisée`, [
        "Bonjour,",
        `L'équipe a réalisé l'intervention ${what} du ${when(f)}.`,
        "Si les heures vous semblent inexactes, vous pouvez les contester depuis la demande avant la facturation.",
      ], link, footer);
  }
}
