import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { getRequest } from "~/data/requests.server.ts";
import { RECURRENCE_LABELS, STATUS_LABELS, STATUS_TONES } from "~/domain/requests/status.ts";
import { formatDate, formatDateTime, formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.request.reference ?? "Demande"} · La Conciergerie Solidaire` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const id = params.id ?? "";
  const found = id.length <= 40 ? await getRequest(actorOf(user), id) : null;
  if (!found) return notFound(request, user, { type: "ServiceRequest", id: id.slice(0, 40) });
  return json({ request: found });
}

export default function RequestDetail() {
  const { request: r } = useLoaderData<typeof loader>();
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
          <dt>Équipe</dt>
          <dd>{r.teamSize} personnes en insertion et un encadrant technique</dd>
          <dt>Prix</dt>
          <dd>
            {formatEuros(r.unitPriceCents)} HT {r.prestation.pricingUnit === "FLAT" ? "par intervention" : "par heure et par personne"}, TVA{" "}
            {formatVatRate(r.vatRateBasisPoints)}
          </dd>
          {r.purchaseOrderNumber ? (
            <>
              <dt>Bon de commande</dt>
              <dd>{r.purchaseOrderNumber}</dd>
            </>
          ) : null}
          {r.accessInstructions ? (
            <>
              <dt>Accès</dt>
              <dd>{r.accessInstructions}</dd>
            </>
          ) : null}
          {r.notes ? (
            <>
              <dt>Remarques</dt>
              <dd>{r.notes}</dd>
            </>
          ) : null}
          {r.declineReason ? (
            <>
              <dt>Motif du refus</dt>
              <dd>{r.declineReason}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title="Interventions">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Durée</th>
              <th scope="col">Équipe</th>
              <th scope="col">Statut</th>
            </tr>
          </thead>
          <tbody>
            {r.interventions.map((i) => (
              <tr key={i.id}>
                <td data-label="Date">{formatDateTime(i.startsAt)}</td>
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
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
