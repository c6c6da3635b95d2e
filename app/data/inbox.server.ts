import { can, STAFF_ROLES, type Actor } from "~/domain/access/roles.ts";
import { db } from "./db.server.ts";

// Coordination's inbox: the requests' threads waiting for an answer (the last
// message is a partner's) and the contested hours not settled yet. An item
// leaves once the Conciergerie answers, or once finance settles the dispute.

const LIMIT = 200;

type WaitingThread = {
  requestId: string;
  reference: string;
  organisationName: string;
  messageId: string;
  createdAt: Date;
  body: string;
  authorName: string | null;
  unanswered: number;
};

/** Every partner's (staff who see them all), else the actor's own organisation: the same scope as the requests. */
const scopeOf = (actor: Actor) => (can(actor.role, "requests.viewAll") ? null : actor.organisationId);

async function waitingThreads(actor: Actor, limit: number | null) {
  const scope = scopeOf(actor);
  const staff = [...STAFF_ROLES];
  // The last message of each thread; waiting when its author is not of the Conciergerie
  // (a deleted account counts as waiting: better asked twice than lost).
  return db().$queryRaw<WaitingThread[]>`
    WITH last AS (
      SELECT DISTINCT ON (m."requestId") m."requestId", m.id, m."createdAt", m.body, m."authorId"
      FROM "RequestMessage" m
      WHERE (${scope}::text IS NULL OR m."organisationId" = ${scope})
      ORDER BY m."requestId", m."createdAt" DESC, m.id DESC)
    SELECT last."requestId", r.reference, o.name AS "organisationName", last.id AS "messageId", last."createdAt", last.body, u.name AS "authorName",
      (SELECT count(*)::int FROM "RequestMessage" x WHERE x."requestId" = last."requestId" AND x."createdAt" > coalesce(
        (SELECT max(y."createdAt") FROM "RequestMessage" y JOIN "Membership" ym ON ym."userId" = y."authorId"
         WHERE y."requestId" = last."requestId" AND ym.role::text = ANY(${staff}::text[])), '-infinity'::timestamp)) AS unanswered
    FROM last
    JOIN "ServiceRequest" r ON r.id = last."requestId" JOIN "Organisation" o ON o.id = r."organisationId"
    LEFT JOIN "User" u ON u.id = last."authorId" LEFT JOIN "Membership" mem ON mem."userId" = last."authorId"
    WHERE mem.role IS NULL OR mem.role::text <> ALL(${staff}::text[])
    ORDER BY last."createdAt" ASC, last.id
    LIMIT ${limit ?? 1_000_000}`;
}

const openDisputesWhere = (actor: Actor) => ({ settledAt: null, ...(scopeOf(actor) === null ? {} : { organisationId: actor.organisationId }) });

/** How many items wait: for the home page. */
export async function inboxCounts(actor: Actor) {
  const [threads, disputes] = await Promise.all([waitingThreads(actor, null), db().dispute.count({ where: openDisputesWhere(actor) })]);
  return { messages: threads.length, disputes };
}

/** The inbox, oldest first (the longest wait on top), each item with where it is answered. */
export async function coordinationInbox(actor: Actor) {
  const [threads, disputes, disputeCount] = await Promise.all([
    waitingThreads(actor, LIMIT + 1),
    db().dispute.findMany({
      where: openDisputesWhere(actor),
      orderBy: { openedAt: "asc" },
      take: LIMIT,
      select: {
        id: true,
        reason: true,
        openedAt: true,
        organisation: { select: { name: true } },
        intervention: { select: { id: true, startsAt: true, requestId: true, site: { select: { name: true } }, serviceRequest: { select: { reference: true } } } },
      },
    }),
    db().dispute.count({ where: openDisputesWhere(actor) }),
  ]);
  // Finance settles disputes on its own page; coordination follows them from the intervention's hours.
  const settlesDisputes = can(actor.role, "finance.manage");
  return {
    messages: threads.slice(0, LIMIT).map((t) => ({
      requestId: t.requestId,
      reference: t.reference,
      partner: t.organisationName,
      lastAt: t.createdAt,
      author: t.authorName ?? "Compte supprimé",
      excerpt: t.body.length > 200 ? `${t.body.slice(0, 199).trimEnd()}…` : t.body,
      unanswered: t.unanswered,
      href: `/requests/${t.requestId}#messages`,
    })),
    moreMessages: threads.length > LIMIT,
    disputes: disputes.map((d) => ({
      id: d.id,
      reference: d.intervention.serviceRequest.reference,
      partner: d.organisation.name,
      site: d.intervention.site.name,
      startsAt: d.intervention.startsAt,
      openedAt: d.openedAt,
      reason: d.reason,
      href: settlesDisputes ? "/finance/disputes" : `/requests/${d.intervention.requestId}/interventions/${d.intervention.id}`,
    })),
    disputeCount,
    settlesDisputes,
  };
}
