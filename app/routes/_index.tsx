import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, requireUser } from "~/auth/auth.server.ts";
import { Table } from "~/components/Table.tsx";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { homeFigures } from "~/data/dashboard.server.ts";
import { inboxCounts } from "~/data/inbox.server.ts";
import { can, isPartnerRole } from "~/domain/access/roles.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { STATUS_LABELS, STATUS_TONES } from "~/domain/requests/status.ts";
import { formatDateTime, formatMinutes } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Accueil · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // An encadrant's home is their day.
  if (user.role === "ENCADRANT") throw redirect("/my-day");
  const actor = actorOf(user);
  const showRequests = can(user.role, "requests.view");
  const [figures, inbox] = await Promise.all([
    showRequests ? homeFigures(actor, new Date()) : null,
    // Coordination's inbox: what waits for an answer.
    can(user.role, "requests.decide") ? inboxCounts(actor) : null,
  ]);
  return json({
    name: user.name,
    organisationName: user.organisationName,
    isPartner: isPartnerRole(user.role),
    canSeePeople: can(user.role, "people.view"),
    hasMyDay: can(user.role, "myday"),
    canOrder: can(user.role, "requests.order"),
    figures,
    inbox,
    // The yearly certificate of the partner's own hours of insertion (PDF).
    certificate: isPartnerRole(user.role) ? { organisationId: user.organisationId, year: Number(monthOf(new Date()).slice(0, 4)) } : null,
  });
}

export default function Home() {
  const { name, organisationName, isPartner, canSeePeople, hasMyDay, canOrder, figures, inbox, certificate } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title={`Bonjour ${name.split(" ")[0]}`}
        description={organisationName}
        actions={
          canOrder ? (
            <Link className="button" to="/requests/new">
              Commander une prestation
            </Link>
          ) : null
        }
      />
      {figures ? (
        <>
          <div className="grid fit">
            {inbox ? (
              <Card title="À traiter">
                <p className="stat">{inbox.messages + inbox.disputes}</p>
                <p>{`${inbox.messages} message${inbox.messages > 1 ? "s" : ""} sans réponse · ${inbox.disputes} contestation${inbox.disputes > 1 ? "s ouvertes" : " ouverte"}`}</p>
                <p>
                  <Link to="/inbox">Ouvrir la liste à traiter</Link>
                </p>
              </Card>
            ) : null}
            <Card title={isPartner ? "Interventions envoyées, pas encore acceptées" : "Interventions à valider"}>
              <p className="stat">{figures.waiting}</p>
              {figures.waiting > 0 ? (
                <p>
                  <Link to="/requests?status=SUBMITTED">{isPartner ? "Voir ces demandes" : "Voir les demandes à valider"}</Link>
                </p>
              ) : null}
            </Card>
            <Card title="Équipe pas encore composée, 7 prochains jours">
              <p className="stat">{figures.unstaffed}</p>
            </Card>
            <Card title="Heures d'insertion réalisées cette année">
              <p className="stat">{formatMinutes(figures.insertionMinutesThisYear)}</p>
              <p className="muted">{isPartner ? "Heures de travail que vos commandes ont données." : "Tous partenaires confondus."}</p>
              {certificate ? (
                <p>
                  Pour votre rapport RSE :{" "}
                  <a href={`/impact/${certificate.organisationId}/${certificate.year}.pdf`} download>
                    attestation {certificate.year} (PDF)
                  </a>
                  {" · "}
                  <a href={`/impact/${certificate.organisationId}/${certificate.year - 1}.pdf`} download>
                    attestation {certificate.year - 1} (PDF)
                  </a>
                </p>
              ) : null}
            </Card>
          </div>
          <Card title="Prochaines interventions">
            {figures.upcoming.length === 0 ? (
              <EmptyState>Aucune intervention à venir.</EmptyState>
            ) : (
              <Table
                rows={figures.upcoming}
                rowKey={(i) => i.id}
                columns={[
                  { title: "Date", cell: (i) => <Link to={`/requests/${i.requestId}`}>{formatDateTime(i.startsAt)}</Link> },
                  { title: "Prestation", cell: (i) => i.serviceRequest.prestation.name },
                  { title: "Site", cell: (i) => i.site.name },
                  {
                    title: "Équipe",
                    cell: (i) => (
                      <>
                        {i.participantsNeeded} pers. · {formatMinutes(i.durationMinutes)}
                      </>
                    ),
                  },
                  { title: "Statut", cell: (i) => <Badge tone={STATUS_TONES[i.status]}>{STATUS_LABELS[i.status]}</Badge> },
                ]}
              />
            )}
          </Card>
        </>
      ) : null}
      {hasMyDay ? (
        <Card title="Ma journée">
          <p>
            <Link to="/my-day">Voir les interventions d'aujourd'hui et de demain</Link>
          </p>
        </Card>
      ) : null}
      {canSeePeople && !figures ? (
        <Card title="Équipes">
          <p>
            <Link to="/people">Voir les salariés en insertion et les encadrants</Link>
          </p>
        </Card>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
