import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listSupervisors, listWorkers } from "~/data/people.server.ts";
import { formatDate, formatMinutes } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Équipes · La Conciergerie Solidaire" }];

const DAY_MS = 24 * 60 * 60 * 1000;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "people.view");
  const today = new Date();
  const [workers, supervisors] = await Promise.all([listWorkers(today), listSupervisors()]);
  return json({
    supervisors,
    workers: workers.map((w) => ({ ...w, endsSoon: w.contractEnd.getTime() - today.getTime() < 30 * DAY_MS })),
  });
}

export default function People() {
  const { workers, supervisors } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader title="Équipes" description={`${supervisors.length} encadrants techniques et ${workers.length} salariés en insertion sous contrat.`} />
      <Card title="Encadrants techniques">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Compétences</th>
              <th scope="col">Équipe max.</th>
            </tr>
          </thead>
          <tbody>
            {supervisors.map((s) => (
              <tr key={s.id}>
                <td data-label="Nom">
                  {s.firstName} {s.lastName}
                </td>
                <td data-label="Compétences">{s.skills.join(", ")}</td>
                <td data-label="Équipe max.">{s.maxTeamSize} personnes</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="Salariés en insertion (DPH)">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Prénom</th>
              <th scope="col">Compétences</th>
              <th scope="col">Objectif hebdo.</th>
              <th scope="col">Contrat</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.id}>
                <td data-label="Prénom">
                  {w.firstName} {w.lastInitial}.
                </td>
                <td data-label="Compétences">{w.skills.join(", ")}</td>
                <td data-label="Objectif hebdo.">{formatMinutes(w.weeklyTargetMinutes)}</td>
                <td data-label="Contrat">
                  jusqu'au {formatDate(w.contractEnd)} {w.endsSoon ? <Badge tone="amber">se termine bientôt</Badge> : null}
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
