import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, forbidden, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Badge, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { acceptQuote, cancelInterventions, changeSeriesTime, decideRequest, getRequest, postMessage, type ActionResult } from "~/data/requests.server.ts";
import { requestHistoryFacts } from "~/data/request-history.server.ts";
import { seriesOutlook } from "~/data/series.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { can, isStaffRole } from "~/domain/access/roles.ts";
import { canChangeOnline, estimateOrder, MAX_TEXT } from "~/domain/requests/order.ts";
import { CHANGEABLE, isIn, RECURRENCE_LABELS, STATUS_LABELS, STATUS_TONES, WORKED } from "~/domain/requests/status.ts";
import { callCoordination } from "~/domain/requests/contact.ts";
import { requestHistory, requestTimeline } from "~/domain/requests/timeline.ts";
import { formatDate, formatDateTime, formatEuros, formatMinutes, formatTime, formatVatRate } from "~/utils/format.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.request.reference ?? "Demande"} · La Conciergerie Solidaire` },
];

async function findOr404(request: Request, user: Awaited<ReturnType<typeof requireCapability>>, id: string | undefined) {
  const key = id ?? "";
  const found = key.length <= 40 ? await getRequest(actorOf(user), key) : null;
  if (!found) return notFound(request, user, { type: "ServiceRequest", id: key.slice(0, 40) });
  return found;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const [found, rules] = await Promise.all([findOr404(request, user, params.id), getServiceRules()]);
  const now = new Date();
  const live = found.interventions.filter((i) => i.status !== "CANCELLED" && i.status !== "DECLINED");
  // A series' later dates are created by the rolling horizon: the quote counts them already.
  const [series, facts] = await Promise.all([seriesOutlook(found, now), requestHistoryFacts(actorOf(user), found.id, found.messages)]);
  const quote = estimateOrder({
    pricingUnit: found.prestation.pricingUnit,
    unitPriceCents: found.unitPriceCents,
    vatRateBasisPoints: found.vatRateBasisPoints,
    durationMinutes: found.durationMinutes,
    teamSize: found.teamSize,
    occurrences: live.length + (series?.pending.length ?? 0),
  });
  const canOrder = can(user.role, "requests.order");
  // Each reader's own history: a partner never reads coordination's internals nor who at the Conciergerie acted.
  const history = facts
    ? requestHistory(facts, isStaffRole(user.role) ? "staff" : "partner", {
        invoice: (id) => (can(user.role, "finance.view") ? `/finance/invoices/${id}` : can(user.role, "invoices.view") ? "/invoices" : null),
      })
    : [];
  return json({
    request: {
      ...found,
      interventions: found.interventions.map((i) => ({
        ...i,
        changeable: isIn(CHANGEABLE, i.status) && i.startsAt > now,
        beforeDeadline: canChangeOnline(i.startsAt, now, rules.cancellationDeadlineHours),
      })),
    },
    quote,
    series,
    canChangeSeries: (canOrder || can(user.role, "requests.decide")) && series !== null && !series.endedAt && !found.declinedAt,
    history,
    timeline: requestTimeline(found.status, found.declineReason ?? found.interventions.find((i) => i.cancelReason)?.cancelReason ?? null),
    canAcceptQuote: canOrder && !found.quoteAcceptedAt && !found.declinedAt && found.interventions.some((i) => i.status === "SUBMITTED"),
    // A decision is due while dates wait for validation; once planned, coordination cancels dates instead.
    canDecide: can(user.role, "requests.decide") && !found.declinedAt && found.interventions.some((i) => i.status === "SUBMITTED"),
    canValidate: can(user.role, "requests.decide") && !found.declinedAt && found.interventions.some((i) => i.status === "SUBMITTED"),
    canChange: canOrder || can(user.role, "requests.decide"),
    canWrite: canOrder || can(user.role, "requests.decide"),
    deadlineHours: rules.cancellationDeadlineHours,
    // The partner's way to coordination past the deadline (coordination itself is not bound by it).
    callCoordination: canOrder ? callCoordination(rules.serviceContact) : null,
  });
}

const reasonField = z
  .string({ error: "Indiquez le motif." })
  .trim()
  .min(3, "Indiquez le motif, en une phrase au moins.")
  .max(MAX_TEXT, "2 000 caractères au plus.");
const schema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("accept-quote") }),
    z.object({ intent: z.literal("validate") }),
    z.object({ intent: z.literal("decline"), reason: reasonField }),
    z.object({ intent: z.literal("stop-series"), stopReason: reasonField }),
    z.object({
      intent: z.literal("series-time"),
      startTime: z
        .string({ error: "Indiquez une heure de début." })
        .trim()
        .regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, "Indiquez une heure de début au quart d'heure (par exemple 08:30)."),
    }),
    z.object({
      intent: z.literal("message"),
      body: z.string({ error: "Écrivez votre message." }).trim().min(1, "Écrivez votre message.").max(MAX_TEXT, "2 000 caractères au plus."),
    }),
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const found = await findOr404(request, user, params.id);
  const actor = actorOf(user);
  const input = parsed.data;
  const needs = input.intent === "accept-quote" ? "requests.order" : input.intent === "message" || input.intent === "series-time" || input.intent === "stop-series" ? null : "requests.decide";
  if (needs ? !can(user.role, needs) : !(can(user.role, "requests.order") || can(user.role, "requests.decide"))) throw forbidden();
  let result: ActionResult;
  if (input.intent === "accept-quote") result = await acceptQuote(actor, found.id);
  else if (input.intent === "validate") result = await decideRequest(actor, found.id, { accept: true });
  else if (input.intent === "decline") result = await decideRequest(actor, found.id, { accept: false, reason: input.reason });
  else if (input.intent === "series-time") result = await changeSeriesTime(actor, found.id, input.startTime);
  else if (input.intent === "stop-series") result = await cancelInterventions(actor, found.id, { series: true }, input.stopReason);
  else result = await postMessage(actor, found.id, input.body);
  if (!result.ok) {
    if (result.status === 404) return notFound(request, user, { type: "ServiceRequest", id: found.id });
    return json({ errors: { [result.field ?? "form"]: result.message } as FieldErrors, values: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])) as Record<string, string>, done: null }, { status: result.status });
  }
  return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: result.message });
}

/** What the intervention page did, told back here after its redirect. */
const CHANGE_NOTICES: Record<string, string> = {
  annulee: "Intervention annulée.",
  serie: "Les interventions à venir de la série sont annulées.",
  deplacee: "Intervention déplacée : la coordination recompose l'équipe pour la nouvelle date.",
};

export default function RequestDetail() {
  const { request: r, quote, series, canChangeSeries, timeline, history, canAcceptQuote, canDecide, canValidate, canChange, canWrite, deadlineHours, callCoordination: callText } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  const sentNotice = params.get("envoyee") && canAcceptQuote ? "Demande envoyée. Voici votre devis : acceptez-le pour lancer la planification." : null;
  const message = data?.done ?? sentNotice ?? CHANGE_NOTICES[params.get("modifiee") ?? ""] ?? null;
  const waitsForValidation = r.quoteAcceptedAt && !r.acceptedAt && r.organisation.requiresValidation && !r.declinedAt;
  return (
    <div className="stack">
      <p>
        <Link to="/requests">← Toutes les demandes</Link>
      </p>
      <PageHeader
        title={`${r.reference} · ${r.prestation.name}`}
        description={`${r.organisation.name} — ${r.site.name}`}
        actions={<Badge tone={STATUS_TONES[r.status]}>{STATUS_LABELS[r.status]}</Badge>}
      />
      {message ? <Alert kind="success">{message}</Alert> : null}
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}

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

      {canDecide ? (
        <Card title="Décision de la coordination">
          {canValidate ? (
            <AppForm>
              <input type="hidden" name="intent" value="validate" />
              <SubmitButton>Valider la demande</SubmitButton>
            </AppForm>
          ) : null}
          <AppForm className="form">
            <input type="hidden" name="intent" value="decline" />
            <Field label="Motif du refus" name="reason" hint="Le partenaire le lit : dites ce qui serait possible." error={errors.reason}>
              <textarea rows={3} maxLength={MAX_TEXT} defaultValue={values.reason} />
            </Field>
            <SubmitButton variant="danger">Refuser la demande</SubmitButton>
          </AppForm>
        </Card>
      ) : null}

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
          {r.startWindowMinutes > 0 ? (
            <>
              <dt>Début</dt>
              <dd>à {formatMinutes(r.startWindowMinutes)} près, au choix de la coordination</dd>
            </>
          ) : null}
          <dt>Équipe</dt>
          <dd>{r.teamSize} personnes en insertion et un encadrant technique</dd>
          {r.purchaseOrderNumber ? (
            <>
              <dt>Bon de commande</dt>
              <dd>{r.purchaseOrderNumber}</dd>
            </>
          ) : null}
          {r.accessInstructions ? (
            <>
              <dt>Accès</dt>
              <dd className="prewrap">{r.accessInstructions}</dd>
            </>
          ) : null}
          {r.notes ? (
            <>
              <dt>Remarques</dt>
              <dd className="prewrap">{r.notes}</dd>
            </>
          ) : null}
          {r.declineReason ? (
            <>
              <dt>Motif du refus</dt>
              <dd className="prewrap">{r.declineReason}</dd>
            </>
          ) : null}
        </dl>
      </Card>

      {series ? (
        <Card title="La série">
          <div className="stack">
            <dl className="details">
              <dt>Première date</dt>
              <dd>{formatDate(`${series.firstDate}T12:00:00Z`)}</dd>
              <dt>Heure de début</dt>
              <dd>{series.startTime}</dd>
              <dt>Fin</dt>
              <dd>
                {series.endedAt
                  ? `Série arrêtée le ${formatDate(series.endedAt)}`
                  : `${series.count ? `${series.count} dates, ` : ""}dernière le ${formatDate(`${series.lastDate ?? series.firstDate}T12:00:00Z`)}`}
              </dd>
            </dl>
            {series.pending.length > 0 ? (
              <div>
                <p className="muted">
                  Dates suivantes ({series.pending.length}) : elles s'ajoutent aux interventions {series.horizonWeeks} semaines à l'avance, puis l'équipe est composée.
                </p>
                <ul className="compact">
                  {series.pending.slice(0, 12).map((d) => (
                    <li key={d}>{formatDate(`${d}T12:00:00Z`)}</li>
                  ))}
                  {series.pending.length > 12 ? <li className="muted">{series.pending.length === 13 ? "et une autre" : `et ${series.pending.length - 12} autres`}</li> : null}
                </ul>
              </div>
            ) : null}
            {canChangeSeries ? (
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
                      defaultValue={values.startTime ?? series.startTime}
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
      ) : null}

      <Card title="Interventions">
        {canChange && callText ? (
          <p className="muted">
            Vous pouvez déplacer ou annuler une intervention jusqu'à {deadlineHours} heures avant son début. Ensuite : {callText.charAt(0).toLowerCase() + callText.slice(1)}
          </p>
        ) : null}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Durée</th>
              <th scope="col">Équipe</th>
              <th scope="col">Statut</th>
              {canChange ? (
                <th scope="col">
                  <span className="muted">Action</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {r.interventions.map((i) => (
              <tr key={i.id}>
                <td data-label="Date" className="nowrap">
                  {formatDateTime(i.startsAt)}
                  {i.latestStartAt ? ` (au plus tard ${formatTime(i.latestStartAt)})` : ""}
                </td>
                <td data-label="Durée">{formatMinutes(i.durationMinutes)}</td>
                <td data-label="Équipe">
                  {i.supervisor
                    ? `${i.supervisor.firstName} ${i.supervisor.lastName} et ${i._count.assignments || i.workersNeeded} personnes`
                    : `${i.workersNeeded} personnes, encadrant à désigner`}
                </td>
                <td data-label="Statut">
                  <Badge tone={STATUS_TONES[i.status]}>{STATUS_LABELS[i.status]}</Badge>
                  {i.cancelReason ? <span className="muted"> — {i.cancelReason}</span> : null}
                </td>
                {canChange ? (
                  <td data-label="Action" className="nowrap">
                    {i.changeable ? (
                      <Link to={`/requests/${r.id}/interventions/${i.id}`} aria-label={`Modifier ou annuler l'intervention du ${formatDateTime(i.startsAt)}`}>
                        {i.beforeDeadline ? "Modifier ou annuler" : "Voir"}
                      </Link>
                    ) : isIn(WORKED, i.status) ? (
                      <Link to={`/requests/${r.id}/interventions/${i.id}`} aria-label={`Heures réalisées le ${formatDateTime(i.startsAt)}, et contestation`}>
                        Heures réalisées
                      </Link>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>

      <Card title="Messages" id="messages">
        {r.messages.length === 0 ? <p className="muted">Aucun message pour l'instant.</p> : null}
        <ul className="thread">
          {r.messages.map((m) => (
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
          <AppForm className="form" key={data?.done ?? "message"}>
            <input type="hidden" name="intent" value="message" />
            <Field label="Votre message" name="body" hint="2 000 caractères au plus." error={errors.body}>
              <textarea rows={3} maxLength={MAX_TEXT} defaultValue={values.body} />
            </Field>
            <SubmitButton variant="secondary">Envoyer le message</SubmitButton>
          </AppForm>
        ) : null}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
