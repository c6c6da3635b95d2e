import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireCapability } from "~/auth/auth.server.ts";
import { Table } from "~/components/Table.tsx";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listAuditLog } from "~/data/audit.server.ts";
import { auditFilterFrom } from "~/domain/backoffice/audit-filters.ts";
import { AUDIT_ACTION_LABELS, auditActionLabel, auditEntityLabel } from "~/domain/backoffice/audit-labels.ts";
import { formatDateTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Journal d'audit · La Conciergerie Solidaire" }];

// The filter lists the actions by their French name, in alphabetical order.
const ACTION_OPTIONS = Object.entries(AUDIT_ACTION_LABELS).sort(([, a], [, b]) => a.localeCompare(b, "fr"));

/** The reason a person gave for an action (a void, a forced team…), when the entry keeps one. */
function reasonOf(details: unknown): string | null {
  const reason = details && typeof details === "object" ? (details as Record<string, unknown>).reason : null;
  return typeof reason === "string" && reason.trim() ? reason : null;
}

// Read-only by design: the log is append-only (a database trigger refuses
// UPDATE and DELETE) and no screen offers to change it.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireCapability(request, "audit.view");
  const url = new URL(request.url);
  const { form, filter } = auditFilterFrom(url.searchParams);
  const page = await listAuditLog(filter);
  const next = page.nextCursor ? new URLSearchParams(url.searchParams) : null;
  next?.set("before", page.nextCursor!);
  const exportParams = new URLSearchParams(url.searchParams);
  exportParams.delete("before");
  return json({ ...page, nextHref: next ? `?${next}` : null, filters: form, exportHref: `/admin/audit.csv?${exportParams}` });
}

export default function AuditLog() {
  const { rows, nextHref, filters, exportHref } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title="Journal d'audit"
        description="Qui a fait quoi, quand. Le journal ne peut être ni modifié ni effacé. Les personnes en insertion n'y figurent que par un identifiant."
        actions={
          <a className="button secondary small" href={exportHref} download>
            Exporter en CSV
          </a>
        }
      />
      <Form method="get" className="filters" aria-label="Filtrer le journal">
        <div className="field">
          <label htmlFor="audit-person">Personne (e-mail)</label>
          <input id="audit-person" name="person" defaultValue={filters.person} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filters.action}>
            <option value="">Toutes les actions</option>
            {ACTION_OPTIONS.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
            {/* A family of actions asked by address (?action=planning.) stays selected. */}
            {filters.action && !Object.hasOwn(AUDIT_ACTION_LABELS, filters.action) ? <option value={filters.action}>Actions choisies par l'adresse</option> : null}
          </select>
        </div>
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
        <Link to="/admin/audit" className="button secondary">
          Effacer les filtres
        </Link>
      </Form>
      <Card>
        {rows.length === 0 ? (
          <EmptyState>Aucune entrée.</EmptyState>
        ) : (
          <Table
            rows={rows}
            rowKey={(r) => r.id}
            columns={[
              { title: "Quand", cell: (r) => formatDateTime(r.at) },
              { title: "Qui", className: "break", cell: (r) => r.actorEmail ?? "—" },
              {
                title: "Action",
                cell: (r) => (
                  <>
                    <Link to={`?action=${encodeURIComponent(r.action)}`} title="Ne montrer que cette action">
                      {auditActionLabel(r.action)}
                    </Link>
                    {reasonOf(r.details) ? <div className="small">{`Motif : ${reasonOf(r.details)}`}</div> : null}
                  </>
                ),
              },
              {
                title: "Enregistrement",
                className: "break",
                cell: (r) =>
                  r.entityType ? (
                    <Link to={`?entity=${encodeURIComponent(r.entityId ?? "")}`} aria-label={`Filtrer sur ${auditEntityLabel(r.entityType)} ${r.entityId ?? ""}`}>
                      {auditEntityLabel(r.entityType)} {r.entityId ?? ""}
                    </Link>
                  ) : (
                    "—"
                  ),
              },
              { title: "Résultat", cell: (r) => <Badge tone={r.outcome === "ok" ? "green" : "red"}>{r.outcome === "ok" ? "Effectué" : "Refusé"}</Badge> },
            ]}
          />
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
