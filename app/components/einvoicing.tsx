import { ACK_LABELS, lifecycleLabel, needsAction, transmissionSummary, type AckStatus, type TransmissionView } from "~/domain/einvoicing/lifecycle.ts";
import { formatDateTime } from "~/utils/format.ts";
import { Table } from "./Table.tsx";
import { Badge } from "./ui.tsx";

// What finance sees of a document's life at the accredited platform.

const POSITIVE = new Set(["200", "201", "202", "203", "204", "205", "206", "209", "211", "212", "214"]);

export function TransmissionBadge({ t }: { t: TransmissionView }) {
  const tone = needsAction(t) ? "red" : t.lifecycleCode && POSITIVE.has(t.lifecycleCode) ? "green" : t.ackStatus === "Ok" ? "blue" : "amber";
  return <Badge tone={tone}>{transmissionSummary(t)}</Badge>;
}

const SOURCES: Record<string, string> = { submission: "envoi", search: "recherche après reprise", webhook: "notification de la plateforme", poll: "relevé périodique", app: "envoyé par nous" };

export type HistoryEvent = { id: string; kind: string; code: string; reason: string | null; occurredAt: string | Date; source: string };

export function StatusHistory({ events }: { events: HistoryEvent[] }) {
  if (events.length === 0) return <p className="muted small">Aucun statut reçu pour l'instant.</p>;
  return (
    <Table
      rows={events}
      rowKey={(e) => e.id}
      columns={[
        { title: "Date", cell: (e) => formatDateTime(e.occurredAt) },
        { title: "Statut", cell: (e) => (e.kind === "ack" ? (ACK_LABELS[e.code as AckStatus] ?? e.code) : `${lifecycleLabel(e.code)} (${e.code})`) },
        { title: "Motif", cell: (e) => e.reason ?? "—" },
        { title: "Reçu par", cell: (e) => SOURCES[e.source] ?? e.source },
      ]}
    />
  );
}
