import type { SerializeFrom } from "@remix-run/node";
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { requestPage } from "~/data/request-page.server.ts";
import { MAX_TEXT } from "~/domain/requests/order.ts";
import { isIn, RECURRENCE_LABELS, STATUS_LABELS, STATUS_TONES, WORKED } from "~/domain/requests/status.ts";
import { formatDate, formatDateTime, formatEuros, formatMinutes, formatTime, formatVatRate } from "~/utils/format.ts";
import { Table } from "./Table.tsx";
import { Alert, AppForm, Badge, Card, Field, SubmitButton } from "./ui.tsx";

// The cards of a request's page (/requests/:id), each drawing one part of what requestPage gives.

export type RequestPageData = SerializeFrom<NonNullable<Awaited<ReturnType<typeof requestPage>>>>;
type Req = RequestPageData["serviceRequest"];
/** What the last form sent answered: its messages by field, and what was typed (shown again). */
export type FormState = { errors: Record<string, string>; values: Record<string, string> };

export function TrackingCard({ timeline, history }: Pick<RequestPageData, "timeline" | "history">) {
  return (
    <Card title="Suivi">
      <ol className="timeline">
        {timeline.steps.map((s) => (
          <li key={s.status} className={`timeline-step ${s.state}`} aria-current={s.state === "current" ? "step" : undefined}>
            {s.label}
            <span className="visually-hidden">{s.state === "done" ? " (fait)" : s.state === "current" ? " (étape actuelle)" : " (à venir)"}</span>
          </li>
        ))}
        {timeline.ended ? (
          <li className="timeline-step ended" aria-current="step">
            {timeline.ended.label}
            {timeline.ended.reason ? ` : ${timeline.ended.reason}` : ""}
          </li>
        ) : null}
      </ol>
      {history.length > 0 ? (
        <>
          <h3 className="history-title">Historique</h3>
          <ol className="history" aria-label="Historique de la demande">
            {history.map((e, n) => (
              <li key={n} className={`history-event kind-${e.kind}`}>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                <p className="history-what">
                  {e.href ? <a href={e.href}>{e.title}</a> : e.title}
                  {e.by ? <span className="muted"> · par {e.by}</span> : null}
                </p>
                {e.detail ? <p className="history-detail prewrap">{e.detail}</p> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Card>
  );
}

export function QuoteCard({ serviceRequest: r, quote, canAcceptQuote }: Pick<RequestPageData, "serviceRequest" | "quote" | "canAcceptQuote">) {
  const waitsForValidation = r.quoteAcceptedAt && !r.acceptedAt && r.organisation.requiresValidation && !r.declinedAt;
  return (
    <Card title="Devis">
      <dl className="details">
        <dt>Prix unitaire</dt>
        <dd>
          {formatEuros(r.unitPriceCents)} HT {r.prestation.pricingUnit === "FLAT" ? "par intervention" : "par heure et par personne"}
        </dd>
        <dt>Par intervention</dt>
        <dd>
          {formatEuros(quote.perIntervention.exclVatCents)} HT, {formatEuros(quote.perIntervention.inclVatCents)} TTC
        </dd>
        <dt>Interventions</dt>
        <dd>{quote.occurrences}</dd>
        <dt>Total HT</dt>
        <dd>{formatEuros(quote.total.exclVatCents)}</dd>
        <dt>TVA ({formatVatRate(r.vatRateBasisPoints)})</dt>
        <dd>{formatEuros(quote.total.vatCents)}</dd>
        <dt>Total TTC</dt>
        <dd className="estimate-total">{formatEuros(quote.total.inclVatCents)}</dd>
        <dt>Insertion</dt>
        <dd>{formatMinutes(quote.insertionMinutes)} de travail pour des personnes en insertion</dd>
      </dl>
      <div className="row actions-row">
        <a className="button secondary" href={`/requests/${r.id}/devis.pdf`} download>
          Télécharger le devis (PDF)
        </a>
        {canAcceptQuote ? (
          <AppForm>
            <input type="hidden" name="intent" value="accept-quote" />
            <SubmitButton>Accepter le devis</SubmitButton>
          </AppForm>
        ) : null}
      </div>
      {r.quoteAcceptedAt ? <p className="muted">Devis accepté le {formatDateTime(r.quoteAcceptedAt)}.</p> : null}
      {waitsForValidation ? <Alert kind="info">La coordination valide chaque demande de votre organisation avant la planification.</Alert> : null}
    </Card>
  );
}

export function DecisionCard({ canValidate, form }: { canValidate: boolean; form: FormState }) {
  return (
    <Card title="Décision de la coordination">
      {canValidate ? (
        <AppForm>
          <input type="hidden" name="intent" value="validate" />
          <SubmitButton>Valider la demande</SubmitButton>
        </AppForm>
      ) : null}
      <AppForm className="form">
        <input type="hidden" name="intent" value="decline" />
        <Field label="Motif du refus" name="reason" hint="Le partenaire le lit : dites ce qui serait possible." error={form.errors.reason}>
          <textarea rows={3} maxLength={MAX_TEXT} defaultValue={form.values.reason} />
        </Field>
        <SubmitButton variant="danger">Refuser la demande</SubmitButton>
      </AppForm>
    </Card>
  );
}

export function RequestDetailsCard({ serviceRequest: r }: { serviceRequest: Req }) {
  return (
    <Card title="La demande">
      <dl className="details">
        <dt>Site</dt>
        <dd>
          {r.site.name}, {r.site.address}, {r.site.postalCode} {r.site.city}
        </dd>
        <dt>Fréquence</dt>
        <dd>
          {RECURRENCE_LABELS[r.recurrence]}
          {r.recurrenceUntil ? ` jusqu'au ${formatDate(r.recurrenceUntil)}` : ""}
        </dd>
        <dt>Durée</dt>
        <dd>{formatMinutes(r.durationMinutes)}</dd>
        {r.startWindowMinutes > 0 ? <Detail term="Début">à {formatMinutes(r.startWindowMinutes)} près, au choix de la coordination</Detail> : null}
        <dt>Équipe</dt>
        <dd>{r.teamSize} personnes en insertion et un encadrant technique</dd>
        {r.purchaseOrderNumber ? <Detail term="Bon de commande">{r.purchaseOrderNumber}</Detail> : null}
        {r.accessInstructions ? (
          <Detail term="Accès" prewrap>
            {r.accessInstructions}
          </Detail>
        ) : null}
        {r.notes ? (
          <Detail term="Remarques" prewrap>
            {r.notes}
          </Detail>
        ) : null}
        {r.declineReason ? (
          <Detail term="Motif du refus" prewrap>
            {r.declineReason}
          </Detail>
        ) : null}
      </dl>
    </Card>
  );
}

function Detail({ term, prewrap, children }: { term: string; prewrap?: boolean; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd className={prewrap ? "prewrap" : undefined}>{children}</dd>
    </>
  );
}

const noon = (day: string) => formatDate(`${day}T12:00:00Z`);

export function RecurrenceCard({
  recurrence,
  canChangeRecurrence,
  deadlineHours,
  form,
}: {
  recurrence: NonNullable<RequestPageData["recurrence"]>;
  canChangeRecurrence: boolean;
  deadlineHours: number;
  form: FormState;
}) {
  const { errors, values } = form;
  return (
    <Card title="La série">
      <div className="stack">
        <dl className="details">
          <dt>Première date</dt>
          <dd>{noon(recurrence.firstDate)}</dd>
          <dt>Heure de début</dt>
          <dd>{recurrence.startTime}</dd>
          <dt>Fin</dt>
          <dd>
            {recurrence.endedAt
              ? `Série arrêtée le ${formatDate(recurrence.endedAt)}`
              : `${recurrence.count ? `${recurrence.count} dates, ` : ""}dernière le ${noon(recurrence.lastDate ?? recurrence.firstDate)}`}
          </dd>
        </dl>
        {recurrence.pending.length > 0 ? (
          <div>
            <p className="muted">
              Dates suivantes ({recurrence.pending.length}) : elles s'ajoutent aux interventions {recurrence.horizonWeeks} semaines à l'avance, puis l'équipe est composée.
            </p>
            <ul className="compact">
              {recurrence.pending.slice(0, 12).map((d) => (
                <li key={d}>{noon(d)}</li>
              ))}
              {recurrence.pending.length > 12 ? <li className="muted">{recurrence.pending.length === 13 ? "et une autre" : `et ${recurrence.pending.length - 12} autres`}</li> : null}
            </ul>
          </div>
        ) : null}
        {canChangeRecurrence ? (
          // Folded: most visits only read the series; open when one of its forms has a message to show.
          <details open={Boolean(errors.startTime || errors.stopReason)}>
            <summary>Changer l'heure ou arrêter la série</summary>
            <div className="stack">
              <AppForm className="form" noValidate>
                <input type="hidden" name="intent" value="series-time" />
                <Field
                  label="Nouvelle heure de début des dates à venir"
                  name="startTime"
                  type="time"
                  hint="Les dates passées ne changent pas."
                  defaultValue={values.startTime ?? recurrence.startTime}
                  error={errors.startTime}
                />
                <SubmitButton variant="secondary">Modifier la série</SubmitButton>
              </AppForm>
              <AppForm className="form" noValidate>
                <input type="hidden" name="intent" value="stop-series" />
                <Field
                  label="Motif de l'arrêt de la série"
                  name="stopReason"
                  hint={`Les dates à venir sont annulées (jusqu'à ${deadlineHours} heures avant chacune) et aucune nouvelle date ne s'ajoute.`}
                  error={errors.stopReason}
                >
                  <textarea rows={2} maxLength={MAX_TEXT} defaultValue={values.stopReason} />
                </Field>
                <SubmitButton variant="danger">Arrêter la série</SubmitButton>
              </AppForm>
            </div>
          </details>
        ) : null}
      </div>
    </Card>
  );
}

type Intervention = Req["interventions"][number];

export function InterventionsCard({
  serviceRequest: r,
  canChange,
  callCoordination,
  deadlineHours,
}: {
  serviceRequest: Req;
  canChange: boolean;
  callCoordination: string | null;
  deadlineHours: number;
}) {
  const href = (i: Intervention) => `/requests/${r.id}/interventions/${i.id}`;
  return (
    <Card title="Interventions">
      {canChange && callCoordination ? (
        <p className="muted">
          Vous pouvez déplacer ou annuler une intervention jusqu'à {deadlineHours} heures avant son début. Ensuite : {callCoordination.charAt(0).toLowerCase() + callCoordination.slice(1)}
        </p>
      ) : null}
      <Table
        rows={r.interventions}
        rowKey={(i) => i.id}
        columns={[
          {
            title: "Date",
            className: "nowrap",
            cell: (i) => (
              <>
                {formatDateTime(i.startsAt)}
                {i.latestStartAt ? ` (au plus tard ${formatTime(i.latestStartAt)})` : ""}
              </>
            ),
          },
          { title: "Durée", cell: (i) => formatMinutes(i.durationMinutes) },
          {
            title: "Équipe",
            cell: (i) =>
              i.supervisor
                ? `${i.supervisor.firstName} ${i.supervisor.lastName} et ${i._count.assignments || i.participantsNeeded} personnes`
                : `${i.participantsNeeded} personnes, encadrant à désigner`,
          },
          {
            title: "Statut",
            cell: (i) => (
              <>
                <Badge tone={STATUS_TONES[i.status]}>{STATUS_LABELS[i.status]}</Badge>
                {i.cancelReason ? <span className="muted"> — {i.cancelReason}</span> : null}
              </>
            ),
          },
          canChange && {
            title: "Action",
            quiet: true,
            className: "nowrap",
            cell: (i) =>
              i.changeable ? (
                <Link to={href(i)} aria-label={`Modifier ou annuler l'intervention du ${formatDateTime(i.startsAt)}`}>
                  {i.beforeDeadline ? "Modifier ou annuler" : "Voir"}
                </Link>
              ) : isIn(WORKED, i.status) ? (
                <Link to={href(i)} aria-label={`Heures réalisées le ${formatDateTime(i.startsAt)}, et contestation`}>
                  Heures réalisées
                </Link>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}

export function MessagesCard({ messages, canWrite, form, sent }: { messages: Req["messages"]; canWrite: boolean; form: FormState; sent: string | null }) {
  return (
    <Card title="Messages" id="messages">
      {messages.length === 0 ? <p className="muted">Aucun message pour l'instant.</p> : null}
      <ul className="thread">
        {messages.map((m) => (
          <li key={m.id} id={`message-${m.id}`} className={`message ${m.fromConciergerie ? "staff" : ""}`}>
            <p className="message-meta">
              <strong>{m.authorName}</strong>
              {m.fromConciergerie ? " (La Conciergerie)" : ""} · {formatDateTime(m.createdAt)}
            </p>
            <p className="prewrap">{m.body}</p>
          </li>
        ))}
      </ul>
      {canWrite ? (
        // A new key after each message sent: the form comes back empty.
        <AppForm className="form" key={sent ?? "message"}>
          <input type="hidden" name="intent" value="message" />
          <Field label="Votre message" name="body" hint="2 000 caractères au plus." error={form.errors.body}>
            <textarea rows={3} maxLength={MAX_TEXT} defaultValue={form.values.body} />
          </Field>
          <SubmitButton variant="secondary">Envoyer le message</SubmitButton>
        </AppForm>
      ) : null}
    </Card>
  );
}
