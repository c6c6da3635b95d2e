import { randomUUID } from "node:crypto";
import { Prisma } from "~/generated/prisma/client.ts";
import { audienceOf, digestMail, notificationMail, type NotificationFacts, type NotificationKind } from "~/domain/notifications/notifications.ts";
import type { JobPayload } from "~/queues/registry.ts";
import { env } from "~/utils/env.server.ts";
import { db, rawRows, sqlTimestamp, type Tx, type TxClient } from "./db.server.ts";
import { queueMailOnce } from "./mail.server.ts";
import { addManyToOutbox } from "./outbox.server.ts";
import { getServiceRules } from "./settings.server.ts";

type Subject = ({ requestId: string } | { interventionId: string } | { invoiceId: string } | { priceVersionId: string; organisationId: string }) & { messageId?: string; disputeId?: string };
type NotificationEvent = { kind: NotificationKind; subject: Subject; version: string; previousStartsAt?: Date };

/**
 * Records, in the caller's transaction, that someone must be told. The key
 * names the event (kind, record, and what changed), so a repeat is a no-op.
 */
export async function queueNotification(tx: TxClient, kind: NotificationKind, subject: Subject, version: string, previousStartsAt?: Date) {
  await queueNotifications(tx, [{ kind, subject, version, ...(previousStartsAt ? { previousStartsAt } : {}) }]);
}

/**
 * queueNotification for many events in few statements (a plan written at
 * once), in a Prisma transaction or one straight on pg (instant mode's).
 */
export async function queueNotifications(tx: TxClient, events: NotificationEvent[]) {
  if (events.length === 0) return;
  // Events are grouped by request (an intervention's too) or by invoice, per audience.
  const interventionIds = events.flatMap((e) => ("interventionId" in e.subject ? [e.subject.interventionId] : []));
  const requestOf = new Map(
    interventionIds.length
      ? (await rawRows<{ id: string; requestId: string }>(tx, Prisma.sql`SELECT id, "requestId" FROM "Intervention" WHERE id = ANY(${interventionIds}::text[])`)).map(
          (i) => [i.id, i.requestId] as const,
        )
      : [],
  );
  const rows = events.map(({ kind, subject, version, previousStartsAt }) => {
    const subjectId = "requestId" in subject ? subject.requestId : "interventionId" in subject ? subject.interventionId : "invoiceId" in subject ? subject.invoiceId : subject.priceVersionId;
    const key = `${kind}:${subjectId}:${version}`;
    const group =
      "priceVersionId" in subject
        ? `price:${subject.priceVersionId}:${subject.organisationId}`
        : "invoiceId" in subject
          ? `invoice:${subject.invoiceId}`
          : `request:${"requestId" in subject ? subject.requestId : (requestOf.get(subject.interventionId) ?? subject.interventionId)}`;
    const payload = { kind, key, ...subject, ...(previousStartsAt ? { previousStartsAt: previousStartsAt.toISOString() } : {}) };
    return { key, kind, groupKey: `${audienceOf(kind)}:${group}`, payload };
  });
  // One statement; a key already recorded is skipped (ON CONFLICT DO NOTHING). Ids as the app's other raw inserts make them.
  const now = sqlTimestamp();
  const notifications = JSON.stringify(rows.map((r) => ({ id: randomUUID(), ...r })));
  await rawRows(
    tx,
    Prisma.sql`INSERT INTO "Notification" (id, key, kind, "groupKey", payload, "createdAt")
      SELECT n.id, n.key, n.kind, n."groupKey", n.payload, ${now}::timestamp(3)
      FROM jsonb_to_recordset(${notifications}::jsonb) AS n(id text, key text, kind text, "groupKey" text, payload jsonb)
      ON CONFLICT DO NOTHING`,
  );
  await addManyToOutbox(
    tx,
    "notifications",
    "notify",
    rows.map((r) => ({ businessKey: r.key, payload: r.payload })),
  );
}

const requestSelect = {
  id: true,
  reference: true,
  organisationId: true,
  organisation: { select: { name: true } },
  declineReason: true,
  prestation: { select: { name: true } },
  site: { select: { name: true, address: true, postalCode: true, city: true } },
  _count: { select: { interventions: true } },
} satisfies Prisma.ServiceRequestSelect;

function requestFacts(r: Prisma.ServiceRequestGetPayload<{ select: typeof requestSelect }>) {
  return {
    reference: r.reference,
    prestation: r.prestation.name,
    site: r.site.name,
    siteAddress: `${r.site.address}, ${r.site.postalCode} ${r.site.city}`,
    link: `${env().APP_URL}/requests/${r.id}`,
    organisation: r.organisation.name,
  };
}

async function factsFor(tx: Tx, payload: JobPayload<"notifications", "notify">): Promise<{ organisationId: string; facts: NotificationFacts } | null> {
  const message = payload.messageId ? await tx.requestMessage.findUnique({ where: { id: payload.messageId }, select: { body: true } }) : null;
  const extra = message ? { message: message.body.slice(0, 1000) } : {};
  if (payload.priceVersionId && payload.organisationId) {
    const version = await tx.prestationPrice.findUnique({
      where: { id: payload.priceVersionId },
      select: { priceCents: true, validFrom: true, prestation: { select: { name: true, pricingUnit: true } } },
    });
    if (!version) return null;
    return {
      organisationId: payload.organisationId,
      facts: {
        reference: version.prestation.name,
        prestation: version.prestation.name,
        site: "",
        siteAddress: "",
        link: `${env().APP_URL}/catalogue`,
        priceCents: version.priceCents,
        priceUnit: version.prestation.pricingUnit === "FLAT" ? "l'intervention" : "l'heure par personne",
        validFrom: version.validFrom,
      },
    };
  }
  if (payload.invoiceId) {
    const invoice = await tx.invoice.findUnique({
      where: { id: payload.invoiceId },
      select: { number: true, organisationId: true, totalInclVatCents: true, voidReason: true, creditNotes: { select: { number: true }, orderBy: { createdAt: "desc" }, take: 1 } },
    });
    if (!invoice) return null;
    const number = invoice.number ?? "";
    return {
      organisationId: invoice.organisationId,
      facts: {
        reference: number,
        prestation: "",
        site: "",
        siteAddress: "",
        link: `${env().APP_URL}/invoices/${payload.invoiceId}`,
        invoiceNumber: number,
        amountCents: invoice.totalInclVatCents,
        reason: invoice.voidReason,
        ...(payload.kind === "invoice.voided" && invoice.creditNotes[0] ? { creditNoteNumber: invoice.creditNotes[0].number } : {}),
      },
    };
  }
  if (payload.interventionId) {
    const i = await tx.intervention.findUnique({
      where: { id: payload.interventionId },
      select: {
        startsAt: true,
        durationMinutes: true,
        participantsNeeded: true,
        cancelReason: true,
        supervisor: { select: { firstName: true, lastName: true } },
        serviceRequest: { select: requestSelect },
        timeEntries: { where: { absent: false }, select: { minutesWorked: true }, orderBy: { participantId: "asc" } },
      },
    });
    if (!i) return null;
    const dispute = payload.disputeId ? await tx.dispute.findUnique({ where: { id: payload.disputeId }, select: { settlement: true } }) : null;
    const staffLink = audienceOf(payload.kind) === "staff" && payload.kind !== "message.received" ? { link: `${env().APP_URL}/planning/interventions/${payload.interventionId}` } : {};
    return {
      organisationId: i.serviceRequest.organisationId,
      facts: {
        ...requestFacts(i.serviceRequest),
        ...staffLink,
        ...extra,
        startsAt: i.startsAt,
        previousStartsAt: payload.previousStartsAt ? new Date(payload.previousStartsAt) : null,
        durationMinutes: i.durationMinutes,
        teamSize: i.participantsNeeded,
        encadrant: i.supervisor ? `${i.supervisor.firstName} ${i.supervisor.lastName}` : null,
        reason: i.cancelReason,
        recordedMinutes: i.timeEntries.map((t) => t.minutesWorked),
        ...(dispute ? { settlement: dispute.settlement } : {}),
      },
    };
  }
  const r = await tx.serviceRequest.findUnique({ where: { id: payload.requestId ?? "" }, select: requestSelect });
  if (!r) return null;
  return { organisationId: r.organisationId, facts: { ...requestFacts(r), ...extra, dates: r._count.interventions, reason: r.declineReason } };
}

type Delivered = { recipients: number; written: number } | { waitUntil: Date };

/**
 * Mails the event and every other one of its group not yet told (one mail
 * per person: the event's own, or a digest), once the group has been quiet
 * for the digest window, each person by their preferences. Idempotent: a
 * delivered event is never mailed again, and a mail's key stops a repeat.
 */
export async function deliverNotification(payload: JobPayload<"notifications", "notify">, now = new Date()): Promise<Delivered> {
  const { notificationDigestMinutes } = await getServiceRules();
  const windowMs = notificationDigestMinutes * 60_000;
  // Wait for a quiet moment, but never more than ten windows after the first event.
  const waitFor = (newest: number, oldest: number) =>
    now.getTime() - newest < windowMs && now.getTime() - oldest < 10 * windowMs ? { waitUntil: new Date(Math.min(newest, oldest + 9 * windowMs) + windowMs) } : null;
  // Most runs find the group still busy (every event of a request starts one): one read on the
  // pool, no transaction, no lock. Only a group found quiet (or a stale read) is checked under lock.
  const [seen] = await rawRows<{ delivered: boolean; newest: Date | null; oldest: Date | null }>(
    db(),
    Prisma.sql`SELECT m."deliveredAt" IS NOT NULL AS delivered, g.newest, g.oldest FROM "Notification" m
      CROSS JOIN LATERAL (SELECT max("createdAt") AS newest, min("createdAt") AS oldest FROM "Notification" WHERE "groupKey" = m."groupKey" AND "deliveredAt" IS NULL) g
      WHERE m.key = ${payload.key}`,
  );
  if (!seen || seen.delivered) return { recipients: 0, written: 0 };
  const waiting = seen.newest && seen.oldest ? waitFor(seen.newest.getTime(), seen.oldest.getTime()) : null;
  if (waiting) return waiting;
  return db().$transaction(
    async (tx) => {
      const mine = await tx.notification.findUnique({ where: { key: payload.key }, select: { groupKey: true, deliveredAt: true } });
      if (!mine || mine.deliveredAt) return { recipients: 0, written: 0 };
      // Locks the group's pending events: a second job of the same group waits, then finds them told.
      const group = await tx.$queryRaw<{ id: string; key: string; kind: string; payload: JobPayload<"notifications", "notify">; createdAt: Date }[]>`
        SELECT id, key, kind, payload, "createdAt" FROM "Notification"
        WHERE "groupKey" = ${mine.groupKey} AND "deliveredAt" IS NULL ORDER BY "createdAt", id FOR UPDATE`;
      if (!group.some((g) => g.key === payload.key)) return { recipients: 0, written: 0 };
      const waiting = waitFor(Math.max(...group.map((g) => g.createdAt.getTime())), Math.min(...group.map((g) => g.createdAt.getTime())));
      if (waiting) return waiting;
      const events: { kind: NotificationKind; facts: NotificationFacts; organisationId: string }[] = [];
      for (const g of group) {
        const found = await factsFor(tx, g.payload);
        if (found) events.push({ kind: g.kind as NotificationKind, ...found });
      }
      const audience = audienceOf(group[0]!.kind as NotificationKind);
      const recipients = events.length
        ? await tx.user.findMany({
            where: {
              deactivatedAt: null,
              membership: audience === "staff" ? { role: "COORDINATOR" } : { organisationId: events[0]!.organisationId, role: { in: ["PARTNER_ADMIN", "PARTNER_MEMBER"] } },
            },
            select: { id: true, email: true, mutedNotifications: true },
            orderBy: { id: "asc" },
          })
        : [];
      let written = 0;
      for (const user of recipients) {
        const wanted = events.filter((e) => !user.mutedNotifications.includes(e.kind));
        if (wanted.length === 0) continue;
        const mail = wanted.length === 1 ? notificationMail(wanted[0]!.kind, user.email, wanted[0]!.facts) : digestMail(user.email, wanted);
        if (await queueMailOnce(tx, mail, `${group[0]!.key}:${user.id}`)) written += 1;
      }
      await tx.notification.updateMany({ where: { id: { in: group.map((g) => g.id) } }, data: { deliveredAt: now } });
      return { recipients: recipients.length, written };
    },
    { timeout: 30_000, maxWait: 15_000 },
  );
}

export async function getNotificationPreferences(userId: string) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { mutedNotifications: true } });
  return user.mutedNotifications;
}

export async function setMutedNotifications(userId: string, muted: NotificationKind[]) {
  await db().user.update({ where: { id: userId }, data: { mutedNotifications: muted } });
}
