import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { Table } from "~/components/Table.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvoiceStatusBadge } from "~/components/invoices.tsx";
import { Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { documentsForInvoices } from "~/data/einvoicing.server.ts";
import { listPartnerInvoices } from "~/data/invoicing.server.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { formatDate, formatEuros, formatMinutes } from "~/utils/format.ts";

// A partner's own invoices: status, amount, and Stripe's page to pay or download.
export const meta: MetaFunction = () => [{ title: "Mes factures · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "invoices.view");
  const invoices = await listPartnerInvoices(actorOf(user));
  // The legal documents (Factur-X) of these invoices and of their credit notes: the list is already the partner's own.
  const documents = await documentsForInvoices(invoices.map((i) => i.id));
  const year = Number(monthOf(new Date()).slice(0, 4));
  return json({ invoices, documents, insertionMinutes: invoices.reduce((s, i) => s + i.insertionMinutes, 0), organisationId: user.organisationId, years: [year, year - 1] });
}

const monthFormat = new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" });

export default function PartnerInvoices() {
  const { invoices, documents, insertionMinutes, organisationId, years } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title="Mes factures"
        description={`Vos factures mensuelles, établies à partir des heures réellement travaillées.${invoices.length > 0 ? ` Elles comptent ${formatMinutes(insertionMinutes)} de travail en insertion.` : ""}`}
      />
      <Card title="Factures">
        {invoices.length === 0 ? (
          <EmptyState>Aucune facture pour le moment : chaque facture suit les interventions réalisées, avec les heures réellement travaillées.</EmptyState>
        ) : (
          <Table
            rows={invoices}
            rowKey={(i) => i.id}
            columns={[
              { title: "Numéro", cell: (i) => <Link to={`/invoices/${i.id}`}>{i.number}</Link> },
              { title: "Période", cell: (i) => monthFormat.format(new Date(i.periodStart)) },
              { title: "Montant TTC", cell: (i) => formatEuros(i.totalInclVatCents) },
              {
                title: "Reste à payer",
                cell: (i) => (
                  <>
                    {i.status === "VOID" ? "—" : <strong>{formatEuros(i.dueCents)}</strong>}
                    {i.paidCents > 0 || i.creditedCents > 0 ? (
                      <span className="muted small">
                        {" "}
                        ({[i.paidCents > 0 ? `${formatEuros(i.paidCents)} reçus` : null, i.creditedCents > 0 ? `${formatEuros(i.creditedCents)} d'avoirs` : null].filter(Boolean).join(", ")})
                      </span>
                    ) : null}
                  </>
                ),
              },
              { title: "Heures d'insertion", cell: (i) => formatMinutes(i.insertionMinutes) },
              { title: "Échéance", cell: (i) => (i.dueAt ? formatDate(i.dueAt) : "—") },
              { title: "Statut", cell: (i) => <InvoiceStatusBadge status={i.status} /> },
              {
                title: "Document",
                quiet: true,
                cell: (i) => (
                  <div className="stack-tight">
                    {documents
                      .filter((d) => d.invoiceId === i.id)
                      .map((d) => (
                        <a key={d.id} href={`/invoices/documents/${d.id}.pdf`} download>
                          {d.kind === "CREDIT_NOTE" ? `Avoir ${d.number}` : `Facture ${d.number}`} (PDF Factur-X)
                        </a>
                      ))}
                    {i.hostedInvoiceUrl ? (
                      <a href={i.hostedInvoiceUrl} rel="noreferrer">
                        {i.status === "OPEN" ? `Payer la facture ${i.number}` : `Page de paiement de ${i.number}`}
                      </a>
                    ) : null}
                    {!i.hostedInvoiceUrl && !documents.some((d) => d.invoiceId === i.id) ? <span className="muted">Document en préparation</span> : null}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Card title="Attestation d'impact">
        <p className="muted">Pour votre rapport RSE : les heures de travail en insertion que vos commandes ont données, par mois et par catégorie de prestation, attestées par l'association.</p>
        <div className="row">
          {years.map((y) => (
            <a key={y} className="button secondary" href={`/impact/${organisationId}/${y}.pdf`} download>
              Attestation {y} (PDF)
            </a>
          ))}
        </div>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
