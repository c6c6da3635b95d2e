import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Table } from "~/components/Table.tsx";
import { Alert, Badge, Card, Field, PageHeader } from "~/components/ui.tsx";
import { AbsenceForm, AbsenceList } from "~/components/AbsenceList.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { addSupervisorAbsence, listSupervisors, removeSupervisorAbsence, upcomingSupervisorAbsences, workedEntries, participantsWithWeek } from "~/data/people.server.ts";
import { can } from "~/domain/access/roles.ts";
import { monthLabel } from "~/domain/invoicing/period.ts";
import { dphReport, progressionPercent, participantAlerts } from "~/domain/planning/people.ts";
import { formatCount, formatDate, formatMinutes, ofName } from "~/utils/format.ts";
import { addDays, parisWeekStart, toParisDate } from "~/utils/paris-time.ts";
import { dayField, monthField, parseForm, type FieldErrors } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Équipes · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "people.view");
  const url = new URL(request.url);
  const today = new Date();
  const week = parisWeekStart(today);
  const thisMonth = toParisDate(today).slice(0, 7);
  const month = monthField("", "search").safeParse(url.searchParams.get("month")).data ?? thisMonth;
  const manage = can(user.role, "people.manage");
  const [participants, supervisors, entries, absences] = await Promise.all([
    participantsWithWeek(actorOf(user), week, today),
    listSupervisors(),
    manage ? workedEntries(month) : Promise.resolve([]),
    manage ? upcomingSupervisorAbsences(today) : Promise.resolve([]),
  ]);
  const [y, m] = month.split("-").map(Number) as [number, number];
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(y, m - 1 + delta, 1));
    return d.toISOString().slice(0, 7);
  };
  return json({
    week,
    weekEnd: addDays(week, 6),
    manage,
    month,
    previousMonth: shift(-1),
    nextMonth: month < thisMonth ? shift(1) : null,
    dph: manage ? dphReport(entries) : null,
    supervisors,
    today: toParisDate(today),
    supervisorAbsences: absences.map((a) => ({ id: a.id, startsAt: a.startsAt, lastDay: new Date(a.endsAt.getTime() - 1), name: `${a.supervisor!.firstName} ${a.supervisor!.lastName}` })),
    participants: participants.map((w) => ({
      ...w,
      alerts: participantAlerts(w, today),
      progression: progressionPercent(w.weeklyTargetMinutes),
    })),
  });
}

const day = dayField("Indiquez une date.");
const NO_ABSENCE = "Cette absence n'existe pas ou a déjà été supprimée.";
const actionSchema = z.discriminatedUnion(
  "intent",
  [
    z
      .object({
        intent: z.literal("supervisor-absence"),
        supervisorId: z.string({ error: "Choisissez un encadrant." }).regex(/^[\w-]{1,40}$/, "Choisissez un encadrant."),
        firstDay: day,
        lastDay: day,
      })
      .refine((v) => v.firstDay <= v.lastDay, { message: "Le dernier jour suit le premier.", path: ["lastDay"] }),
    z.object({ intent: z.literal("remove-supervisor-absence"), absenceId: z.string({ error: NO_ABSENCE }).regex(/^[\w-]{1,40}$/, NO_ABSENCE) }),
  ],
  { error: "Action inconnue." },
);

// An encadrant's absence (dates only, never the reason): their interventions go to another encadrant.
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireCapability(request, "people.manage");
  const parsed = parseForm(await readForm(request), actionSchema);
  if (!parsed.ok) return json({ errors: parsed.errors, values: parsed.values, done: null }, { status: 400 });
  const actor = actorOf(user);
  const data = parsed.data;
  if (data.intent === "remove-supervisor-absence") {
    if (!(await removeSupervisorAbsence(actor, data.absenceId))) return json({ errors: { form: NO_ABSENCE } as FieldErrors, values: {}, done: null }, { status: 404 });
    return json({ errors: {} as FieldErrors, values: {}, done: "Absence supprimée." });
  }
  const result = await addSupervisorAbsence(actor, data.supervisorId, data.firstDay, data.lastDay);
  if (!result)
    return json(
      { errors: { supervisorId: "Choisissez un encadrant." } as FieldErrors, values: { supervisorId: data.supervisorId, firstDay: data.firstDay, lastDay: data.lastDay }, done: null },
      { status: 400 },
    );
  const n = result.replanned.length;
  return json({ errors: {} as FieldErrors, values: {}, done: `Absence enregistrée.${n ? ` ${formatCount(n, "intervention")} à confier à un autre encadrant : le planificateur s'en charge.` : ""}` });
}

export default function People() {
  const { week, weekEnd, manage, month, previousMonth, nextMonth, dph, participants, supervisors, today, supervisorAbsences } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const values: Record<string, string> = (result?.values as Record<string, string> | undefined) ?? {};
  const [params] = useSearchParams();
  const created = params.get("encadrant") === "cree";
  const alerted = participants.filter((w) => w.alerts.length > 0).length;
  return (
    <div className="stack">
      <PageHeader
        title="Équipes"
        description={`${supervisors.length} encadrants techniques et ${participants.length} salariés en insertion sous contrat. Semaine du ${formatDate(`${week}T12:00:00Z`)} au ${formatDate(`${weekEnd}T12:00:00Z`)}.`}
        actions={
          manage ? (
            <>
              <Link className="button" to="/people/new">
                Nouveau salarié
              </Link>
              <Link className="button secondary" to="/people/encadrants/new">
                Nouvel encadrant
              </Link>
            </>
          ) : undefined
        }
      />
      {created ? <Alert kind="success">Encadrant créé.</Alert> : null}
      <Card title="Encadrants techniques">
        <Table
          rows={supervisors}
          rowKey={(s) => s.id}
          columns={[
            {
              title: "Nom",
              cell: (s) => (
                <>
                  {s.firstName} {s.lastName}
                </>
              ),
            },
            { title: "Compétences", cell: (s) => s.skills.join(", ") },
            { title: "Équipe max.", cell: (s) => `${s.maxTeamSize} personnes` },
          ]}
        />
      </Card>
      {manage ? (
        <Card title="Absences des encadrants">
          <p className="muted">Les dates seulement, jamais le motif. Les interventions de l'encadrant ces jours-là sont confiées à un autre encadrant ; à moins de 7 jours, l'équipe reste la même.</p>
          {result?.done ? <Alert kind="success">{result.done}</Alert> : null}
          {errors.form || errors.absenceId ? <Alert kind="error">{errors.form ?? errors.absenceId}</Alert> : null}
          <AbsenceList
            removeIntent="remove-supervisor-absence"
            items={supervisorAbsences.map((a) => ({
              id: a.id,
              text: `${a.name} : du ${formatDate(a.startsAt)} au ${formatDate(a.lastDay)}`,
              removeLabel: `l'absence ${ofName(a.name)} du ${formatDate(a.startsAt)}`,
            }))}
          />
          <AbsenceForm intent="supervisor-absence" today={today} values={values} errors={errors}>
            <Field label="Encadrant" name="supervisorId" error={errors.supervisorId}>
              <select defaultValue={values.supervisorId ?? ""}>
                <option value="">Choisir…</option>
                {supervisors.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.firstName} {s.lastName}
                  </option>
                ))}
              </select>
            </Field>
          </AbsenceForm>
        </Card>
      ) : null}
      <Card title="Salariés en insertion (DPH)">
        <p className="muted">{alerted > 0 ? `${formatCount(alerted, "personne")} à regarder cette semaine.` : "Aucune alerte cette semaine."}</p>
        <Table
          rows={participants}
          rowKey={(w) => w.id}
          columns={[
            {
              title: "Prénom",
              cell: (w) => (
                <Link to={`/people/${w.id}`}>
                  {w.firstName} {w.lastInitial}.
                </Link>
              ),
            },
            {
              title: "Prévu cette semaine",
              className: "nowrap",
              cell: (w) => (
                <>
                  {formatMinutes(w.plannedMinutes)} <span className="muted">/ {formatMinutes(w.weeklyTargetMinutes)}</span>
                </>
              ),
            },
            {
              title: "Objectif hebdo. (3 h → 16 h)",
              label: "Objectif hebdo.",
              className: "nowrap",
              cell: (w) => (
                <>
                  <meter
                    className="bar progression"
                    min={0}
                    max={100}
                    value={w.progression}
                    aria-label={`Progression ${ofName(`${w.firstName} ${w.lastInitial}.`)} vers 16 h : ${formatMinutes(w.weeklyTargetMinutes)}`}
                  />{" "}
                  {formatMinutes(w.weeklyTargetMinutes)}
                </>
              ),
            },
            { title: "Compétences", cell: (w) => w.skills.join(", ") },
            { title: "Contrat", cell: (w) => `jusqu'au ${formatDate(w.contractEnd)}` },
            {
              title: "Alertes",
              cell: (w) =>
                w.alerts.map((a) => (
                  <Badge key={a.kind} tone={a.kind === "over-16h" ? "red" : "amber"}>
                    {a.label}
                  </Badge>
                )),
            },
          ]}
        />
      </Card>
      {manage && dph ? (
        <Card title={`Activité DPH du mois (${monthLabel(month)})`}>
          <dl className="figures">
            <div>
              <dt>Heures travaillées</dt>
              <dd>{formatMinutes(dph.minutes)}</dd>
            </div>
            <div>
              <dt>Personnes</dt>
              <dd>{dph.people}</dd>
            </div>
            <div>
              <dt>Partenaires</dt>
              <dd>{dph.partners}</dd>
            </div>
          </dl>
          {dph.byPartner.length > 0 ? (
            <Table
              rows={dph.byPartner}
              rowKey={(p) => p.name}
              columns={[
                { title: "Partenaire", cell: (p) => p.name },
                { title: "Heures", cell: (p) => formatMinutes(p.minutes) },
                { title: "Personnes", cell: (p) => p.people },
              ]}
            />
          ) : (
            <p className="muted">Aucune heure enregistrée ce mois-ci.</p>
          )}
          <div className="row actions-row">
            <a className="button secondary" href={`/people/export.csv?what=payroll&month=${month}`}>
              Heures pour la paie (CSV)
            </a>
            <a className="button secondary" href={`/people/export.csv?what=dph&month=${month}`}>
              Rapport DPH (CSV)
            </a>
            <Link to={`/people?month=${previousMonth}`}>← Mois précédent</Link>
            {nextMonth ? <Link to={`/people?month=${nextMonth}`}>Mois suivant →</Link> : null}
          </div>
        </Card>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
