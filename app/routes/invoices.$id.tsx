import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvoiceLinesTable, InvoiceStatusBadge, InvoiceTotals } from "~/components/invoices.tsx";
import { Alert, Card, PageHeader } from "~/components/ui.tsx";
import { documentsForInvoices } from "~/data/einvoicing.server.ts";
import { getPartnerInvoice } from "~/data/invoicing.server.ts";
import { amountDueCents } from "~/domain/invoicing/status.ts";
import { formatDate, formatEuros } from "~/utils/format.ts";

// One of a partner's own invoices: what it bills, what was received, what is still due.
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Facture ${data?.invoice.number ?? ""} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "invoices.view");
  const id = params.id ?? "";
  const invoice = id.length <= 40 ? await getPartnerInvoice(actorOf(user), id) : null;
  if (!invoice) return notFound(request, user, { type: "Invoice", id: id.slice(0, 40) });
  const paidCents = invoice.payments.reduce((s, p) => s + p.amountCents, 0);
  const creditedCents = invoice.creditNotes.reduce((s, c) => s + c.amountCents, 0);
  return json({
    invoice,
    paidCents,
    creditedCents,
    dueCents: amountDueCents({ status: invoice.status, totalInclVatCents: invoice.totalInclVatCents, paidCents, creditedCents }),
    documents: await documentsForInvoices([invoice.id]),
  });
}

const day = (iso: string) => formatDate(`${iso}T12:00:00Z`);

export default function PartnerInvoice() {
  const { invoice, paidCents, creditedCents, dueCents, documents } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title={`Facture ${invoice.number ?? ""}`}
        description={
          <>
            Prestations du {day(invoice.period.start)} au {day(invoice.period.end)} <InvoiceStatusBadge status={invoice.status} />
          </>
        }
        actions={
          <Link className="button secondary" to="/invoices">
            ← Mes factures
          </Link>
        }
      />
      {invoice.status === "VOID" ? (
        <Alert kind="info">
          Facture annulée{invoice.voidedAt ? ` le ${formatDate(invoice.voidedAt)}` : ""} : vous n'avez rien à régler sur celle-ci.{invoice.voidReason ? ` Motif : ${invoice.voidReason}.` : ""}
        </Alert>
      ) : null}
      <Card title="À régler">
        <dl className="figures">
          <div>
            <dt>Total TTC</dt>
            <dd>{formatEuros(invoice.totalInclVatCents)}</dd>
          </div>
          <div>
            <dt>Déjà reçu</dt>
            <dd>{formatEuros(paidCents)}</dd>
          </div>
          {creditedCents > 0 ? (
            <div>
              <dt>Avoirs</dt>
              <dd>{formatEuros(creditedCents)}</dd>
            </div>
          ) : null}
          <div>
            <dt>Reste à payer</dt>
            <dd>
              <strong>{formatEuros(dueCents)}</strong>
            </dd>
          </div>
        </dl>
        {invoice.dueAt && dueCents > 0 ? <p>À régler avant le {formatDate(invoice.dueAt)}.</p> : null}
        {invoice.payments.length + invoice.creditNotes.length > 0 ? (
          <ul className="break">
            {invoice.payments.map((p) => (
              <li key={p.id}>
                {p.method === "stripe" ? "Paiement par carte" : "Virement"} de {formatEuros(p.amountCents)} reçu le {formatDate(p.receivedAt)}
                {/* The transfer's own reference helps the partner's accounts; a card payment's is Stripe's id, meaningless to them. */}
                {p.reference && p.method !== "stripe" ? ` (${p.reference})` : ""}
              </li>
            ))}
            {invoice.creditNotes.map((c) => (
              <li key={c.id}>
                Avoir {c.number} de {formatEuros(c.amountCents)} du {formatDate(c.createdAt)} : {c.reason}
              </li>
            ))}
          </ul>
        ) : null}
        <div className="row">
          {invoice.hostedInvoiceUrl && dueCents > 0 ? (
            <a className="button" href={invoice.hostedInvoiceUrl} rel="noreferrer">
              Payer {formatEuros(dueCents)}
            </a>
          ) : null}
          {documents.map((d) => (
            <a key={d.id} className="button secondary" href={`/invoices/documents/${d.id}.pdf`} download>
              {d.kind === "CREDIT_NOTE" ? `Avoir ${d.number}` : `Facture ${d.number}`} (PDF)
            </a>
          ))}
        </div>
      </Card>
      <Card title="Détail">
        <InvoiceLinesTable lines={invoice.lines} />
        <InvoiceTotals invoice={invoice} />
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
