// The SQL of the reads every portal page makes, as text and bound values.
// The data layer runs it (sessions.server.ts, requests.server.ts), and so does
// the bare baseline of tests/bench/portal.ts: both run the very same queries.
// No Prisma here; values are always bound ($1...), never spliced into the text.
import { requestStatusCondition, type InterventionStatus } from "~/domain/requests/status.ts";

export type SqlQuery = { text: string; values: unknown[] };

/** The session with its user, membership and organisation: one row, or none. */
export function sessionQuery(idHash: string): SqlQuery {
  return {
    text: `SELECT s."expiresAt", s."lastSeenAt", u.id AS "userId", u.email, u.name, u."deactivatedAt",
        m.role::text AS role, o.id AS "organisationId", o.name AS "organisationName", o.kind::text AS "organisationKind",
        o."archivedAt" AS "organisationArchivedAt"
      FROM "Session" s JOIN "User" u ON u.id = s."userId"
      LEFT JOIN "Membership" m ON m."userId" = u.id LEFT JOIN "Organisation" o ON o.id = m."organisationId"
      WHERE s.id = $1`,
    values: [idHash],
  };
}

export type RequestListFilters = { status?: string; siteId?: string; from?: Date; to?: Date; reference?: string };

/** A keyset position: the rows after it (older, the next page) or before it (newer, the previous page). */
export type ListCursor = { createdAt: Date; id: string; direction?: "after" | "before" };

/** What a reference search compares: letters and digits only, lower case ("DEM-2026-00042" -> "dem202600042"). */
export const referenceKey = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");

// Timestamps are stored as UTC without time zone: bind them as UTC text, whatever the server's zone.
const utc = (d: Date) => d.toISOString();

/**
 * One page of requests, newest first (keyset pagination on createdAt, id),
 * with what the list shows of their interventions (statuses, first date,
 * count) in the same query. `organisationId` null means every partner (staff).
 */
export function requestListQuery(organisationId: string | null, filters: RequestListFilters, cursor: ListCursor | undefined, limit: number): SqlQuery {
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const where: string[] = [];
  if (organisationId !== null) where.push(`r."organisationId" = ${bind(organisationId)}`);
  if (filters.siteId) where.push(`r."siteId" = ${bind(filters.siteId)}`);
  if (filters.status) {
    // The status the list shows (derived from every intervention), not any one intervention's.
    const { some, none } = requestStatusCondition(filters.status as InterventionStatus);
    where.push(`EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id AND i.status::text = ANY(${bind(some)}::text[]))`);
    if (none.length) where.push(`NOT EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id AND i.status::text = ANY(${bind(none)}::text[]))`);
  }
  if (filters.from || filters.to) {
    const range = [filters.from ? `i."startsAt" >= ${bind(utc(filters.from))}` : "", filters.to ? `i."startsAt" < ${bind(utc(filters.to))}` : ""].filter(Boolean);
    where.push(`EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id AND ${range.join(" AND ")})`);
  }
  if (filters.reference) {
    // Case, dashes and spaces aside, anywhere in the reference: "d2026-0004", "00042", "DEM 2026".
    const key = referenceKey(filters.reference);
    if (key) where.push(`regexp_replace(lower(r.reference), '[^a-z0-9]', '', 'g') LIKE ${bind(`%${key}%`)}`);
  }
  // Newer rows (a previous page) are read upwards from the cursor, then shown newest first like any page.
  const backwards = cursor?.direction === "before";
  if (cursor) {
    const at = bind(utc(cursor.createdAt));
    const op = backwards ? ">" : "<";
    where.push(`(r."createdAt" ${op} ${at} OR (r."createdAt" = ${at} AND r.id ${op} ${bind(cursor.id)}))`);
  }
  const order = backwards ? `r."createdAt" ASC, r.id ASC` : `r."createdAt" DESC, r.id DESC`;
  return {
    // The page is cut first, then joined: the joins touch only its rows.
    text: `SELECT r.id, r.reference, r."createdAt", r.recurrence, r."teamSize",
        o.name AS "organisationName", s.name AS "siteName", p.name AS "prestationName",
        coalesce(i.statuses, '{}') AS statuses, i."firstDate", coalesce(i.dates, 0) AS dates
      FROM (SELECT r.id, r.reference, r."createdAt", r.recurrence::text AS recurrence, r."teamSize", r."organisationId", r."siteId", r."prestationId"
            FROM "ServiceRequest" r ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
            ORDER BY ${order} LIMIT ${bind(limit)}) r
      JOIN "Organisation" o ON o.id = r."organisationId" JOIN "Site" s ON s.id = r."siteId" JOIN "Prestation" p ON p.id = r."prestationId"
      LEFT JOIN LATERAL (SELECT array_agg(i.status::text ORDER BY i."startsAt") AS statuses, min(i."startsAt") AS "firstDate", count(*)::int AS dates
                         FROM "Intervention" i WHERE i."requestId" = r.id) i ON true
      ORDER BY r."createdAt" DESC, r.id DESC`,
    values,
  };
}

/** The sites a list can be filtered on: the organisation's, or every partner's (staff). */
export function filterSitesQuery(organisationId: string | null): SqlQuery {
  return {
    text: `SELECT s.id, s.name, o.name AS "organisationName" FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId"
      ${organisationId !== null ? `WHERE s."organisationId" = $1` : ""} ORDER BY o.name, s.name`,
    values: organisationId !== null ? [organisationId] : [],
  };
}
