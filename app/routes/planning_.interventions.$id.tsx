import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import type { FormEvent } from "react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { MoveCard, Violations } from "~/components/planning.tsx";
import { Alert, AppForm, Badge, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { AgreementCard } from "~/components/AgreementCard.tsx";
import { agreementTeam, recordAgreement, withdrawAgreement } from "~/data/agreements.server.ts";
import { previewChange, saveChange, steeringContext, STEERABLE } from "~/data/planning.server.ts";
import { agreementFormSchema, isAgreementIntent } from "~/domain/planning/agreements.ts";
import { CANDIDATE_TONES } from "~/domain/planning/candidates.ts";
import { isMoveIntent, moveFeedback, moveFormSchema, type MoveFeedback } from "~/domain/planning/move.ts";
import { moveIntervention } from "~/data/requests.server.ts";
import { can } from "~/domain/access/roles.ts";
import { ruleLabel, type TeamChange } from "~/domain/planning/steering.ts";
import { STATUS_LABELS } from "~/domain/requests/status.ts";
import { formatDateTime, formatMinutes, formatTime } from "~/utils/format.ts";
import { parseForm, submittedValues } from "~/utils/validation.ts";

// Steering one intervention: its encadrant, its team and their pins. Every
// change is checked against the engine's hard rules before it is saved.
export const meta: MetaFunction = () => [{ title: "Intervention · Planning · La Conciergerie Solidaire" }];

async function load(request: Request, id: string | undefined) {
  const user = await requireCapability(request, "planning.view");
  const context = id && id.length <= 40 ? await steeringContext(id) : null;
  if (!context) return notFound(request, user, { type: "Intervention", id: (id ?? "").slice(0, 40) });
  return { user, context };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, context } = await load(request, params.id);
  const { intervention } = context;
  const agreements = await agreementTeam(intervention.id);
  return json({
    ...context,
    agreements,
    canManage: can(user.role, "planning.manage"),
    steerable: (STEERABLE as readonly string[]).includes(intervention.status),
    saved: new URL(request.url).searchParams.get("saved"),
  });
}

const id = z.string().regex(/^[\w-]{1,40}$/);
const schema = z
  .looseObject({
    intent: z.enum(["check", "save"], { error: "Action inconnue." }),
    supervisorId: z.string({ error: "Choisissez un encadrant." }).regex(/^[\w-]{1,40}$/, "Choisissez un encadrant."),
    supervisorPinned: z.literal("on", { error: "Cochez la case ou laissez-la vide." }).optional(),
    force: z.literal("on", { error: "Cochez la case ou laissez-la vide." }).optional(),
    reason: z.string().trim().max(500, "500 caractères au plus.").optional(),
  })
  .refine((v) => v.intent !== "save" || !v.force || (v.reason ?? "").length >= 10, {
    message: "Pour forcer, expliquez en quelques mots pourquoi (10 caractères au moins).",
    path: ["reason"],
  });

/** Team and pins come as one checkbox per person: worker:<id> and pin:<id>. */
function teamChange(interventionId: string, data: z.infer<typeof schema>): TeamChange {
  const keys = Object.keys(data);
  const picked = (prefix: string) =>
    keys
      .filter((k) => k.startsWith(prefix) && data[k] === "on")
      .map((k) => k.slice(prefix.length))
      .filter((k) => id.safeParse(k).success);
  const participantIds = picked("participant:").sort();
  return {
    interventionId,
    supervisorId: data.supervisorId,
    participantIds,
    supervisorPinned: data.supervisorPinned === "on",
    pinnedParticipantIds: picked("pin:").filter((w) => participantIds.includes(w)),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireCapability(request, "planning.manage");
  const { context } = await load(request, params.id);
  const form = await readForm(request);
  // The person's agreement to a change within the notice period (recorded per person, audited).
  if (isAgreementIntent(form.get("intent"))) {
    const input = parseForm(form, agreementFormSchema);
    if (!input.ok) return json({ agreement: { ok: false, message: Object.values(input.errors)[0] ?? "Action inconnue." } }, { status: 400 });
    const change = input.data.intent === "agree" ? recordAgreement : withdrawAgreement;
    const result = await change(actorOf(user), context.intervention.id, input.data.participantId);
    return json({ agreement: result }, { status: result.ok ? 200 : 409 });
  }
  // A new date and time: the same move as on the request's page, as the coordination.
  if (isMoveIntent(form.get("intent"))) {
    const move = parseForm(form, moveFormSchema);
    if (!move.ok) return json({ move: { ...moveFeedback({ ok: false, message: "" }, move.values), checked: false, errors: move.errors } }, { status: 400 });
    const checking = move.data.intent === "check-move";
    const force = move.data.force ? { reason: move.data.reason ?? "" } : null;
    const result = await moveIntervention(actorOf(user), context.intervention.requestId, context.intervention.id, move.data, { mode: checking ? "check" : "save", force });
    if (result.ok && !checking) return redirect(`/planning/interventions/${context.intervention.id}?saved=moved`);
    return json({ move: moveFeedback(result, submittedValues(form)) }, { status: result.ok ? 200 : result.status });
  }
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return json({ errors: parsed.errors, violations: [], message: null, checked: false }, { status: 400 });
  const change = teamChange(context.intervention.id, parsed.data);
  if (parsed.data.intent === "check") {
    const { violations, message } = await previewChange(context.weekStart, change);
    return json({ errors: {}, violations, message: message ?? null, checked: true }, { status: message ? 400 : 200 });
  }
  const force = parsed.data.force === "on" ? { reason: parsed.data.reason ?? "" } : null;
  const result = await saveChange(actorOf(user), context.weekStart, change, force);
  if (!result.ok) {
    return json({ errors: {}, violations: result.violations, message: result.message ?? null, checked: true }, { status: result.message ? 409 : 400 });
  }
  return redirect(`/planning/interventions/${context.intervention.id}?saved=${result.forced.length ? "forced" : "ok"}`);
}

type Checked = { errors: Record<string, string>; violations: { rule: string; message: string }[]; message: string | null; checked: boolean };

export default function SteerIntervention() {
  const { intervention, weekStart, supervisors, participants, canManage, steerable, saved, agreements, current } = useLoaderData<typeof loader>();
  const rawAction = useActionData<typeof action>() as (Checked & { agreement?: undefined }) | { agreement: { ok: boolean; message: string } } | { move: MoveFeedback } | undefined;
  const agreementResult = rawAction && "agreement" in rawAction ? rawAction.agreement : null;
  const moveResult = rawAction && "move" in rawAction ? rawAction.move : undefined;
  const actionData = rawAction && !("agreement" in rawAction && rawAction.agreement) && !("move" in rawAction) ? (rawAction as Checked) : undefined;
  const preview = useFetcher<Checked>();
  const team = new Set(intervention.assignments.map((a) => a.participantId));
  const pins = new Set(intervention.assignments.filter((a) => a.pinned).map((a) => a.participantId));
  const shown = preview.data && preview.state === "idle" && (!actionData || preview.data !== actionData) ? preview.data : actionData;
  const errors = actionData?.errors ?? {};
  // With JavaScript, every change is checked at once (the "Vérifier" button does the same without it).
  const check = (event: FormEvent<HTMLFormElement>) => {
    const target = event.target as HTMLElement;
    if (target.getAttribute("name") === "reason") return;
    const form = new FormData(event.currentTarget);
    form.set("intent", "check");
    preview.submit(form, { method: "post" });
  };
  const candidates = [...participants.filter((w) => team.has(w.id)), ...participants.filter((w) => !team.has(w.id) && w.skilled)];
  const others = participants.filter((w) => !team.has(w.id) && !w.skilled);
  const personRow = (w: (typeof participants)[number]) => (
    <li key={w.id} className="team-row">
      <label>
        <input type="checkbox" name={`participant:${w.id}`} defaultChecked={team.has(w.id)} /> {w.name}
        {!w.skilled ? <span className="muted small"> (sans la compétence)</span> : null} <Badge tone={CANDIDATE_TONES[w.status]}>{w.statusLabel}</Badge>
      </label>
      <label className="small">
        <input type="checkbox" name={`pin:${w.id}`} defaultChecked={pins.has(w.id)} /> Épingler<span className="visually-hidden"> {w.name}</span>
      </label>
    </li>
  );
  return (
    <div className="stack">
      <PageHeader
        title={`${intervention.site.name} · ${formatDateTime(intervention.startsAt)}`}
        description={`${intervention.serviceRequest.prestation.name} (${intervention.serviceRequest.reference}), ${formatTime(intervention.startsAt)}–${formatTime(intervention.endsAt)}, ${formatMinutes(intervention.durationMinutes)}, équipe de ${intervention.participantsNeeded}`}
        actions={
          <Link className="button secondary" to={`/planning?week=${weekStart}`}>
            ← Retour au planning
          </Link>
        }
      />
      {saved === "ok" ? <Alert kind="success">Équipe enregistrée.</Alert> : null}
      {saved === "moved" ? <Alert kind="success">Intervention déplacée. Le partenaire est prévenu par e-mail.</Alert> : null}
      {saved === "forced" ? (
        <Alert kind="success">Équipe enregistrée en forçant les règles ; la raison est au journal. L'encadrant et l'équipe sont épinglés : l'optimisation de la semaine les garde.</Alert>
      ) : null}
      {intervention.unstaffedReason && intervention.status === "ACCEPTED" ? (
        <Alert kind="info">
          <strong>Sans équipe</strong>
          {intervention.unstaffedRule ? ` — ${ruleLabel(intervention.unstaffedRule)}` : ""} : {intervention.unstaffedReason}
        </Alert>
      ) : null}
      {!steerable ? (
        <Alert kind="info">Statut : {STATUS_LABELS[intervention.status as keyof typeof STATUS_LABELS] ?? intervention.status}. Cette intervention n'est plus modifiable depuis le planning.</Alert>
      ) : !canManage ? (
        <Alert kind="info">Lecture seule.</Alert>
      ) : (
        <Card title="Équipe">
          <AppForm className="form wide-form" onChange={check} noValidate>
            {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
            <Field label="Encadrant technique" name="supervisorId" error={errors.supervisorId}>
              <select defaultValue={intervention.supervisorId ?? ""}>
                <option value="">Choisir…</option>
                {supervisors.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                    {s.skilled ? "" : " (sans la compétence)"} · {s.statusLabel}
                  </option>
                ))}
              </select>
            </Field>
            <label className="check">
              <input type="checkbox" name="supervisorPinned" defaultChecked={intervention.supervisorPinned} /> Épingler l'encadrant (l'optimisation ne le changera pas)
            </label>
            <fieldset className="fieldset">
              <legend>
                Salariés ({intervention.serviceRequest.prestation.skill.label}, {intervention.participantsNeeded} demandés)
              </legend>
              <ul className="team-list">{candidates.map(personRow)}</ul>
              {others.length > 0 ? (
                <details>
                  <summary>Autres salariés ({others.length})</summary>
                  <ul className="team-list">{others.map(personRow)}</ul>
                </details>
              ) : null}
            </fieldset>
            <Violations data={shown} subject="Cette équipe" ok="Aucune règle enfreinte : cette équipe peut être enregistrée." />
            <fieldset className="fieldset">
              <legend>Forcer une règle</legend>
              <label className="check">
                <input type="checkbox" name="force" /> Forcer : enregistrer même si une règle est enfreinte
              </label>
              <Field label="Raison (obligatoire pour forcer)" name="reason" error={errors.reason}>
                <textarea rows={2} maxLength={500} />
              </Field>
            </fieldset>
            <div className="row">
              <SubmitButton name="intent" value="save">
                Enregistrer
              </SubmitButton>
              <SubmitButton name="intent" value="check" variant="secondary">
                Vérifier
              </SubmitButton>
            </div>
          </AppForm>
        </Card>
      )}
      {steerable && canManage ? <MoveCard current={current} feedback={moveResult} canForce /> : null}
      {agreements && steerable ? (
        <AgreementCard team={agreements} canRecord={canManage} result={agreementResult} />
      ) : agreementResult ? (
        // No agreement card (the change is no longer pending): the answer still shows.
        <Alert kind={agreementResult.ok ? "success" : "error"}>{agreementResult.message}</Alert>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
