import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { Table } from "~/components/Table.tsx";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui.tsx";
import { ErrorPage } from "~/components/ErrorPage.tsx";
import { listRequests, listSitesForFilter } from "~/data/requests.server.ts";
import { can } from "~/domain/access/roles.ts";
import { INTERVENTION_STATUSES, RECURRENCE_LABELS, STATUS_LABELS, STATUS_TONES } from "~/domain/requests/status.ts";
import { formatDate, formatShortDate } from "~/utils/format.ts";
import { isDayWithin, isRecordId } from "~/utils/validation.ts";

export const meta: MetaFunction = () => [{ title: "Demandes · La Conciergerie Solidaire" }];

const searchDay = z
  .string()
  .refine((s) => isDayWithin(s, "search"))
  .transform((s) => new Date(`${s}T00:00:00Z`));

// Bad filter values are ignored rather than refused: a hand-edited URL still shows the list.
const filtersSchema = z.object({
  status: z.enum(INTERVENTION_STATUSES).optional().catch(undefined),
  site: z.string().max(40).optional().catch(undefined),
  from: searchDay.optional().catch(undefined),
  to: searchDay.optional().catch(undefined),
  // A reference, or part of one ("D2026-0042", "00042"), whatever the case.
  q: z.string().trim().max(40).optional().catch(undefined),
  after: z.string().max(80).optional().catch(undefined),
  before: z.string().max(80).optional().catch(undefined),
});

function decodeCursor(value: string | undefined, direction: "after" | "before") {
  if (!value) return undefined;
  const [time = "", id] = value.split("_");
  // A cursor the app wrote: the milliseconds of a date PostgreSQL can store, and a record id.
  if (!/^\d{1,13}$/.test(time) || !isRecordId(id)) return undefined;
  const createdAt = new Date(Number(time));
  return isDayWithin(createdAt.toISOString().slice(0, 10), "search") ? { createdAt, id, direction } : undefined;
}

const encodeCursor = (c: { createdAt: Date; id: string }) => `${c.createdAt.getTime()}_${c.id}`;

/** The list's address with the filters kept and the page moved to one side of a cursor. */
function pageHref(params: URLSearchParams, direction: "after" | "before", cursor: { createdAt: Date; id: string } | null) {
  if (!cursor) return null;
  const next = new URLSearchParams(params);
  next.delete("after");
  next.delete("before");
  next.set(direction, encodeCursor(cursor));
  return `?${next}`;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.view", context);
  const actor = actorOf(user);
  const url = new URL(request.url);
  const filters = filtersSchema.parse(Object.fromEntries(url.searchParams));
  const cursor = decodeCursor(filters.after, "after") ?? decodeCursor(filters.before, "before");
  const [page, sites] = await Promise.all([
    listRequests(actor, { status: filters.status, siteId: filters.site, from: filters.from, to: filters.to, reference: filters.q || undefined }, cursor),
    listSitesForFilter(actor),
  ]);
  const firstPage = new URLSearchParams(url.searchParams);
  firstPage.delete("after");
  firstPage.delete("before");
  return json({
    serviceRequests: page.serviceRequests,
    sites,
    allPartners: can(user.role, "requests.viewAll"),
    canOrder: can(user.role, "requests.order"),
    filters: { status: filters.status ?? "", site: filters.site ?? "", from: url.searchParams.get("from") ?? "", to: url.searchParams.get("to") ?? "", q: filters.q ?? "" },
    nextHref: pageHref(url.searchParams, "after", page.nextCursor),
    previousHref: pageHref(url.searchParams, "before", page.prevCursor),
    // The first page with the same filters: a previous page that reaches the newest request has no cursor left.
    firstHref: `?${firstPage}`,
    // Read back up to the newest request: that is the first page.
    isFirstPage: !cursor || (cursor.direction === "before" && !page.prevCursor),
    filtered: Boolean(filters.status || filters.site || filters.from || filters.to || filters.q),
  });
}

export default function Requests() {
  const { serviceRequests, sites, allPartners, canOrder, filters, nextHref, previousHref, firstHref, isFirstPage, filtered } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <PageHeader
        title={allPartners ? "Demandes des partenaires" : "Mes demandes"}
        description={allPartners ? "Toutes les demandes de prestation, des plus récentes aux plus anciennes." : "Vos demandes de prestation et leurs interventions."}
        actions={
          canOrder ? (
            <Link className="button" to="/requests/new">
              Commander une prestation
            </Link>
          ) : null
        }
      />
      <Form method="get" className="filters" aria-label="Filtrer les demandes">
        <div className="field">
          <label htmlFor="filter-q">Référence</label>
          <input id="filter-q" type="search" name="q" defaultValue={filters.q} maxLength={40} placeholder="DEM-2026-00042" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="filter-status">Statut</label>
          <select id="filter-status" name="status" defaultValue={filters.status}>
            <option value="">Tous</option>
            {INTERVENTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-site">Site</label>
          <select id="filter-site" name="site" defaultValue={filters.site}>
            <option value="">Tous</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {allPartners ? `${s.organisation.name} — ${s.name}` : s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-from">Du</label>
          <input id="filter-from" type="date" name="from" defaultValue={filters.from} />
        </div>
        <div className="field">
          <label htmlFor="filter-to">Au</label>
          <input id="filter-to" type="date" name="to" defaultValue={filters.to} />
        </div>
        <button type="submit" className="button secondary">
          Filtrer
        </button>
      </Form>
      <Card>
        {serviceRequests.length === 0 ? (
          filtered ? (
            <EmptyState>
              Aucune demande ne correspond à ces critères. <Link to="/requests">Voir toutes les demandes</Link>
            </EmptyState>
          ) : (
            <EmptyState>
              {canOrder ? (
                <>
                  Vous n'avez pas encore de demande. <Link to="/catalogue">Parcourez le catalogue</Link> pour commander une prestation.
                </>
              ) : (
                "Aucune demande pour l'instant."
              )}
            </EmptyState>
          )
        ) : (
          <Table
            rows={serviceRequests}
            rowKey={(r) => r.id}
            columns={[
              { title: "Référence", className: "nowrap", cell: (r) => <Link to={`/requests/${r.id}`}>{r.reference}</Link> },
              allPartners && { title: "Partenaire", cell: (r) => r.organisation.name },
              { title: "Prestation", cell: (r) => r.prestation.name },
              { title: "Site", cell: (r) => r.site.name },
              {
                title: "Dates",
                cell: (r) => (
                  <>
                    {r.firstDate ? formatShortDate(r.firstDate) : "—"}
                    {r.dates > 1 ? ` · ${r.dates} dates (${RECURRENCE_LABELS[r.recurrence].toLowerCase()})` : ""}
                  </>
                ),
              },
              { title: "Statut", cell: (r) => <Badge tone={STATUS_TONES[r.status]}>{STATUS_LABELS[r.status]}</Badge> },
            ]}
          />
        )}
        <nav className="pagination" aria-label="Pages">
          {!isFirstPage ? (
            <Link className="button secondary small" to={firstHref}>
              Revenir au début
            </Link>
          ) : null}
          {!isFirstPage ? (
            <Link className="button secondary small" to={previousHref ?? firstHref} rel="prev">
              Page précédente
            </Link>
          ) : null}
          {nextHref ? (
            <Link className="button secondary small" to={nextHref} rel="next">
              Page suivante
            </Link>
          ) : null}
        </nav>
      </Card>
      <p className="muted">Liste arrêtée au {formatDate(new Date())}.</p>
    </div>
  );
}

export const ErrorBoundary = ErrorPage;
