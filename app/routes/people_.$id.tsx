import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, Field, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { AbsenceForm, AbsenceList } from "~/components/AbsenceList.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { addAbsence, getParticipant, removeAbsence, updateParticipant } from "~/data/people.server.ts";
import { can } from "~/domain/access/roles.ts";
import { hoursField } from "~/domain/planning/people-forms.ts";
import { clockMinutes, clockText } from "~/domain/calendar/paris.ts";
import { formatCount, formatDate } from "~/utils/format.ts";
import { addDays, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { dayField, isRecordId, parseForm, type FieldErrors } from "~/utils/validation.ts";

// One person in insertion: skills, weekly availability, target hours, absences (dates only).
export const meta: MetaFunction = () => [{ title: "Salarié · Équipes · La Conciergerie Solidaire" }];

const DAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];

async function load(request: Request, id: string | undefined, capability: "people.view" | "people.manage") {
  const user = await requireCapability(request, capability);
  const found = isRecordId(id) ? await getParticipant(actorOf(user), id) : null;
  if (!found) return notFound(request, user, { type: "Worker", id: (id ?? "").slice(0, 40) });
  return { user, ...found };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, participant, skills } = await load(request, params.id, "people.view");
  const week = parisWeekStart(new Date());
  return json({ participant, skills, manage: can(user.role, "people.manage"), week, nextWeek: addDays(week, 7) });
}

const clock = z.string().regex(/^$|^([01]\d|2[0-3]):[0-5]\d$/, "Heure au format HH:MM.");
const day = dayField("Indiquez une date.");
const NO_ABSENCE = "Cette absence n'existe pas ou a déjà été supprimée.";
const updateSchema = z
  .looseObject({
    intent: z.literal("update"),
    weeklyTargetHours: hoursField("l'objectif d'heures par semaine", 3, 16),
    ...Object.fromEntries(
      [1, 2, 3, 4, 5, 6, 7].flatMap((d) => [
        [`from${d}`, clock.optional()],
        [`to${d}`, clock.optional()],
      ]),
    ),
  })
  .superRefine((v, ctx) => {
    for (let d = 1; d <= 7; d++) {
      const from = String(v[`from${d}`] ?? "");
      const to = String(v[`to${d}`] ?? "");
      if (Boolean(from) !== Boolean(to)) ctx.addIssue({ code: "custom", path: [`to${d}`], message: "Indiquez le début et la fin, ou aucun des deux." });
      else if (from && from >= to) ctx.addIssue({ code: "custom", path: [`to${d}`], message: "La fin doit suivre le début." });
    }
  });
const schema = z.discriminatedUnion(
  "intent",
  [
    updateSchema,
    z.object({ intent: z.literal("absence"), firstDay: day, lastDay: day }).refine((v) => v.firstDay <= v.lastDay, { message: "Le dernier jour suit le premier.", path: ["lastDay"] }),
    z.object({ intent: z.literal("remove-absence"), absenceId: z.string({ error: NO_ABSENCE }).regex(/^[\w-]{1,40}$/, NO_ABSENCE) }),
  ],
  { error: "Action inconnue." },
);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, participant } = await load(request, params.id, "people.manage");
  const form = await readForm(request);
  const parsed = parseForm(form, schema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const actor = actorOf(user);
  const data = parsed.data;
  if (data.intent === "absence") {
    const result = await addAbsence(actor, participant.id, data.firstDay, data.lastDay);
    const n = result?.replanned.length ?? 0;
    return json({ errors: {} as FieldErrors, values: {}, done: `Absence enregistrée.${n ? ` ${formatCount(n, "intervention")} à re-planifier : le planificateur s'en charge.` : ""}` });
  }
  if (data.intent === "remove-absence") {
    if (!(await removeAbsence(actor, participant.id, data.absenceId))) return json({ errors: { form: NO_ABSENCE } as FieldErrors, values: {}, done: null }, { status: 404 });
    return json({ errors: {} as FieldErrors, values: {}, done: "Absence supprimée." });
  }
  const availability = [1, 2, 3, 4, 5, 6, 7].flatMap((d) => {
    const from = String(data[`from${d}`] ?? "");
    const to = String(data[`to${d}`] ?? "");
    return from && to ? [{ isoDay: d, fromMinute: clockMinutes(from), toMinute: clockMinutes(to) }] : [];
  });
  const skillIds = form.getAll("skill").filter((s): s is string => typeof s === "string" && /^[\w-]{1,40}$/.test(s));
  await updateParticipant(actor, participant.id, { weeklyTargetMinutes: Math.round(data.weeklyTargetHours * 60), skillIds, availability });
  return json({ errors: {} as FieldErrors, values: {}, done: "Fiche enregistrée." });
}

export default function Participant() {
  const { participant, skills, manage, week, nextWeek } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: Record<string, string> = data?.errors ?? {};
  const values: Record<string, string> = (data?.values as Record<string, string>) ?? {};
  const windowOf = (d: number) => participant.availability.find((a) => a.isoDay === d);
  const name = `${participant.firstName} ${participant.lastInitial}.`;
  const today = toParisDate(new Date());
  return (
    <div className="stack">
      <PageHeader
        title={name}
        description={`Contrat du ${formatDate(participant.contractStart)} au ${formatDate(participant.contractEnd)}`}
        actions={
          <>
            <a className="button secondary" href={`/people/${participant.id}/planning.pdf?week=${week}`}>
              Planning de la semaine (PDF)
            </a>
            <a className="button secondary" href={`/people/${participant.id}/planning.pdf?week=${nextWeek}`}>
              Semaine prochaine (PDF)
            </a>
            <Link className="button secondary" to="/people">
              ← Équipes
            </Link>
          </>
        }
      />
      {data?.done ? <Alert kind="success">{data.done}</Alert> : params.get("cree") ? <Alert kind="success">Salarié créé. Saisissez maintenant ses disponibilités.</Alert> : null}
      {/* absenceId is a hidden field: its message is the form's. */}
      {errors.form || errors.absenceId ? <Alert kind="error">{errors.form ?? errors.absenceId}</Alert> : null}
      {/* Said at the top too: the page is long and the field in error may be far below. */}
      {!errors.form && !errors.absenceId && Object.keys(errors).length > 0 ? (
        <Alert kind="error">{values.intent === "absence" ? "L'absence n'est pas enregistrée : corrigez les dates signalées." : "La fiche n'est pas enregistrée : corrigez les champs signalés."}</Alert>
      ) : null}
      {manage ? (
        <>
          <Card title="Heures, compétences et disponibilités">
            <AppForm className="form wide-form" noValidate>
              <input type="hidden" name="intent" value="update" />
              <Field
                label="Objectif d'heures par semaine"
                name="weeklyTargetHours"
                hint="De 3 h à 16 h (Dispositif Premières Heures), en progressant au fil du parcours. Par quart d'heure : 6,25 pour 6 h 15."
                defaultValue={values.weeklyTargetHours ?? String(participant.weeklyTargetMinutes / 60).replace(".", ",")}
                error={errors.weeklyTargetHours}
              />
              <fieldset className="fieldset">
                <legend>Compétences</legend>
                <div className="check-grid">
                  {skills.map((s) => (
                    <label key={s.id} className="check">
                      <input type="checkbox" name="skill" value={s.id} defaultChecked={participant.skills.includes(s.id)} /> {s.label}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset className="fieldset">
                <legend>Disponibilités (laisser vide un jour sans travail)</legend>
                {DAYS.map((label, index) => {
                  const d = index + 1;
                  const w = windowOf(d);
                  return (
                    <div key={d} className="field-row">
                      <Field label={`${label} : de`} name={`from${d}`} type="time" defaultValue={values[`from${d}`] ?? (w ? clockText(w.fromMinute) : "")} error={errors[`from${d}`]} />
                      <Field label={`${label} : à`} name={`to${d}`} type="time" defaultValue={values[`to${d}`] ?? (w ? clockText(w.toMinute) : "")} error={errors[`to${d}`]} />
                    </div>
                  );
                })}
              </fieldset>
              <SubmitButton>Enregistrer la fiche</SubmitButton>
            </AppForm>
          </Card>
          <Card title="Absences">
            <p className="muted">Les dates seulement, jamais le motif. Les interventions concernées sont re-planifiées.</p>
            <AbsenceList
              removeIntent="remove-absence"
              items={participant.absences.map((a) => ({
                id: a.id,
                text: `Du ${formatDate(a.startsAt)} au ${formatDate(new Date(new Date(a.endsAt).getTime() - 1))}`,
                removeLabel: `l'absence du ${formatDate(a.startsAt)}`,
              }))}
            />
            <AbsenceForm intent="absence" today={today} values={values} errors={errors} />
          </Card>
        </>
      ) : (
        <Card title="Disponibilités">
          <ul>
            {participant.availability.map((a) => (
              <li key={`${a.isoDay}-${a.fromMinute}`}>
                {DAYS[a.isoDay - 1]} : {clockText(a.fromMinute)}–{clockText(a.toMinute)}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
