import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { InvoiceLinesTable, InvoiceStatusBadge, InvoiceTotals } from "~/components/invoices.tsx";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { StatusHistory, TransmissionBadge } from "~/components/einvoicing.tsx";
import { documentsForInvoices, missingFieldsOf } from "~/data/einvoicing.server.ts";
import { requestResubmission, transmissionsOfInvoice } from "~/data/einvoicing-transmission.server.ts";
import { whatToDo } from "~/domain/einvoicing/lifecycle.ts";
import { platformConfig } from "~/integrations/einvoicing-platform.server.ts";
import { rebilledOn } from "~/data/billing-claims.server.ts";
import { getInvoice, recordTransfer, requestCreditNote, requestUncollectible, requestVoid } from "~/data/invoicing.server.ts";
import { can } from "~/domain/access/roles.ts";
import { transmissionLabel } from "~/domain/einvoicing/transmission.ts";
import { ASSOCIATION, invoiceFooter } from "~/domain/invoicing/mentions.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { amountDueCents } from "~/domain/invoicing/status.ts";
import { formatDate, formatEuros, formatMinutes } from "~/utils/format.ts";
import { dayField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Facture ${data?.invoice.number ?? "(brouillon)"} · La Conciergerie Solidaire` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const invoice = await getInvoice(params.id ?? "");
  if (!invoice) return notFound(request, user, { type: "Invoice", id: params.id ?? "" });
  // E-invoicing: the stored documents, or what a draft lacks to be issued.
  const [documents, missing, platform] = await Promise.all([
    documentsForInvoices([invoice.id]),
    invoice.status === "DRAFT" ? missingFieldsOf([invoice.id]) : Promise.resolve(new Map()),
    transmissionsOfInvoice(invoice.id),
  ]);
  const credited = invoice.creditNotes.reduce((s, c) => s + c.amountCents, 0);
  const paid = invoice.payments.reduce((s, p) => s + p.amountCents, 0);
  return json({
    invoice,
    documents,
    platformName: platformConfig()?.name ?? null,
    transmissions: platform.transmissions.map((t) => ({ ...t, whatToDo: whatToDo(t) })),
    paymentReports: platform.paymentReports,
    missingFields: (missing.get(invoice.id) ?? []).map((m: { message: string }) => m.message) as string[],
    credited,
    paid,
    remaining: amountDueCents({ status: invoice.status, totalInclVatCents: invoice.totalInclVatCents, paidCents: paid, creditedCents: credited }),
    canManage: can(user.role, "finance.manage"),
    footer: invoiceFooter(invoice.organisation.paymentTermsDays),
    today: new Date().toISOString().slice(0, 10),
    // A voided invoice: where its interventions are billed now.
    rebilled: invoice.status === "VOID" ? await rebilledOn(invoice.id) : null,
  });
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
  const actor = actorOf(user);
  const id = params.id ?? "";
  const d = parsed.data;
  const result =
    d.intent === "resubmit"
      ? await resubmit(actor, id, d.documentId)
      : d.intent === "credit-note"
      ? await requestCreditNote(actor, id, d.amount, d.reason)
      : d.intent === "void"
        ? await requestVoid(actor, id, d.reason)
        : d.intent === "uncollectible"
          ? await requestUncollectible(actor, id)
          : await recordTransfer(actor, id, { amountCents: d.amount, reference: d.reference, receivedAt: new Date(`${d.receivedAt}T12:00:00Z`) });
  if (!result.ok) {
    const values = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === "amount" ? (Number(v) / 100).toFixed(2).replace(".", ",") : String(v)]));
    return json({ errors: { [result.field ?? "form"]: result.message } as FieldErrors, values, done: null, intent: d.intent }, { status: 400 });
  }
  return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: result.message, intent: d.intent });
}

/** Only a document of this invoice (or of its credit notes) may be sent again from its page. */
async function resubmit(actor: Parameters<typeof requestResubmission>[0], invoiceId: string, documentId: string): Promise<{ ok: boolean; message: string; field?: string }> {
  const { transmissions } = await transmissionsOfInvoice(invoiceId);
  if (!transmissions.some((t) => t.documentId === documentId)) return { ok: false, message: "Ce document n'appartient pas à cette facture." };
  return requestResubmission(actor, documentId);
}

export default function FinanceInvoice() {
  const { invoice, documents, platformName, transmissions, paymentReports, missingFields, credited, paid, remaining, canManage, footer, today, rebilled } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const errorsFor = (intent: string) => (data?.intent === intent ? errors : {});
  const issued = invoice.status !== "DRAFT";
  const isInvoice = invoice.kind === "INVOICE";
  return (
    <div className="stack">
      <PageHeader
        title={invoice.number ? `${isInvoice ? "Facture" : "Relevé interne"} ${invoice.number}` : `Aperçu du brouillon · ${invoice.organisation.name}`}
        description={
          <>
            {invoice.organisation.name} · prestations du {formatDate(`${invoice.period.start}T12:00:00Z`)} au {formatDate(`${invoice.period.end}T12:00:00Z`)} <InvoiceStatusBadge status={invoice.status} number={invoice.number} />
          </>
        }
        actions={
          <Link className="button secondary" to={issued ? "/finance/invoices" : "/finance/invoices?status=DRAFT"}>
            ← Factures
          </Link>
        }
      />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      {rebilled ? (
        <Alert kind="info">
          Facture annulée{invoice.voidedAt ? ` le ${formatDate(invoice.voidedAt)}` : ""}{invoice.voidReason ? ` (motif : ${invoice.voidReason})` : ""} : elle reste consultable telle qu'elle a été émise. {rebilled.interventions === 1 ? "Son intervention est libérée et facturée" : `Ses ${rebilled.interventions} interventions sont libérées et facturées`} à nouveau, sur
          une nouvelle facture avec un nouveau numéro, à la prochaine préparation des brouillons (ou en préparant ce partenaire à la demande).
          {rebilled.invoices.length > 0 ? (
            <>
              {" "}
              Déjà reprises ({rebilled.rebilled}/{rebilled.interventions}) sur :{" "}
              {rebilled.invoices.map((i, k) => (
                <span key={i.id}>
                  {k > 0 ? ", " : null}
                  <Link to={`/finance/invoices/${i.id}`}>{i.number ?? "un brouillon"}</Link>
                </span>
              ))}
              .
            </>
          ) : null}
        </Alert>
      ) : null}
      {!issued ? (
        <Alert kind="info">
          Brouillon : rien n'a été envoyé. Le numéro est attribué à l'émission, depuis la page Facturation (« Émettre et envoyer les brouillons »).
        </Alert>
      ) : null}
      {missingFields.length > 0 ? (
        <Alert kind="error">
          Cette facture ne peut pas être émise : il manque des mentions obligatoires de la facture électronique.
          <ul>
            {missingFields.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {issued ? (
        <Card title={isInvoice ? "Facture électronique (Factur-X)" : "Relevé interne (hors facturation électronique)"}>
          {documents.length === 0 ? (
            <p className="muted">
              Pas encore de document : il est produit dans les minutes qui suivent l'émission. S'il manque encore,{" "}
              <Link to={`/finance/documents?month=${invoice.issuedAt ? monthOf(new Date(invoice.issuedAt)) : ""}`}>générez-le depuis les factures électroniques</Link>.
            </p>
          ) : (
            <ul>
              {documents.map((d) => (
                <li key={d.id}>
                  <a href={`/invoices/documents/${d.id}.pdf`}>
                    {d.kind === "CREDIT_NOTE" ? "Avoir" : d.kind === "INTERNAL_STATEMENT" ? "Relevé" : "Facture"} {d.number}
                  </a>{" "}
                  · {transmissions.some((t) => t.documentId === d.id) ? `via ${platformName ?? "la plateforme agréée"}` : transmissionLabel(d.transmissionStatus)}
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
      {transmissions.map((t) => (
        <Card key={t.documentId} title={`Transmission ${t.document.kind === "CREDIT_NOTE" ? "de l'avoir" : "de la facture"} ${t.document.number}`}>
          <div className="stack">
            <p>
              Statut actuel : <TransmissionBadge t={t} />
            </p>
            {t.whatToDo ? (
              <Alert kind="error">
                {t.problem ? <strong>{t.problem} </strong> : null}
                {t.whatToDo}
              </Alert>
            ) : null}
            {canManage && !t.flowId && (t.state === "directory_missing" || t.state === "unreachable") ? (
              <AppForm>
                <input type="hidden" name="intent" value="resubmit" />
                <input type="hidden" name="documentId" value={t.documentId} />
                <SubmitButton variant="secondary">Relancer l'envoi à la plateforme</SubmitButton>
              </AppForm>
            ) : null}
            <p className="muted small">
              {platformName ?? "Plateforme agréée"}
              {t.flowId ? ` · flux ${t.flowId}` : ""}
              {t.submittedAt ? ` · déposé le ${formatDate(t.submittedAt)}` : ""}
              {t.addressingId ? ` · adresse de facturation électronique du client : ${t.addressingId}${t.routingCode ? ` (code de routage ${t.routingCode})` : ""}` : ""}
            </p>
            <StatusHistory events={t.events} />
          </div>
        </Card>
      ))}
      {paymentReports.length > 0 ? (
        <Card title="Encaissements déclarés à la plateforme">
          <ul>
            {paymentReports.map((r) => (
              <li key={r.paymentId}>
                {formatEuros(r.amountCents)} ·{" "}
                {r.state === "sent" && r.sentAt ? `statut « Encaissée » transmis le ${formatDate(r.sentAt)}` : r.state === "refused" ? `refusé par la plateforme : ${r.problem ?? ""}` : "en attente d'envoi (après le dépôt de la facture)"}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <Card title="Document">
        <div className="grid-2">
          <div>
            <p>
              <strong>{ASSOCIATION.name}</strong>
              <br />
              SIRET {ASSOCIATION.siret}
            </p>
          </div>
          <div>
            <p>
              <strong>{invoice.organisation.name}</strong>
              {invoice.organisation.billingAddress ? (
                <>
                  <br />
                  {invoice.organisation.billingAddress}
                </>
              ) : null}
              {invoice.organisation.siret ? (
                <>
                  <br />
                  SIRET {invoice.organisation.siret}
                </>
              ) : null}
              {invoice.organisation.vatNumber ? (
                <>
                  <br />
                  TVA {invoice.organisation.vatNumber}
                </>
              ) : null}
            </p>
          </div>
        </div>
        <InvoiceLinesTable lines={invoice.lines} />
        <InvoiceTotals invoice={invoice}>
          <div>
            <dt>Heures d'insertion</dt>
            <dd>{formatMinutes(invoice.insertionMinutes)}</dd>
          </div>
        </InvoiceTotals>
        {isInvoice ? <p className="muted small">{footer}</p> : null}
        {invoice.issuedAt ? (
          <p className="muted">
            Émise le {formatDate(invoice.issuedAt)}
            {invoice.dueAt ? `, échéance le ${formatDate(invoice.dueAt)}` : ""} · {invoice.provider === "stripe" ? "Stripe" : "hors Stripe"}
            {invoice.hostedInvoiceUrl ? (
              <>
                {" · "}
                <a href={invoice.hostedInvoiceUrl}>page de paiement</a>
              </>
            ) : null}
          </p>
        ) : null}
      </Card>
      {issued && isInvoice ? (
        <Card title="Paiements et avoirs">
          <p>
            Encaissé {formatEuros(paid)} · avoirs {formatEuros(credited)} · reste dû <strong>{formatEuros(remaining)}</strong>
          </p>
          {invoice.payments.length + invoice.creditNotes.length > 0 ? (
            <ul>
              {invoice.payments.map((p) => (
                <li key={p.id}>
                  {p.method === "stripe" ? "Paiement Stripe" : "Virement"} de {formatEuros(p.amountCents)} le {formatDate(p.receivedAt)}
                  {p.reference ? ` (${p.reference})` : ""}
                </li>
              ))}
              {invoice.creditNotes.map((c) => (
                <li key={c.id}>
                  Avoir {c.number} de {formatEuros(c.amountCents)} le {formatDate(c.createdAt)} : {c.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
      ) : null}
      {canManage && issued && isInvoice && (invoice.status === "OPEN" || invoice.status === "PAID" || invoice.status === "UNCOLLECTIBLE") ? (
        <Card title="Corrections">
          <p className="muted">Une facture émise n'est jamais modifiée ni supprimée : on la corrige par un avoir, on l'annule ou on la classe irrécouvrable.</p>
          <div className="grid-2">
            {invoice.status !== "UNCOLLECTIBLE" ? (
              // Each form in its own box: a grid cell would stretch the form and space out its fields.
              // Both forms have an "amount": distinct ids, so that each label names its own field.
              <div>
                <AppForm className="form" key={`credit-${data?.done ?? ""}`}>
                  <h3>Émettre un avoir</h3>
                  <input type="hidden" name="intent" value="credit-note" />
                  <Field label="Montant de l'avoir TTC (€)" name="amount" id="credit-amount" defaultValue={data?.intent === "credit-note" ? values.amount : undefined} error={errorsFor("credit-note").amount} />
                  <Field label="Motif de l'avoir" name="reason" id="credit-reason" defaultValue={data?.intent === "credit-note" ? values.reason : undefined} error={errorsFor("credit-note").reason} />
                  <SubmitButton>Émettre l'avoir</SubmitButton>
                </AppForm>
              </div>
            ) : null}
            {invoice.status !== "PAID" ? (
              <div>
                <AppForm className="form" key={`transfer-${data?.done ?? ""}`}>
                  <h3>Enregistrer un virement reçu</h3>
                  <input type="hidden" name="intent" value="transfer" />
                  <Field label="Montant reçu (€)" name="amount" id="transfer-amount" defaultValue={data?.intent === "transfer" ? values.amount : (remaining / 100).toFixed(2).replace(".", ",")} error={errorsFor("transfer").amount} />
                  <Field label="Référence du virement" name="reference" id="transfer-reference" defaultValue={data?.intent === "transfer" ? values.reference : undefined} error={errorsFor("transfer").reference} />
                  <Field label="Reçu le" name="receivedAt" id="transfer-receivedAt" type="date" defaultValue={data?.intent === "transfer" ? values.receivedAt : today} error={errorsFor("transfer").receivedAt} />
                  <SubmitButton>Enregistrer le virement</SubmitButton>
                </AppForm>
              </div>
            ) : null}
          </div>
          {invoice.status === "OPEN" ? (
            <div className="row">
              <AppForm>
                <input type="hidden" name="intent" value="uncollectible" />
                <SubmitButton variant="secondary">Classer irrécouvrable</SubmitButton>
              </AppForm>
            </div>
          ) : null}
          {invoice.status !== "PAID" ? (
            // Voiding cannot be undone: the form opens first, asks for the reason and a confirmation.
            <details open={data?.intent === "void" && !data.done}>
              <summary>Annuler la facture…</summary>
              <AppForm className="form" noValidate>
                <input type="hidden" name="intent" value="void" />
                <p>
                  L'annulation est définitive. {invoice.number ? <>La facture {invoice.number} reste consultable ; un avoir de {formatEuros(invoice.totalInclVatCents - credited)} l'annule et part au partenaire comme une facture.</> : null}{" "}
                  Le partenaire est prévenu par e-mail, avec le motif. Ses interventions seront facturées à nouveau, sur une nouvelle facture.
                </p>
                <Field label="Motif de l'annulation (communiqué au partenaire)" name="reason" id="void-reason" error={errorsFor("void").reason}>
                  <textarea rows={3} maxLength={300} defaultValue={data?.intent === "void" ? values.reason : undefined} />
                </Field>
                <div className="field">
                  <label className="checkbox">
                    <input type="checkbox" name="confirm" value="on" aria-invalid={errorsFor("void").confirm ? true : undefined} aria-describedby={errorsFor("void").confirm ? "void-confirm-error" : undefined} /> Je confirme l'annulation de la facture{" "}
                    {invoice.number}
                  </label>
                  {errorsFor("void").confirm ? (
                    <span className="error" id="void-confirm-error">
                      {errorsFor("void").confirm}
                    </span>
                  ) : null}
                </div>
                <SubmitButton variant="danger">Annuler la facture</SubmitButton>
              </AppForm>
            </details>
          ) : null}
        </Card>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
