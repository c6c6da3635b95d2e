import type { SerializeFrom } from "@remix-run/node";
import { Link } from "@remix-run/react";
import type { financeInvoicePage } from "~/data/finance-invoice-page.server.ts";
import { transmissionLabel } from "~/domain/einvoicing/transmission.ts";
import { ASSOCIATION } from "~/domain/invoicing/mentions.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { formatDate, formatEuros, formatMinutes } from "~/utils/format.ts";
import { CREDITABLE, isInvoiceIn, MAY_BECOME_UNCOLLECTIBLE, PAYABLE, VOIDABLE } from "~/domain/invoicing/status.ts";
import { StatusHistory, TransmissionBadge } from "./einvoicing.tsx";
import { InvoiceLinesTable, InvoiceTotals } from "./invoices.tsx";
import { Alert, AppForm, Card, Field, SubmitButton } from "./ui.tsx";

// The cards of finance's page of one invoice (/finance/invoices/:id).

export type FinanceInvoiceData = SerializeFrom<NonNullable<Awaited<ReturnType<typeof financeInvoicePage>>>>;
type Invoice = FinanceInvoiceData["invoice"];
/** The last form's answer: its messages by field, what was typed, and which form it was. */
export type InvoiceFormState = { intent: string | null; errors: Record<string, string>; values: Record<string, string>; done: string | null };

/** A voided invoice: it stays readable; where its interventions are billed now. */
export function RebilledNotice({ invoice, rebilled }: { invoice: Invoice; rebilled: NonNullable<FinanceInvoiceData["rebilled"]> }) {
  return (
    <Alert kind="info">
      Facture annulée{invoice.voidedAt ? ` le ${formatDate(invoice.voidedAt)}` : ""}
      {invoice.voidReason ? ` (motif : ${invoice.voidReason})` : ""} : elle reste consultable telle qu'elle a été émise.{" "}
      {rebilled.interventions === 1 ? "Son intervention est libérée et facturée" : `Ses ${rebilled.interventions} interventions sont libérées et facturées`} à nouveau, sur une nouvelle facture avec un
      nouveau numéro, à la prochaine préparation des brouillons (ou en préparant ce partenaire à la demande).
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
  );
}

export function MissingFieldsAlert({ missingFields }: { missingFields: string[] }) {
  return (
    <Alert kind="error">
      Cette facture ne peut pas être émise : il manque des mentions obligatoires de la facture électronique.
      <ul>
        {missingFields.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </Alert>
  );
}

export function DocumentsCard({ invoice, documents, transmissions, platformName }: Pick<FinanceInvoiceData, "invoice" | "documents" | "transmissions"> & { platformName: string | null }) {
  return (
    <Card title={invoice.kind === "INVOICE" ? "Facture électronique (Factur-X)" : "Relevé interne (hors facturation électronique)"}>
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
  );
}

export function TransmissionCard({ t, canManage, platformName }: { t: FinanceInvoiceData["transmissions"][number]; canManage: boolean; platformName: string | null }) {
  return (
    <Card title={`Transmission ${t.document.kind === "CREDIT_NOTE" ? "de l'avoir" : "de la facture"} ${t.document.number}`}>
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
  );
}

export function PaymentReportsCard({ paymentReports }: Pick<FinanceInvoiceData, "paymentReports">) {
  return (
    <Card title="Encaissements déclarés à la plateforme">
      <ul>
        {paymentReports.map((r) => (
          <li key={r.paymentId}>
            {formatEuros(r.amountCents)} ·{" "}
            {r.state === "sent" && r.sentAt
              ? `statut « Encaissée » transmis le ${formatDate(r.sentAt)}`
              : r.state === "refused"
                ? `refusé par la plateforme : ${r.problem ?? ""}`
                : "en attente d'envoi (après le dépôt de la facture)"}
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The invoice as its document reads: the parties, the lines, the totals and the legal mentions. */
export function InvoiceDocumentCard({ invoice, footer }: Pick<FinanceInvoiceData, "invoice" | "footer">) {
  const buyer = invoice.organisation;
  return (
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
            <strong>{buyer.name}</strong>
            {[buyer.billingAddress, buyer.siret ? `SIRET ${buyer.siret}` : null, buyer.vatNumber ? `TVA ${buyer.vatNumber}` : null].filter(Boolean).map((text) => (
              <span key={text}>
                <br />
                {text}
              </span>
            ))}
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
      {invoice.kind === "INVOICE" ? <p className="muted small">{footer}</p> : null}
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
  );
}

export function PaymentsCard({ invoice, paid, credited, remaining }: Pick<FinanceInvoiceData, "invoice" | "paid" | "credited" | "remaining">) {
  return (
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
  );
}

/** Credit note, transfer received, uncollectible, void: an issued invoice is corrected, never changed. */
export function CorrectionsCard({ invoice, credited, remaining, today, form }: Pick<FinanceInvoiceData, "invoice" | "credited" | "remaining" | "today"> & { form: InvoiceFormState }) {
  const errorsFor = (intent: string) => (form.intent === intent ? form.errors : {});
  const valueFor = (intent: string, name: string) => (form.intent === intent ? form.values[name] : undefined);
  const voidErrors = errorsFor("void");
  return (
    <Card title="Corrections">
      <p className="muted">Une facture émise n'est jamais modifiée ni supprimée : on la corrige par un avoir, on l'annule ou on la classe irrécouvrable.</p>
      <div className="grid-2">
        {isInvoiceIn(CREDITABLE, invoice.status) ? (
          // Each form in its own box: a grid cell would stretch the form and space out its fields.
          // Both forms have an "amount": distinct ids, so that each label names its own field.
          <div>
            <AppForm className="form" key={`credit-${form.done ?? ""}`}>
              <h3>Émettre un avoir</h3>
              <input type="hidden" name="intent" value="credit-note" />
              <Field label="Montant de l'avoir TTC (€)" name="amount" id="credit-amount" defaultValue={valueFor("credit-note", "amount")} error={errorsFor("credit-note").amount} />
              <Field label="Motif de l'avoir" name="reason" id="credit-reason" defaultValue={valueFor("credit-note", "reason")} error={errorsFor("credit-note").reason} />
              <SubmitButton>Émettre l'avoir</SubmitButton>
            </AppForm>
          </div>
        ) : null}
        {isInvoiceIn(PAYABLE, invoice.status) ? (
          <div>
            <AppForm className="form" key={`transfer-${form.done ?? ""}`}>
              <h3>Enregistrer un virement reçu</h3>
              <input type="hidden" name="intent" value="transfer" />
              <Field
                label="Montant reçu (€)"
                name="amount"
                id="transfer-amount"
                defaultValue={form.intent === "transfer" ? form.values.amount : (remaining / 100).toFixed(2).replace(".", ",")}
                error={errorsFor("transfer").amount}
              />
              <Field label="Référence du virement" name="reference" id="transfer-reference" defaultValue={valueFor("transfer", "reference")} error={errorsFor("transfer").reference} />
              <Field
                label="Reçu le"
                name="receivedAt"
                id="transfer-receivedAt"
                type="date"
                defaultValue={form.intent === "transfer" ? form.values.receivedAt : today}
                error={errorsFor("transfer").receivedAt}
              />
              <SubmitButton>Enregistrer le virement</SubmitButton>
            </AppForm>
          </div>
        ) : null}
      </div>
      {isInvoiceIn(MAY_BECOME_UNCOLLECTIBLE, invoice.status) ? (
        <div className="row">
          <AppForm>
            <input type="hidden" name="intent" value="uncollectible" />
            <SubmitButton variant="secondary">Classer irrécouvrable</SubmitButton>
          </AppForm>
        </div>
      ) : null}
      {isInvoiceIn(VOIDABLE, invoice.status) ? (
        // Voiding cannot be undone: the form opens first, asks for the reason and a confirmation.
        <details open={form.intent === "void" && !form.done}>
          <summary>Annuler la facture…</summary>
          <AppForm className="form" noValidate>
            <input type="hidden" name="intent" value="void" />
            <p>
              L'annulation est définitive.{" "}
              {invoice.number ? (
                <>
                  La facture {invoice.number} reste consultable ; un avoir de {formatEuros(invoice.totalInclVatCents - credited)} l'annule et part au partenaire comme une facture.
                </>
              ) : null}{" "}
              Le partenaire est prévenu par e-mail, avec le motif. Ses interventions seront facturées à nouveau, sur une nouvelle facture.
            </p>
            <Field label="Motif de l'annulation (communiqué au partenaire)" name="reason" id="void-reason" error={voidErrors.reason}>
              <textarea rows={3} maxLength={300} defaultValue={valueFor("void", "reason")} />
            </Field>
            <div className="field">
              <label className="checkbox">
                <input type="checkbox" name="confirm" value="on" aria-invalid={voidErrors.confirm ? true : undefined} aria-describedby={voidErrors.confirm ? "void-confirm-error" : undefined} /> Je
                confirme l'annulation de la facture {invoice.number}
              </label>
              {voidErrors.confirm ? (
                <span className="error" id="void-confirm-error">
                  {voidErrors.confirm}
                </span>
              ) : null}
            </div>
            <SubmitButton variant="danger">Annuler la facture</SubmitButton>
          </AppForm>
        </details>
      ) : null}
    </Card>
  );
}
