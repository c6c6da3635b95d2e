import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Badge, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { AgreementCard } from "~/components/AgreementCard.tsx";
import { agreementTeam, recordAgreement, withdrawAgreement } from "~/data/agreements.server.ts";
import { myIntervention, recordTime, saveReport, supervisorOfUser } from "~/data/my-day.server.ts";
import { agreementFormSchema, isAgreementIntent } from "~/domain/planning/agreements.ts";
import { ACTIONS_BY_STATE, attendanceState, attendanceSummary } from "~/domain/planning/attendance.ts";
import { STATUS_LABELS } from "~/domain/requests/status.ts";
import { formatDateTime, formatMinutes, formatTime, ofName } from "~/utils/format.ts";
import { parseForm, type FieldErrors } from "~/utils/validation.ts";

// One intervention of the signed-in encadrant: who came, how long they worked, the report.
export const meta: MetaFunction = () => [{ title: "Intervention · Ma journée · La Conciergerie Solidaire" }];

async function load(request: Request, id: string | undefined) {
  const user = await requireCapability(request, "myday");
  const supervisor = await supervisorOfUser(user.userId);
  const intervention = supervisor && id && id.length <= 40 ? await myIntervention(supervisor.id, id) : null;
  // Another encadrant's intervention gets the same 404 as a made-up id.
  if (!supervisor || !intervention) return notFound(request, user, { type: "Intervention", id: (id ?? "").slice(0, 40) });
  return { user, supervisor, intervention };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { intervention, supervisor } = await load(request, params.id);
  const agreements = intervention.status === "SCHEDULED" ? await agreementTeam(intervention.id, { supervisorId: supervisor.id }) : null;
  return json({ intervention, agreements });
}

const participantId = z.string({ error: "Personne inconnue." }).regex(/^[\w-]{1,40}$/, "Personne inconnue.");
const schema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("check-in"), participantId }),
    z.object({ intent: z.literal("check-out"), participantId }),
    z.object({ intent: z.literal("absent"), participantId }),
    z.object({
      intent: z.literal("correct"),
      participantId,
      // An empty field is not "0 minutes" (Number("") is 0): it gets a message.
      minutes: z
        .string({ error: "Indiquez un nombre de minutes." })
        .trim()
        .min(1, "Indiquez un nombre de minutes.")
        .regex(/^\d{1,4}$/, "Un nombre entier de minutes, sans signe.")
        .transform(Number)
        .pipe(z.number().max(24 * 60, "Une journée au plus.")),
      reason: z.string({ error: "Indiquez le motif de la correction." }).trim().min(3, "Indiquez le motif de la correction, en quelques mots.").max(200, "200 caractères au plus."),
    }),
    z.object({
      intent: z.literal("report"),
      text: z.string({ error: "Écrivez le compte rendu." }).trim().min(3, "Écrivez le compte rendu en quelques mots.").max(2000, "2 000 caractères au plus."),
      incidents: z
        .string()
        .trim()
        .max(2000, "2 000 caractères au plus.")
        .optional()
        .transform((v) => (v ? v : null)),
    }),
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, supervisor, intervention } = await load(request, params.id);
  const form = await readForm(request);
  // A team member agrees to a change of their confirmed schedule (within the notice period).
  if (isAgreementIntent(form.get("intent"))) {
    const input = parseForm(form, agreementFormSchema);
    const result = input.ok
      ? await (input.data.intent === "agree" ? recordAgreement : withdrawAgreement)(actorOf(user), intervention.id, input.data.participantId, { supervisorId: supervisor.id })
      : { ok: false, message: Object.values(input.errors)[0] ?? "Action inconnue." };
    return json({ errors: {} as FieldErrors, done: null, alert: false, participantId: null, agreement: result }, { status: result.ok ? 200 : 409 });
  }
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return json({ errors: parsed.errors as FieldErrors, done: null, alert: false, participantId: parsed.values.participantId ?? null }, { status: 400 });
  const actor = actorOf(user);
  const data = parsed.data;
  if (data.intent === "report") {
    const ok = await saveReport(actor, supervisor.id, intervention.id, { text: data.text, incidents: data.incidents });
    if (!ok) return json({ errors: { form: "Cette intervention ne peut plus recevoir de compte rendu." } as FieldErrors, done: null, alert: false, participantId: null }, { status: 409 });
    return json({ errors: {} as FieldErrors, done: "Compte rendu enregistré : l'intervention est terminée.", alert: false, participantId: null });
  }
  const what = data.intent === "correct" ? { kind: "correct" as const, minutes: data.minutes, reason: data.reason } : { kind: data.intent };
  const result = await recordTime(actor, supervisor.id, intervention.id, data.participantId, what);
  if (!result.ok) return json({ errors: { form: result.message } as FieldErrors, done: null, alert: false, participantId: data.participantId }, { status: 409 });
  const messages = { "check-in": "Arrivée enregistrée.", "check-out": "Départ enregistré.", correct: "Heures corrigées et enregistrées.", absent: "Absence enregistrée." };
  return json({ errors: {} as FieldErrors, done: messages[data.intent], alert: result.overLimit, participantId: data.participantId });
}

// The buttons of a person's card, shown when their state allows them (ACTIONS_BY_STATE).
const BUTTONS = [
  { intent: "check-in", label: "Arrivée", variant: undefined },
  { intent: "check-out", label: "Départ", variant: undefined },
  { intent: "absent", label: "Absent·e", variant: "danger" },
] as const;

export default function MyIntervention() {
  const { intervention: i, agreements } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errors: Record<string, string> = data?.errors ?? {};
  const entries = new Map(i.timeEntries.map((t) => [t.participantId, t]));
  // The answer to a form is shown next to it (the page keeps its scroll): a person's card, or the report.
  const messages = (
    <>
      {data?.done ? <Alert kind="success">{data.done}</Alert> : null}
      {data?.alert ? <Alert kind="info">Ces heures s'écartent du prévu ou dépassent le plafond de la semaine : elles sont enregistrées telles quelles et la coordination est prévenue.</Alert> : null}
      {/* workerId is a hidden field: its message is the form's. */}
      {errors.form || errors.participantId ? <Alert kind="error">{errors.form ?? errors.participantId}</Alert> : null}
    </>
  );
  // A person no longer (or never) in the team has no card: the answer goes above the team.
  const onCard = !!data?.participantId && i.assignments.some((a) => a.participantId === data.participantId);
  const agreement = data && "agreement" in data ? (data.agreement as { ok: boolean; message: string }) : null;
  return (
    <div className="stack my-day">
      <PageHeader
        title={`${i.site.name}, ${formatTime(i.startsAt)}–${formatTime(i.endsAt)}`}
        description={`${i.serviceRequest.prestation.name} · ${formatDateTime(i.startsAt)}`}
        actions={
          <Link className="button secondary small" to="/my-day">
            ← Ma journée
          </Link>
        }
      />
      <Card title="Lieu">
        <p>
          {i.site.address}, {i.site.postalCode} {i.site.city} <Badge>{STATUS_LABELS[i.status]}</Badge>
        </p>
        {i.site.accessNotes ? <p>Accès : {i.site.accessNotes}</p> : null}
        {i.serviceRequest.accessInstructions ? <p>Consignes du partenaire : {i.serviceRequest.accessInstructions}</p> : null}
        <p className="muted">
          {i.serviceRequest.organisation.name} · {formatMinutes(i.durationMinutes)} prévues
        </p>
      </Card>
      <Card title={`Équipe (${i.assignments.length})`}>
        {data?.participantId && !onCard ? messages : null}
        {agreement && !agreements?.underNotice ? <Alert kind={agreement.ok ? "success" : "error"}>{agreement.message}</Alert> : null}
        <ul className="team-cards">
          {i.assignments.map((a) => {
            const t = entries.get(a.participantId);
            const name = `${a.participant.firstName} ${a.participant.lastInitial}.`;
            const state = attendanceState(t);
            const actions = ACTIONS_BY_STATE[state];
            const correcting = data?.participantId === a.participantId && !!(errors.minutes || errors.reason);
            return (
              <li key={a.participantId} className="team-card">
                <h3>{name}</h3>
                {data?.participantId === a.participantId ? messages : null}
                <p className="small">{state === "absent" ? <Badge tone="red">Absent·e</Badge> : attendanceSummary(t)}</p>
                {/* Only the actions that fit the person's state; each form keeps the scroll where the encadrant tapped. */}
                <div className="row">
                  {BUTTONS.filter((button) => actions.includes(button.intent)).map((button) => (
                    <AppForm key={button.intent} preventScrollReset>
                      <input type="hidden" name="participantId" value={a.participantId} />
                      <SubmitButton name="intent" value={button.intent} variant={button.variant}>
                        {button.label}
                        <span className="visually-hidden">{button.intent === "absent" ? ` : ${name}` : ` ${ofName(name)}`}</span>
                      </SubmitButton>
                    </AppForm>
                  ))}
                </div>
                <details className="correction" open={correcting}>
                  <summary>
                    {state === "left" ? "Corriger les heures" : "Saisir les heures à la main"}
                    <span className="visually-hidden"> {ofName(name)}</span>
                  </summary>
                  <AppForm className="form" preventScrollReset>
                    <input type="hidden" name="participantId" value={a.participantId} />
                    <input type="hidden" name="intent" value="correct" />
                    <Field
                      label={`Minutes travaillées par ${name}`}
                      name="minutes"
                      id={`minutes-${a.participantId}`}
                      type="number"
                      hint={`Prévu : ${formatMinutes(i.durationMinutes)} (${i.durationMinutes} min). Ce chiffre remplace celui de l'arrivée et du départ.`}
                      defaultValue={state === "left" && t ? String(t.minutesWorked) : ""}
                      error={correcting ? errors.minutes : undefined}
                    />
                    <Field
                      label="Motif de la correction"
                      name="reason"
                      id={`reason-${a.participantId}`}
                      hint="Par exemple : départ oublié, arrivée notée en retard."
                      error={correcting ? errors.reason : undefined}
                    />
                    <SubmitButton variant="secondary">
                      Enregistrer les heures<span className="visually-hidden"> {ofName(name)}</span>
                    </SubmitButton>
                  </AppForm>
                </details>
              </li>
            );
          })}
        </ul>
      </Card>
      {/* On the day, arrivals and departures come first; the team's agreement to a change after them. */}
      {agreements?.underNotice ? <AgreementCard team={agreements} canRecord result={agreement} /> : null}
      <Card title="Fin de l'intervention">
        {data && !data.participantId ? messages : null}
        <AppForm className="form" preventScrollReset>
          <input type="hidden" name="intent" value="report" />
          <Field label="Compte rendu" name="text" error={errors.text} hint="Ce qui a été fait, en quelques lignes.">
            <textarea rows={4} maxLength={2000} defaultValue={i.report?.text ?? ""} />
          </Field>
          <Field label="Incidents (facultatif)" name="incidents" error={errors.incidents}>
            <textarea rows={3} maxLength={2000} defaultValue={i.report?.incidents ?? ""} />
          </Field>
          <SubmitButton>Enregistrer le compte rendu</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
