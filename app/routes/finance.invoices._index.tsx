import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireCapability } from "~/auth/auth.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvoiceTable } from "~/components/invoices.tsx";
import { Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { listInvoices, listPartners } from "~/data/invoicing.server.ts";
import { monthLabel, monthOf, previousMonth } from "~/domain/invoicing/period.ts";
import { INVOICE_STATUSES, STATUS_LABELS } from "~/domain/invoicing/status.ts";
import { formatCount, formatEuros } from "~/utils/format.ts";
import { monthField } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Factures · La Conciergerie Solidaire" }];

const filterSchema = z.object({
  month: monthField("", "search").optional().catch(undefined),
  status: z.enum(INVOICE_STATUSES).optional().catch(undefined),
  organisationId: z.string().max(40).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "finance.view");
  const filter = filterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [invoices, partners] = await Promise.all([listInvoices({ ...filter, organisationId: filter.organisationId || undefined }), listPartners()]);
  // The month in progress and the twelve before, by name (nobody types "2026-10").
  const months: string[] = [monthOf(new Date())];
  while (months.length < 13) months.push(previousMonth(months[months.length - 1]!));
  if (filter.month && !months.includes(filter.month)) months.push(filter.month);
  return json({ invoices, partners, filter, months: months.map((m) => ({ value: m, label: monthLabel(m) })) });
}

export default function FinanceInvoices() {
  const { invoices, partners, filter, months } = useLoaderData<typeof loader>();
  const total = invoices.reduce((s, i) => s + i.totalInclVatCents, 0);
  return (
    <div className="stack">
      <PageHeader
        title={filter.status === "DRAFT" ? "Aperçu des brouillons" : "Factures"}
        description="Chaque brouillon s'ouvre en aperçu avant d'être émis."
        actions={
          <Link className="button secondary" to="/finance">
            ← Facturation
          </Link>
        }
      />
      <Card title="Filtrer">
        <form method="get" className="form filters invoice-filters">
          <div className="field">
            <label htmlFor="filter-status">Statut</label>
            <select id="filter-status" name="status" defaultValue={filter.status ?? ""}>
              <option value="">Tous</option>
              {Object.entries(STATUS_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-partner">Partenaire</label>
            <select id="filter-partner" name="organisationId" defaultValue={filter.organisationId ?? ""}>
              <option value="">Tous</option>
              {partners.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-month">Période</label>
            <select id="filter-month" name="month" defaultValue={filter.month ?? ""}>
              <option value="">Toutes</option>
              {months.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button secondary">
            Filtrer
          </button>
        </form>
      </Card>
      <Card title={`${formatCount(invoices.length, "facture")} · ${formatEuros(total)} TTC`}>
        {invoices.length === 0 ? <EmptyState>Aucune facture pour ces critères.</EmptyState> : <InvoiceTable invoices={invoices} showPartner linkTo={(id) => `/finance/invoices/${id}`} />}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
