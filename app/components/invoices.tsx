import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { STATUS_LABELS, STATUS_TONES, type InvoiceStatus } from "~/domain/invoicing/status.ts";
import { quantityLabel, unitPriceLabel, type LinePricing } from "~/domain/invoicing/document-lines.ts";
import { formatDate, formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";
import { Table } from "./Table.tsx";
import { Badge } from "./ui.tsx";

// The invoice table finance and partners both read.
export type InvoiceRow = {
  id: string;
  kind: string;
  status: string;
  number: string | null;
  periodStart: string;
  issuedAt: string | null;
  dueAt: string | null;
  hostedInvoiceUrl: string | null;
  totalInclVatCents: number;
  insertionMinutes: number;
  organisation: { name: string };
};

const monthFormat = new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" });

export function InvoiceStatusBadge({ status, number }: { status: string; number?: string | null }) {
  const s = status as InvoiceStatus;
  if (s === "DRAFT" && number) return <Badge tone="amber">En cours d'émission</Badge>;
  return <Badge tone={STATUS_TONES[s]}>{STATUS_LABELS[s] ?? status}</Badge>;
}

export function InvoiceTable({ invoices, linkTo, showPartner }: { invoices: InvoiceRow[]; linkTo?: (id: string) => string; showPartner: boolean }) {
  return (
    <Table
      rows={invoices}
      rowKey={(i) => i.id}
      columns={[
        {
          title: "Numéro",
          cell: (i) => {
            const label = i.number ?? (i.kind === "INTERNAL_STATEMENT" ? "Relevé (brouillon)" : "Brouillon");
            return (
              <>
                {linkTo ? <Link to={linkTo(i.id)}>{label}</Link> : i.hostedInvoiceUrl ? <a href={i.hostedInvoiceUrl}>{label}</a> : label}
                {i.kind === "INTERNAL_STATEMENT" ? <span className="muted"> · relevé interne</span> : null}
              </>
            );
          },
        },
        showPartner && { title: "Partenaire", cell: (i) => i.organisation.name },
        { title: "Période", cell: (i) => monthFormat.format(new Date(i.periodStart)) },
        { title: "Montant TTC", cell: (i) => formatEuros(i.totalInclVatCents) },
        { title: "Heures d'insertion", cell: (i) => formatMinutes(i.insertionMinutes) },
        { title: "Échéance", cell: (i) => (i.dueAt ? formatDate(i.dueAt) : "—") },
        { title: "Statut", cell: (i) => <InvoiceStatusBadge status={i.status} number={i.number} /> },
      ]}
    />
  );
}

export type InvoiceLineRow = { id: string; description: string; pricing: LinePricing; vatRateBasisPoints: number; vatCents: number; amountExclVatCents: number; purchaseOrderNumber: string | null };

/** An invoice's lines as finance and the partner read them: the order, quantities and unit prices of its Factur-X. */
export function InvoiceLinesTable({ lines }: { lines: InvoiceLineRow[] }) {
  return (
    <Table
      rows={lines}
      rowKey={(l) => l.id}
      columns={[
        { title: "Intervention", cell: (l) => l.description },
        { title: "Quantité", cell: (l) => quantityLabel(l.pricing) },
        { title: "Prix unitaire HT", cell: (l) => unitPriceLabel(l.pricing) },
        { title: "TVA", cell: (l) => `${formatVatRate(l.vatRateBasisPoints)} · ${formatEuros(l.vatCents)}` },
        { title: "Montant HT", cell: (l) => formatEuros(l.amountExclVatCents) },
        { title: "Bon de commande", cell: (l) => l.purchaseOrderNumber ?? "—" },
      ]}
    />
  );
}

/** An invoice's totals under its lines, for finance and the partner alike; `children` adds figures. */
export function InvoiceTotals({ invoice, children }: { invoice: { totalExclVatCents: number; vatCents: number; totalInclVatCents: number }; children?: ReactNode }) {
  return (
    <dl className="figures">
      <div>
        <dt>Total HT</dt>
        <dd>{formatEuros(invoice.totalExclVatCents)}</dd>
      </div>
      <div>
        <dt>TVA</dt>
        <dd>{formatEuros(invoice.vatCents)}</dd>
      </div>
      <div>
        <dt>Total TTC</dt>
        <dd>{formatEuros(invoice.totalInclVatCents)}</dd>
      </div>
      {children}
    </dl>
  );
}
