import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listCatalogue } from "~/data/catalogue.server.ts";
import { can } from "~/domain/access/roles.ts";
import { formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Catalogue · La Conciergerie Solidaire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "catalogue.view");
  // Partners see their price in force (negotiated when they have one); staff see list prices.
  return json({ prestations: await listCatalogue(actorOf(user)), canOrder: can(user.role, "requests.order") });
}

export default function Catalogue() {
  const { prestations, canOrder } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader title="Catalogue des prestations" description="Chaque prestation est réalisée par une équipe de salariés en insertion, encadrée par un encadrant technique." />
      <div className="grid wide">
        {prestations.map((p) => (
          <Card key={p.id} title={p.name}>
            <p>
              <Badge tone="green">{p.category}</Badge>
            </p>
            <p>{p.description}</p>
            <dl className="details">
              <dt>Prix</dt>
              <dd>
                {formatEuros(p.priceCents)} HT {p.pricingUnit === "FLAT" ? "par intervention" : "par heure et par personne"}
                {p.negotiated ? (
                  <>
                    {" "}
                    <Badge tone="blue">Votre tarif</Badge>
                  </>
                ) : null}
              </dd>
              <dt>TVA</dt>
              <dd>{formatVatRate(p.vatRateBasisPoints)}</dd>
              <dt>Délai</dt>
              <dd>
                {p.minNoticeDays} jour{p.minNoticeDays > 1 ? "s" : ""} à l'avance au moins
              </dd>
              <dt>Équipe type</dt>
              <dd>
                {p.defaultTeamSize} personne{p.defaultTeamSize > 1 ? "s" : ""}, {formatMinutes(p.defaultDurationMinutes)}
              </dd>
              <dt>Insertion</dt>
              <dd>{formatMinutes(p.defaultTeamSize * p.defaultDurationMinutes)} de travail en insertion</dd>
            </dl>
            {canOrder ? (
              <p className="card-action">
                <Link className="button" to={`/requests/new?prestation=${p.id}`} aria-label={`Commander : ${p.name}`}>
                  Commander
                </Link>
              </p>
            ) : null}
          </Card>
        ))}
      </div>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
