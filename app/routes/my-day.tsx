import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Badge, Card, EmptyState, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { regenerateCalendarToken } from "~/data/calendar.server.ts";
import { myInterventions, myNoticePeriod, supervisorOfUser } from "~/data/my-day.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { STATUS_LABELS } from "~/domain/requests/status.ts";
import { env } from "~/utils/env.server.ts";
import { formatDate, formatTime } from "~/utils/format.ts";
import { toParisDate } from "~/utils/paris-time.ts";
import { parseForm } from "~/utils/validation.ts";

// The encadrant's day, on a phone: today's and tomorrow's interventions.
export const meta: MetaFunction = () => [{ title: "Ma journée · La Conciergerie Solidaire" }];

async function mySupervisor(request: Request) {
  const user = await requireCapability(request, "myday");
  const supervisor = await supervisorOfUser(user.userId);
  if (!supervisor) return notFound(request, user, { type: "Supervisor", id: user.userId });
  return { user, supervisor };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { supervisor } = await mySupervisor(request);
  const [day, rules] = await Promise.all([myInterventions(supervisor.id), getServiceRules()]);
  const notice = await myNoticePeriod(supervisor.id, rules.scheduleChangeNoticeDays);
  return json({
    noticeDays: rules.scheduleChangeNoticeDays,
    notice: notice.map((i) => ({ id: i.id, startsAt: i.startsAt, endsAt: i.endsAt, site: i.site.name, prestation: i.serviceRequest.prestation.name, people: i._count.assignments })),
    name: supervisor.firstName,
    hasCalendar: supervisor.calendarTokenHash !== null,
    today: day.today,
    tomorrow: day.tomorrow,
    interventions: day.interventions.map((i) => ({
      id: i.id,
      day: toParisDate(i.startsAt),
      startsAt: i.startsAt,
      endsAt: i.endsAt,
      status: i.status,
      site: i.site,
      prestation: i.serviceRequest.prestation.name,
      partner: i.serviceRequest.organisation.name,
      team: i.assignments.map((a) => `${a.participant.firstName} ${a.participant.lastInitial}.`),
      recorded: i.timeEntries.length,
    })),
  });
}

const schema = z.object({ intent: z.literal("calendar", { error: "Action inconnue." }) });

export async function action({ request }: ActionFunctionArgs) {
  const { user, supervisor } = await mySupervisor(request);
  const parsed = parseForm(await readForm(request), schema);
  if (!parsed.ok) return json({ calendarUrl: null, errors: parsed.errors }, { status: 400 });
  const token = await regenerateCalendarToken(actorOf(user), supervisor.id);
  return json({ calendarUrl: `${env().APP_URL}/calendar/encadrant/${token}.ics`, errors: {} as Record<string, string> });
}

export default function MyDay() {
  const { name, hasCalendar, today, tomorrow, interventions, notice, noticeDays } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const days = [
    { day: today, title: `Aujourd'hui, ${formatDate(`${today}T12:00:00Z`)}` },
    { day: tomorrow, title: `Demain, ${formatDate(`${tomorrow}T12:00:00Z`)}` },
  ];
  return (
    <div className="stack my-day">
      <PageHeader title="Ma journée" description={`Bonjour ${name}. Vos interventions d'aujourd'hui et de demain.`} />
      {days.map(({ day, title }) => {
        const items = interventions.filter((i) => i.day === day);
        return (
          <Card key={day} title={title}>
            {items.length === 0 ? (
              <EmptyState>Pas d'intervention prévue.</EmptyState>
            ) : (
              <ul className="day-list">
                {items.map((i) => (
                  <li key={i.id} className="day-item">
                    <Link to={`/my-day/${i.id}`} className="day-link">
                      {formatTime(i.startsAt)}–{formatTime(i.endsAt)} · {i.site.name}
                    </Link>
                    <span>
                      {i.prestation} <Badge tone={i.status === "DONE" ? "green" : i.status === "IN_PROGRESS" ? "blue" : undefined}>{STATUS_LABELS[i.status]}</Badge>
                    </span>
                    <span className="muted">
                      {i.site.address}, {i.site.postalCode} {i.site.city}
                    </span>
                    <span>Équipe : {i.team.length ? i.team.join(", ") : "personne"}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        );
      })}
      {notice.length > 0 ? (
        <Card title={`Les ${noticeDays} prochains jours`}>
          <p className="muted">Plannings confirmés : une personne ne change d'intervention que si elle est d'accord. Ouvrez l'intervention pour enregistrer son accord.</p>
          <ul className="day-list">
            {notice.map((i) => (
              <li key={i.id} className="day-item">
                <Link to={`/my-day/${i.id}`} className="day-link">
                  {formatDate(i.startsAt)}, {formatTime(i.startsAt)}–{formatTime(i.endsAt)} · {i.site}
                </Link>
                <span>
                  {i.prestation} · {i.people} personne{i.people > 1 ? "s" : ""}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <Card title="Mon planning dans mon agenda">
        <p>Un lien secret (format ICS) pour voir vos interventions dans l'agenda de votre téléphone. Le lien n'affiche que la taille des équipes, pas les prénoms.</p>
        {data?.calendarUrl ? (
          <Alert kind="success">
            Nouveau lien, à copier maintenant (il ne sera plus affiché) : <code className="prewrap">{data.calendarUrl}</code>
          </Alert>
        ) : hasCalendar ? (
          <p className="muted">Un lien est actif. En générer un nouveau désactive l'ancien.</p>
        ) : null}
        {data?.errors.form ? <Alert kind="error">{data.errors.form}</Alert> : null}
        <AppForm>
          <input type="hidden" name="intent" value="calendar" />
          <SubmitButton variant="secondary">{hasCalendar ? "Générer un nouveau lien" : "Créer mon lien d'agenda"}</SubmitButton>
        </AppForm>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
