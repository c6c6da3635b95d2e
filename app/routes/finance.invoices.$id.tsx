import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { CorrectionsCard, DocumentsCard, InvoiceDocumentCard, MissingFieldsAlert, PaymentReportsCard, PaymentsCard, RebilledNotice, TransmissionCard } from "~/components/finance-invoice.tsx";
import { InvoiceStatusBadge } from "~/components/invoices.tsx";
import { CORRECTABLE, isInvoiceIn } from "~/domain/invoicing/status.ts";
import { Alert, PageHeader } from "~/components/ui.tsx";
import { actOnInvoice, financeInvoicePage } from "~/data/finance-invoice-page.server.ts";
import { can } from "~/domain/access/roles.ts";
import { platformConfig } from "~/integrations/einvoicing-platform.server.ts";
import { formatDate } from "~/utils/format.ts";
import { dayField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Facture ${data?.invoice.number ?? "(brouillon)"} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const page = await financeInvoicePage(params.id ?? "");
  if (!page) return notFound(request, user, { type: "Invoice", id: params.id ?? "" });
  return json({ ...page, platformName: platformConfig()?.name ?? null, canManage: can(user.role, "finance.manage") });
}

/** "12,50" or "12.5" euros -> 1250 cents. */
const eurosField = z
  .string({ error: "Indiquez un montant." })
  .trim()
  .regex(/^\d{1,7}([.,]\d{1,2})?$/, "Un montant en euros, par exemple 120,50.")
  .transform((s) => {
    const [euros, cents = ""] = s.replace(",", ".").split(".");
    return Number(euros) * 100 + Number(cents.padEnd(2, "0"));
  })
  .refine((c) => c > 0, "Le montant doit être positif.");

const schema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("credit-note"), amount: eurosField, reason: z.string({ error: "Indiquez le motif." }).trim().min(3, "Indiquez le motif.").max(300, "300 caractères au plus.") }),
    z.object({
      intent: z.literal("void"),
      reason: z.string({ error: "Indiquez le motif de l'annulation." }).trim().min(3, "Indiquez le motif de l'annulation.").max(300, "300 caractères au plus."),
      confirm: z.literal("on", { error: "Cochez la case pour confirmer l'annulation." }),
    }),
    z.object({ intent: z.literal("resubmit"), documentId: z.string({ error: "Document inconnu." }).min(1, "Document inconnu.").max(40, "Document inconnu.") }),
    z.object({ intent: z.literal("uncollectible") }),
    z.object({
      intent: z.literal("transfer"),
      amount: eurosField,
      reference: z.string({ error: "Indiquez la référence du virement." }).trim().min(1, "Indiquez la référence du virement.").max(100, "100 caractères au plus."),
      receivedAt: dayField("Une date, par exemple 2026-11-30."),
    }),
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "finance.manage");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null, intent: parsed.values.intent ?? null }, { status: 400 });
  const d = parsed.data;
  const result = await actOnInvoice(actorOf(user), params.id ?? "", d);
  if (!result.ok) {
    // Shown again as typed: an amount in euros with a comma.
    const values = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === "amount" ? (Number(v) / 100).toFixed(2).replace(".", ",") : String(v)]));
    return json({ errors: { [result.field ?? "form"]: result.message } as FieldErrors, values, done: null, intent: d.intent }, { status: 400 });
  }
  return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: result.message, intent: d.intent });
}

export default function FinanceInvoice() {
  const page = useLoaderData<typeof loader>();
  const { invoice, canManage, platformName } = page;
  const data = useActionData<typeof action>();
  const form = { intent: data?.intent ?? null, errors: (data?.errors ?? {}) as Record<string, string>, values: (data?.values ?? {}) as Record<string, string>, done: data?.done ?? null };
  const issued = invoice.status !== "DRAFT";
  const isInvoice = invoice.kind === "INVOICE";
  return (
    <div className="stack">
      <PageHeader
        title={invoice.number ? `${isInvoice ? "Facture" : "Relevé interne"} ${invoice.number}` : `Aperçu du brouillon · ${invoice.organisation.name}`}
        description={
          <>
            {invoice.organisation.name} · prestations du {formatDate(`${invoice.period.start}T12:00:00Z`)} au {formatDate(`${invoice.period.end}T12:00:00Z`)}{" "}
            <InvoiceStatusBadge status={invoice.status} number={invoice.number} />
          </>
        }
        actions={
          <Link className="button secondary" to={issued ? "/finance/invoices" : "/finance/invoices?status=DRAFT"}>
            ← Factures
          </Link>
        }
      />
      {form.done ? <Alert kind="success">{form.done}</Alert> : null}
      {form.errors.form ? <Alert kind="error">{form.errors.form}</Alert> : null}
      {page.rebilled ? <RebilledNotice invoice={invoice} rebilled={page.rebilled} /> : null}
      {!issued ? <Alert kind="info">Brouillon : rien n'a été envoyé. Le numéro est attribué à l'émission, depuis la page Facturation (« Émettre et envoyer les brouillons »).</Alert> : null}
      {page.missingFields.length > 0 ? <MissingFieldsAlert missingFields={page.missingFields} /> : null}
      {issued ? <DocumentsCard invoice={invoice} documents={page.documents} transmissions={page.transmissions} platformName={platformName} /> : null}
      {page.transmissions.map((t) => (
        <TransmissionCard key={t.documentId} t={t} canManage={canManage} platformName={platformName} />
      ))}
      {page.paymentReports.length > 0 ? <PaymentReportsCard paymentReports={page.paymentReports} /> : null}
      <InvoiceDocumentCard invoice={invoice} footer={page.footer} />
      {issued && isInvoice ? <PaymentsCard invoice={invoice} paid={page.paid} credited={page.credited} remaining={page.remaining} /> : null}
      {canManage && issued && isInvoice && isInvoiceIn(CORRECTABLE, invoice.status) ? (
        <CorrectionsCard invoice={invoice} credited={page.credited} remaining={page.remaining} today={page.today} form={form} />
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
