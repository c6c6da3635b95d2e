import type { Prisma } from "~/generated/prisma/client.ts";
import { clockText, parisParts } from "~/domain/calendar/paris.ts";
import type { Recurrence } from "~/domain/requests/order.ts";
import { datesNotYetExpanded, expandedThrough, horizonEnd, occurrencesToExpand, type SeriesSpec } from "~/domain/requests/series.ts";
import type { ServiceRules } from "~/domain/settings/rules.ts";
import { audit } from "./audit.server.ts";
import { db, type Tx } from "./db.server.ts";
import { addToOutbox } from "./outbox.server.ts";
import { getServiceRules } from "./settings.server.ts";

// The rolling horizon of recurring requests: a daily job (workers/index.ts,
// "series-horizon") creates each series' dated interventions up to the
// horizon (a service rule). The unique (request, occurrence date) key makes a
// second run, or two runs at once, create nothing twice.

const day = (d: Date) => d.toISOString().slice(0, 10);
const dateOnly = (date: string) => new Date(`${date}T00:00:00Z`);

type SeriesRow = {
  id: string;
  organisationId: string;
  siteId: string;
  recurrence: Recurrence;
  recurrenceCount: number | null;
  recurrenceUntil: Date | null;
  durationMinutes: number;
  teamSize: number;
  startWindowMinutes: number;
  seriesFirstDate: Date | null;
  seriesStartMinute: number | null;
  seriesExpandedUntil: Date | null;
  seriesEndedAt: Date | null;
  declinedAt: Date | null;
  acceptedAt: Date | null;
};

const SERIES_SELECT = {
  id: true,
  organisationId: true,
  siteId: true,
  recurrence: true,
  recurrenceCount: true,
  recurrenceUntil: true,
  durationMinutes: true,
  teamSize: true,
  startWindowMinutes: true,
  seriesFirstDate: true,
  seriesStartMinute: true,
  seriesExpandedUntil: true,
  seriesEndedAt: true,
  declinedAt: true,
  acceptedAt: true,
} satisfies Prisma.ServiceRequestSelect;

export function seriesSpec(r: Pick<SeriesRow, "recurrence" | "recurrenceCount" | "recurrenceUntil" | "durationMinutes" | "startWindowMinutes" | "seriesFirstDate" | "seriesStartMinute">): SeriesSpec | null {
  if (r.recurrence === "NONE" || !r.seriesFirstDate || r.seriesStartMinute === null) return null;
  return {
    firstDate: day(r.seriesFirstDate),
    startMinute: r.seriesStartMinute,
    recurrence: r.recurrence,
    count: r.recurrenceCount,
    until: r.recurrenceUntil ? day(r.recurrenceUntil) : null,
    durationMinutes: r.durationMinutes,
    windowMinutes: r.startWindowMinutes,
  };
}

/**
 * Expands one series up to `through`, in the caller's transaction, under a
 * row lock on the request (a series stopped meanwhile is left alone).
 * Returns how many interventions it created.
 */
export async function expandSeriesTx(tx: Tx, requestId: string, through: string, rules: ServiceRules, now: Date): Promise<number> {
  await tx.$executeRaw`SELECT 1 FROM "ServiceRequest" WHERE id = ${requestId} FOR UPDATE`;
  const r: SeriesRow | null = await tx.serviceRequest.findUnique({ where: { id: requestId }, select: SERIES_SELECT });
  const spec = r ? seriesSpec(r) : null;
  if (!r || !spec || r.declinedAt || r.seriesEndedAt) return 0;
  const after = r.seriesExpandedUntil ? day(r.seriesExpandedUntil) : null;
  const reached = expandedThrough(spec, through);
  if (after !== null && after >= reached) return 0;
  const occurrences = occurrencesToExpand(spec, rules, { after, through: reached, now });
  // An accepted request's new dates go to scheduling as accepted ones do; otherwise they wait for the quote.
  const status = r.acceptedAt ? ("ACCEPTED" as const) : ("SUBMITTED" as const);
  const { count } = await tx.intervention.createMany({
    data: occurrences.map((o) => ({
      requestId: r.id,
      organisationId: r.organisationId,
      siteId: r.siteId,
      occurrenceDate: dateOnly(o.date),
      startsAt: o.startsAt,
      endsAt: o.endsAt,
      latestStartAt: o.latestStartAt,
      durationMinutes: r.durationMinutes,
      workersNeeded: r.teamSize,
      status,
    })),
    skipDuplicates: true,
  });
  await tx.serviceRequest.update({ where: { id: r.id }, data: { seriesExpandedUntil: dateOnly(reached) } });
  if (count > 0 && status === "ACCEPTED") {
    await addToOutbox(tx, "scheduling", "staff-request", `series-expanded:${r.id}:${reached}`, { requestId: r.id });
  }
  if (count > 0) {
    await audit(
      { action: "request.series_expanded", outcome: "ok", organisationId: r.organisationId, entityType: "ServiceRequest", entityId: r.id, details: { created: count, through: reached } },
      tx,
    );
  }
  return count;
}

/**
 * The daily job: every active series (not declined, not stopped, not expanded
 * to its end or to the horizon yet), one transaction each.
 */
export async function expandSeries(now = new Date()): Promise<{ series: number; created: number; through: string }> {
  const rules = await getServiceRules();
  const through = horizonEnd(now, rules.recurrenceHorizonWeeks);
  const due = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM "ServiceRequest"
    WHERE recurrence <> 'NONE' AND "declinedAt" IS NULL AND "seriesEndedAt" IS NULL AND "seriesFirstDate" IS NOT NULL
      AND ("seriesExpandedUntil" IS NULL OR ("seriesExpandedUntil" < "recurrenceUntil" AND "seriesExpandedUntil" < ${dateOnly(through)}::date))
    ORDER BY id`;
  let created = 0;
  for (const { id } of due) {
    created += await db().$transaction((tx) => expandSeriesTx(tx, id, through, rules, now));
  }
  return { series: due.length, created, through };
}

/** What the request page tells of a series: its end, its count, and the dates still to come. */
export async function seriesOutlook(
  r: Parameters<typeof seriesSpec>[0] & { seriesExpandedUntil: Date | null; seriesEndedAt: Date | null; declinedAt: Date | null },
  now = new Date(),
) {
  const spec = seriesSpec(r);
  if (!spec) return null;
  const rules = await getServiceRules();
  const stopped = r.seriesEndedAt !== null || r.declinedAt !== null;
  const today = parisParts(now).date;
  const pending = stopped ? [] : datesNotYetExpanded(spec, rules, r.seriesExpandedUntil ? day(r.seriesExpandedUntil) : null).filter((d) => d > today);
  return {
    firstDate: spec.firstDate,
    startTime: clockText(spec.startMinute),
    lastDate: spec.until,
    count: spec.count,
    endedAt: r.seriesEndedAt,
    expandedUntil: r.seriesExpandedUntil ? day(r.seriesExpandedUntil) : null,
    horizonWeeks: rules.recurrenceHorizonWeeks,
    pending,
  };
}
