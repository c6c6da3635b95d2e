import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireUser } from "~/auth/auth.server.ts";
import { readForm } from "~/auth/csrf.server.ts";
import { Alert, AppForm, Card, PageHeader, SubmitButton } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { createCalendarFeed, hasCalendarFeed, revokeCalendarFeed } from "~/data/calendar.server.ts";
import { getNotificationPreferences, setMutedNotifications } from "~/data/notifications.server.ts";
import { can, isPartnerRole } from "~/domain/access/roles.ts";
import { NOTIFICATION_KINDS, NOTIFICATION_LABELS, notificationKindsFor } from "~/domain/notifications/notifications.ts";
import { env } from "~/utils/env.server.ts";

export const meta: MetaFunction = () => [{ title: "Mon compte · La Conciergerie Solidaire" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const partner = isPartnerRole(user.role);
  return json({
    name: user.name,
    email: user.email,
    partner,
    kinds: notificationKindsFor(user.role),
    muted: notificationKindsFor(user.role).length ? await getNotificationPreferences(user.userId) : [],
    canManageCalendar: partner && can(user.role, "team.manage"),
    hasCalendar: partner ? await hasCalendarFeed(actorOf(user)) : false,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("notifications"), wanted: z.array(z.enum(NOTIFICATION_KINDS)).default([]) }),
  z.object({ intent: z.literal("calendar-create") }),
  z.object({ intent: z.literal("calendar-revoke") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const parsed = schema.safeParse({ intent: form.get("intent"), wanted: form.getAll("wanted") });
  const kinds = notificationKindsFor(user.role);
  if (!parsed.success || (parsed.data.intent === "notifications" ? kinds.length === 0 : !isPartnerRole(user.role))) {
    return json({ message: "Ce choix n'est pas valide.", ok: false, calendarUrl: null }, { status: 400 });
  }
  const actor = actorOf(user);
  if (parsed.data.intent === "notifications") {
    const wanted = new Set(parsed.data.wanted);
    await setMutedNotifications(
      user.userId,
      kinds.filter((k) => !wanted.has(k)),
    );
    return json({ message: "Vos préférences sont enregistrées.", ok: true, calendarUrl: null });
  }
  if (!can(user.role, "team.manage")) return json({ message: "Seul l'administrateur de votre organisation gère le calendrier.", ok: false, calendarUrl: null }, { status: 403 });
  if (parsed.data.intent === "calendar-revoke") {
    await revokeCalendarFeed(actor);
    return json({ message: "Le lien du calendrier est révoqué : les abonnements existants ne se mettent plus à jour.", ok: true, calendarUrl: null });
  }
  const token = await createCalendarFeed(actor);
  return json({ message: "Nouveau lien créé. Copiez-le maintenant : il ne sera plus affiché.", ok: true, calendarUrl: `${env().APP_URL}/calendar/${token}.ics` });
}

export default function Account() {
  const { name, email, kinds, muted, canManageCalendar, hasCalendar } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <div className="stack">
      <PageHeader title="Mon compte" description={`${name} · ${email}`} />
      {data?.message ? <Alert kind={data.ok ? "success" : "error"}>{data.message}</Alert> : null}
      {kinds.length ? (
        <Card title="E-mails que je reçois">
          <AppForm className="form">
            <input type="hidden" name="intent" value="notifications" />
            <fieldset className="checkboxes">
              <legend className="muted">Cochez les messages que vous voulez recevoir.</legend>
              {kinds.map((kind) => (
                <label key={kind} className="checkbox">
                  <input type="checkbox" name="wanted" value={kind} defaultChecked={!muted.includes(kind)} /> {NOTIFICATION_LABELS[kind]}
                </label>
              ))}
            </fieldset>
            <SubmitButton>Enregistrer mes préférences</SubmitButton>
          </AppForm>
        </Card>
      ) : (
        <Card title="E-mails">
          <p className="muted">Les notifications par e-mail concernent les partenaires et la coordination.</p>
        </Card>
      )}
      {canManageCalendar ? (
        <Card title="Calendrier des interventions">
          <p>
            Abonnez votre agenda (Outlook, Google Agenda, Apple Calendrier) aux interventions planifiées de votre organisation, grâce à un lien secret. Toute personne qui a le lien voit le calendrier
            : révoquez-le s'il a circulé.
          </p>
          {data?.calendarUrl ? (
            <p>
              <code className="secret">{data.calendarUrl}</code>
            </p>
          ) : null}
          <div className="row">
            <AppForm>
              <input type="hidden" name="intent" value="calendar-create" />
              <SubmitButton variant="secondary">{hasCalendar ? "Remplacer le lien" : "Créer le lien"}</SubmitButton>
            </AppForm>
            {hasCalendar ? (
              <AppForm>
                <input type="hidden" name="intent" value="calendar-revoke" />
                <SubmitButton variant="danger">Révoquer le lien</SubmitButton>
              </AppForm>
            ) : null}
          </div>
        </Card>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
