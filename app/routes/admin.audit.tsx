import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireCapability } from "~/auth/auth.server.ts";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listAuditLog } from "~/data/audit.server.ts";
import { formatDateTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Journal d'audit · La Conciergerie Solidaire" }];

const filtersSchema = z.object({
  entity: z.string().max(60).optional().catch(undefined),
  from: z.coerce.date().optional().catch(undefined),
  to: z.coerce.date().optional().catch(undefined),
  before: z.string().regex(/^\d{1,19}$/).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "audit.view");
  const url = new URL(request.url);
  const f = filtersSchema.parse(Object.fromEntries(url.searchParams));
  const page = await listAuditLog({ entityId: f.entity || undefined, from: f.from, to: f.to, cursor: f.before ? BigInt(f.before) : undefined });
  const next = page.nextCursor ? new URLSearchParams(url.searchParams) : null;
  next?.set("before", page.nextCursor!);
  return json({ ...page, nextHref: next ? `?${next}` : null, filters: { entity: f.entity ?? "", from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "" } });
}

export default function AuditLog() {
  const { rows, nextHref, filters } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader title="Journal d'audit" description="Qui a fait quoi, quand. Le journal ne peut être ni modifié ni effacé." />
      <Form method="get" className="filters" aria-label="Filtrer le journal">
        <div className="field">
          <label htmlFor="audit-entity">Identifiant d'enregistrement</label>
          <input id="audit-entity" name="entity" defaultValue={filters.entity} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">Du</label>
          <input id="audit-from" type="date" name="from" defaultValue={filters.from} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">Au</label>
          <input id="audit-to" type="date" name="to" defaultValue={filters.to} />
        </div>
        <button type="submit" className="button secondary">
          Filtrer
        </button>
      </Form>
      <Card>
        {rows.length === 0 ? (
          <EmptyState>Aucune entrée.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Quand</th>
                <th scope="col">Qui</th>
                <th scope="col">Action</th>
                <th scope="col">Enregistrement</th>
                <th scope="col">Résultat</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td data-label="Quand">{formatDateTime(r.at)}</td>
                  <td data-label="Qui">{r.actorEmail ?? "—"}</td>
                  <td data-label="Action">{r.action}</td>
                  <td data-label="Enregistrement">{r.entityType ? `${r.entityType} ${r.entityId ?? ""}` : "—"}</td>
                  <td data-label="Résultat">
                    <Badge tone={r.outcome === "ok" ? "green" : "red"}>{r.outcome === "ok" ? "Effectué" : "Refusé"}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextHref ? (
          <nav className="pagination" aria-label="Pages">
            <Link className="button secondary small" to={nextHref}>
              Entrées plus anciennes
            </Link>
          </nav>
        ) : null}
      </Card>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
