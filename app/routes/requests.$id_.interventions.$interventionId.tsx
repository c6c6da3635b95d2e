import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, forbidden, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Badge, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { MoveCard } from "~/components/planning.tsx";
import { isMoveIntent, moveFeedback, moveFormSchema } from "~/domain/planning/move.ts";
import { interventionHours, openDispute } from "~/data/disputes.server.ts";
import { cancelInterventions, getRequest, moveIntervention, type ActionResult } from "~/data/requests.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { can } from "~/domain/access/roles.ts";
import { clockText, parisParts } from "~/domain/calendar/paris.ts";
import { contestSchema, DISPUTE_TEXT_MAX, OUTCOME_LABELS, settlementText } from "~/domain/invoicing/disputes.ts";
import { canChangeOnline, changeDeadline, MAX_TEXT } from "~/domain/requests/order.ts";
import { CHANGEABLE, isIn, STATUS_LABELS, STATUS_TONES, WORKED } from "~/domain/requests/status.ts";
import { callCoordination } from "~/domain/requests/contact.ts";
import { formatDate, formatDateTime, formatMinutes } from "~/utils/format.ts";
import { parseForm, submittedValues, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Intervention · ${data?.reference ?? "Demande"} · La Conciergerie Solidaire` }];

async function load(request: Request, params: { id?: string; interventionId?: string }) {
  const user = await requireCapability(request, "requests.view");
  if (!can(user.role, "requests.order") && !can(user.role, "requests.decide")) throw forbidden();
  const id = params.id ?? "";
  const found = id.length <= 40 ? await getRequest(actorOf(user), id) : null;
  const intervention = found?.interventions.find((i) => i.id === params.interventionId);
  if (!found || !intervention) return notFound(request, user, { type: "Intervention", id: (params.interventionId ?? "").slice(0, 40) });
  return { user, found, intervention };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, found, intervention } = await load(request, params);
  const rules = await getServiceRules();
  const now = new Date();
  const staff = can(user.role, "requests.decide");
  const future = isIn(CHANGEABLE, intervention.status) && intervention.startsAt > now;
  const current = parisParts(new Date(intervention.startsAt));
  // Once done: the hours recorded, and the partner's dispute with its outcome.
  const worked = isIn(WORKED, intervention.status) ? await interventionHours(actorOf(user), intervention.id, now) : null;
  return json({
    hours: worked
      ? {
          recordedMinutes: worked.recordedMinutes,
          people: worked.people,
          hoursRecorded: worked.hoursRecorded,
          deadline: worked.deadline,
          canContest: worked.contest.ok && can(user.role, "requests.order"),
          refusal: worked.contest.ok ? null : worked.contest.message,
          disputes: worked.disputes.map((d) => ({
            ...d,
            outcomeText: d.outcome ? settlementText({ outcome: d.outcome, correctedMinutes: d.correctedMinutes, recordedMinutes: worked.recordedMinutes }) : null,
            outcomeLabel: d.outcome ? OUTCOME_LABELS[d.outcome] : null,
          })),
        }
      : null,
    reference: found.reference,
    requestId: found.id,
    prestation: found.prestation.name,
    site: found.site.name,
    recurring: found.recurrence !== "NONE",
    otherFutureDates: found.interventions.filter((i) => i.id !== intervention.id && isIn(CHANGEABLE, i.status) && i.startsAt > now).length,
    intervention,
    current: { date: current.date, startTime: clockText(current.minutes) },
    changeable: future && (staff || canChangeOnline(intervention.startsAt, now, rules.cancellationDeadlineHours)),
    future,
    deadline: changeDeadline(intervention.startsAt, rules.cancellationDeadlineHours),
    deadlineHours: rules.cancellationDeadlineHours,
    staff,
    callCoordination: callCoordination(rules.serviceContact),
  });
}

const reasonField = z.string({ error: "Dites-nous en quelques mots pourquoi." }).trim().min(3, "Dites-nous en quelques mots pourquoi.").max(MAX_TEXT, "2 000 caractères au plus.");
const schema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("cancel"),
      // Absent (a form sent without its button): this date only; anything else is refused, never guessed.
      scope: z.enum(["one", "series"], { error: "Choisissez d'annuler cette intervention ou toute la série à venir." }).default("one"),
      reason: reasonField,
    }),
    contestSchema,
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, found, intervention } = await load(request, params);
  const form = await readForm(request);
  const actor = actorOf(user);
  if (isMoveIntent(form.get("intent"))) {
    // One move for everyone: the role decides which rules bind (moveIntervention).
    const staff = can(user.role, "requests.decide");
    const move = parseForm(form, moveFormSchema);
    if (!move.ok)
      return json(
        { errors: {} as FieldErrors, values: {} as Record<string, string>, done: null, move: { ...moveFeedback({ ok: false, message: "" }, move.values), errors: move.errors } },
        { status: 400 },
      );
    const checking = move.data.intent === "check-move";
    const force = staff && move.data.force ? { reason: move.data.reason ?? "" } : null;
    const result = await moveIntervention(actor, found.id, intervention.id, move.data, { mode: checking ? "check" : "save", force });
    if (!result.ok && result.status === 404) return notFound(request, user, { type: "Intervention", id: intervention.id });
    if (result.ok && !checking) return redirect(`/requests/${found.id}?modifiee=deplacee`);
    return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: null, move: moveFeedback(result, submittedValues(form)) }, { status: result.ok ? 200 : result.status });
  }
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null, move: null }, { status: 400 });
  const input = parsed.data;
  if (input.intent === "contest") {
    // The partner's own word on the hours: staff settle disputes, they do not open them.
    if (!can(user.role, "requests.order")) throw forbidden();
    const contested = await openDispute(actor, intervention.id, input.reason);
    if (!contested.ok) {
      if (contested.status === 404) return notFound(request, user, { type: "Intervention", id: intervention.id });
      return json({ errors: { reason: contested.message } as FieldErrors, values: { reason: input.reason }, done: null, move: null }, { status: contested.status });
    }
    return json({ errors: {} as FieldErrors, values: {} as Record<string, string>, done: contested.message, move: null });
  }
  const result: ActionResult = await cancelInterventions(actor, found.id, input.scope === "series" ? { recurrence: true } : { interventionId: intervention.id }, input.reason);
  const notice = input.scope === "series" ? "serie" : "annulee";
  if (!result.ok) {
    if (result.status === 404) return notFound(request, user, { type: "Intervention", id: intervention.id });
    return json(
      { errors: { [result.field ?? "form"]: result.message } as FieldErrors, values: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])), done: null, move: null },
      { status: result.status },
    );
  }
  return redirect(`/requests/${found.id}?modifiee=${notice}`);
}

export default function InterventionChange() {
  const {
    reference,
    requestId,
    prestation,
    site,
    recurring,
    otherFutureDates,
    intervention: i,
    current,
    changeable,
    future,
    deadline,
    deadlineHours,
    hours,
    staff,
    callCoordination: callText,
  } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = data?.values ?? {};
  return (
    <div className="stack">
      <p>
        <Link to={`/requests/${requestId}`}>← {reference}</Link>
      </p>
      <PageHeader
        title={`Intervention du ${formatDateTime(i.startsAt)}`}
        description={`${prestation} — ${site} · ${formatMinutes(i.durationMinutes)}`}
        actions={<Badge tone={STATUS_TONES[i.status]}>{STATUS_LABELS[i.status]}</Badge>}
      />
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {hours ? (
        <Card title="Heures réalisées">
          {hours.hoursRecorded ? (
            <p>
              L'encadrant a relevé <strong>{formatMinutes(hours.recordedMinutes)}</strong> de travail ({hours.people} personne{hours.people > 1 ? "s" : ""} en insertion), pour{" "}
              {formatMinutes(i.durationMinutes * i.participantsNeeded)} prévues ({i.participantsNeeded} personne{i.participantsNeeded > 1 ? "s" : ""} pendant {formatMinutes(i.durationMinutes)}).
              {hours.disputes.some((d) => d.outcome === "CORRECT" || d.outcome === "WAIVE") ? null : " La facture suit ces heures."}
            </p>
          ) : (
            <p className="muted">Les heures de cette intervention ne sont pas encore saisies par l'encadrant.</p>
          )}
          {hours.disputes.map((d) => (
            <div key={d.id} className="stack">
              <p>
                <strong>Votre contestation du {formatDateTime(d.openedAt)}</strong> <Badge tone={d.settledAt ? "green" : "amber"}>{d.outcomeLabel ?? "En cours d'examen"}</Badge>
              </p>
              <p className="prewrap">{d.reason}</p>
              {d.settledAt ? (
                <Alert kind="info">
                  Décision du {formatDateTime(d.settledAt)} : {d.outcomeText}
                  {d.settlement ? <span className="prewrap"> Réponse de l'équipe finance : {d.settlement}</span> : null}
                </Alert>
              ) : (
                <p className="muted">L'équipe finance examine votre contestation ; cette intervention ne sera pas facturée avant sa décision.</p>
              )}
            </div>
          ))}
          {hours.canContest ? (
            <AppForm className="form" noValidate>
              <input type="hidden" name="intent" value="contest" />
              <Field
                label="Ces heures ne correspondent pas ? Dites-nous pourquoi"
                name="reason"
                hint={`Vous pouvez contester jusqu'au ${formatDate(hours.deadline)}, avant la facturation.`}
                error={errors.reason}
              >
                <textarea rows={3} maxLength={DISPUTE_TEXT_MAX} defaultValue={values.reason} />
              </Field>
              <SubmitButton variant="secondary">Contester les heures</SubmitButton>
            </AppForm>
          ) : errors.reason ? (
            <Alert kind="error">{errors.reason}</Alert>
          ) : null}
        </Card>
      ) : null}
      {hours ? null : !future ? (
        <Alert kind="info">Cette intervention est passée, annulée ou refusée : elle ne se modifie plus.</Alert>
      ) : !changeable ? (
        <Alert kind="info">
          Moins de {deadlineHours} heures avant l'intervention (depuis le {formatDateTime(deadline)}), elle ne se déplace ni ne s'annule plus en ligne, car l'équipe est déjà prévenue. {callText}
        </Alert>
      ) : (
        <>
          {staff ? null : <p className="muted">Modifiable en ligne jusqu'au {formatDateTime(deadline)}.</p>}
          <MoveCard
            current={current}
            feedback={data?.move ?? undefined}
            canForce={staff}
            intro={
              staff ? (
                <p className="muted">
                  La coordination déplace à tout moment, délai de commande compris. L'équipe est gardée si elle peut venir à la nouvelle heure (règles de planification vérifiées) ; le partenaire est
                  prévenu par e-mail.
                </p>
              ) : null
            }
          />
          <Card title="Annulation">
            <AppForm className="form" noValidate>
              <input type="hidden" name="intent" value="cancel" />
              {errors.scope ? <Alert kind="error">{errors.scope}</Alert> : null}
              <Field label="Motif de l'annulation" name="reason" error={errors.reason}>
                <textarea rows={2} maxLength={MAX_TEXT} defaultValue={values.reason} />
              </Field>
              <div className="row">
                <SubmitButton variant="danger" name="scope" value="one">
                  Annuler cette intervention
                </SubmitButton>
                {recurring && otherFutureDates > 0 ? (
                  <SubmitButton variant="danger" name="scope" value="series">
                    Annuler toute la série à venir
                  </SubmitButton>
                ) : null}
              </div>
            </AppForm>
          </Card>
        </>
      )}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
