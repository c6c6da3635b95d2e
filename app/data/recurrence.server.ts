import type { Prisma } from "~/generated/prisma/client.ts";
import { clockText, parisParts } from "~/domain/calendar/paris.ts";
import type { Recurrence } from "~/domain/requests/order.ts";
import { datesNotYetExpanded, expandedThrough, horizonEnd, occurrencesToExpand, type RecurrenceSpec } from "~/domain/requests/recurrence.ts";
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

type RecurrenceRow = {
  id: string;
  organisationId: string;
  siteId: string;
  recurrence: Recurrence;
  recurrenceCount: number | null;
  recurrenceUntil: Date | null;
  durationMinutes: number;
  teamSize: number;
  startWindowMinutes: number;
  recurrenceFirstDate: Date | null;
  recurrenceStartMinute: number | null;
  recurrenceExpandedUntil: Date | null;
  recurrenceEndedAt: Date | null;
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
  recurrenceFirstDate: true,
  recurrenceStartMinute: true,
  recurrenceExpandedUntil: true,
  recurrenceEndedAt: true,
  declinedAt: true,
  acceptedAt: true,
} satisfies Prisma.ServiceRequestSelect;

export function recurrenceSpec(
  r: Pick<RecurrenceRow, "recurrence" | "recurrenceCount" | "recurrenceUntil" | "durationMinutes" | "startWindowMinutes" | "recurrenceFirstDate" | "recurrenceStartMinute">,
): RecurrenceSpec | null {
  if (r.recurrence === "NONE" || !r.recurrenceFirstDate || r.recurrenceStartMinute === null) return null;
  return {
    firstDate: day(r.recurrenceFirstDate),
    startMinute: r.recurrenceStartMinute,
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
export async function expandRecurrenceTx(tx: Tx, requestId: string, through: string, rules: ServiceRules, now: Date): Promise<number> {
  await tx.$executeRaw`SELECT 1 FROM "ServiceRequest" WHERE id = ${requestId} FOR UPDATE`;
  const r: RecurrenceRow | null = await tx.serviceRequest.findUnique({ where: { id: requestId }, select: SERIES_SELECT });
  const spec = r ? recurrenceSpec(r) : null;
  if (!r || !spec || r.declinedAt || r.recurrenceEndedAt) return 0;
  const after = r.recurrenceExpandedUntil ? day(r.recurrenceExpandedUntil) : null;
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
      participantsNeeded: r.teamSize,
      status,
    })),
    skipDuplicates: true,
  });
  await tx.serviceRequest.update({ where: { id: r.id }, data: { recurrenceExpandedUntil: dateOnly(reached) } });
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
export async function expandRecurrence(now = new Date()): Promise<{ recurrence: number; created: number; through: string }> {
  const rules = await getServiceRules();
  const through = horizonEnd(now, rules.recurrenceHorizonWeeks);
  const due = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM "ServiceRequest"
    WHERE recurrence <> 'NONE' AND "declinedAt" IS NULL AND "recurrenceEndedAt" IS NULL AND "recurrenceFirstDate" IS NOT NULL
      AND ("recurrenceExpandedUntil" IS NULL OR ("recurrenceExpandedUntil" < "recurrenceUntil" AND "recurrenceExpandedUntil" < ${dateOnly(through)}::date))
    ORDER BY id`;
  let created = 0;
  for (const { id } of due) {
    created += await db().$transaction((tx) => expandRecurrenceTx(tx, id, through, rules, now));
  }
  return { recurrence: due.length, created, through };
}

/** What the request page tells of a series: its end, its count, and the dates still to come. */
export async function recurrenceOutlook(r: Parameters<typeof recurrenceSpec>[0] & { recurrenceExpandedUntil: Date | null; recurrenceEndedAt: Date | null; declinedAt: Date | null }, now = new Date()) {
  const spec = recurrenceSpec(r);
  if (!spec) return null;
  const rules = await getServiceRules();
  const stopped = r.recurrenceEndedAt !== null || r.declinedAt !== null;
  const today = parisParts(now).date;
  const pending = stopped ? [] : datesNotYetExpanded(spec, rules, r.recurrenceExpandedUntil ? day(r.recurrenceExpandedUntil) : null).filter((d) => d > today);
  return {
    firstDate: spec.firstDate,
    startTime: clockText(spec.startMinute),
    lastDate: spec.until,
    count: spec.count,
    endedAt: r.recurrenceEndedAt,
    expandedUntil: r.recurrenceExpandedUntil ? day(r.recurrenceExpandedUntil) : null,
    horizonWeeks: rules.recurrenceHorizonWeeks,
    pending,
  };
}
