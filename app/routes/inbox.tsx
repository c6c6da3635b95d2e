import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { coordinationInbox } from "~/data/inbox.server.ts";
import { formatDateTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "À traiter · La Conciergerie Solidaire" }];

// Coordination's one inbox: partners' messages waiting for an answer and contested hours not settled yet.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.decide");
  return json(await coordinationInbox(actorOf(user)));
}

const count = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

export default function Inbox() {
  const { messages, moreMessages, disputes, disputeCount, settlesDisputes } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title="À traiter"
        description={`${count(messages.length, "message attend", "messages attendent")} une réponse${moreMessages ? " (et d'autres, plus récents)" : ""} · ${count(disputeCount, "contestation ouverte", "contestations ouvertes")}. Chacun quitte cette page une fois répondu ou réglé.`}
      />
      <Card title={`Messages sans réponse (${messages.length}${moreMessages ? "+" : ""})`}>
        {messages.length === 0 ? (
          <EmptyState>Aucun message n'attend de réponse.</EmptyState>
        ) : (
          <ul className="inbox">
            {messages.map((m) => (
              <li key={m.requestId} className="inbox-item">
                <p className="inbox-head">
                  <Link to={m.href}>{`${m.reference} · ${m.partner}`}</Link>
                  {m.unanswered > 1 ? <Badge tone="amber">{`${m.unanswered} messages`}</Badge> : null}
                </p>
                <p className="muted inbox-meta">{`${m.author}, le ${formatDateTime(m.lastAt)}`}</p>
                <p className="inbox-excerpt prewrap">{m.excerpt}</p>
                <p className="inbox-action">
                  <Link to={m.href} aria-label={`Répondre sur la demande ${m.reference}`}>
                    Répondre sur la demande
                  </Link>
                </p>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={`Heures contestées (${disputeCount})`}>
        {disputes.length === 0 ? (
          <EmptyState>Aucune contestation ouverte.</EmptyState>
        ) : (
          <>
            {settlesDisputes ? null : <p className="muted">L'équipe finance règle les contestations ; vous suivez ici celles qui attendent et lisez les heures relevées.</p>}
            <ul className="inbox">
              {disputes.map((d) => (
                <li key={d.id} className="inbox-item">
                  <p className="inbox-head">
                    <Link to={d.href}>{`${d.reference} · ${d.partner}`}</Link>
                    <Badge tone="red">Contestée</Badge>
                  </p>
                  <p className="muted inbox-meta">{`Intervention du ${formatDateTime(d.startsAt)} à ${d.site} · contestée le ${formatDateTime(d.openedAt)}`}</p>
                  <p className="inbox-excerpt prewrap">{d.reason}</p>
                  <p className="inbox-action">
                    <Link to={d.href}>{settlesDisputes ? "Régler la contestation" : "Voir les heures et la contestation"}</Link>
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
