import type { Prisma } from "~/generated/prisma/client.ts";
import { notificationMail, type NotificationFacts, type NotificationKind } from "~/domain/notifications/notifications.ts";
import type { JobPayload } from "~/queues/registry.ts";
import { env } from "~/utils/env.server.ts";
import { db, type Tx } from "./db.server.ts";
import { addManyToOutbox, addToOutbox } from "./outbox.server.ts";

type Subject = { requestId: string; interventionId?: never } | { interventionId: string; requestId?: never };

/**
 * Records, in the caller's transaction, that a partner must be told. The key
 * names the event (kind, record, and what changed), so a repeat is a no-op.
 */
export async function queueNotification(tx: Tx, kind: NotificationKind, subject: Subject, version: string, previousStartsAt?: Date) {
  const { businessKey, payload } = notificationRow({ kind, subject, version, previousStartsAt });
  await addToOutbox(tx, "notifications", "notify", businessKey, payload);
}

type NotificationEvent = { kind: NotificationKind; subject: Subject; version: string; previousStartsAt?: Date };

function notificationRow({ kind, subject, version, previousStartsAt }: NotificationEvent) {
  const key = `${kind}:${subject.requestId ?? subject.interventionId}:${version}`;
  const payload = { kind, key, ...subject, ...(previousStartsAt ? { previousStartsAt: previousStartsAt.toISOString() } : {}) };
  return { businessKey: key, payload };
}

/** queueNotification for many events in one statement (a plan written at once). */
export async function queueNotifications(tx: Tx, events: NotificationEvent[]) {
  await addManyToOutbox(tx, "notifications", "notify", events.map(notificationRow));
}

async function factsFor(payload: JobPayload<"notifications", "notify">) {
  const requestSelect = {
    id: true,
    reference: true,
    organisationId: true,
    prestation: { select: { name: true } },
    site: { select: { name: true, address: true, postalCode: true, city: true } },
    _count: { select: { interventions: true } },
  } satisfies Prisma.ServiceRequestSelect;
  if (payload.interventionId) {
    const i = await db().intervention.findUnique({
      where: { id: payload.interventionId },
      select: {
        startsAt: true,
        durationMinutes: true,
        workersNeeded: true,
        cancelReason: true,
        supervisor: { select: { firstName: true, lastName: true } },
        request: { select: requestSelect },
      },
    });
    if (!i) return null;
    return {
      organisationId: i.request.organisationId,
      facts: {
        ...requestFacts(i.request),
        startsAt: i.startsAt,
        previousStartsAt: payload.previousStartsAt ? new Date(payload.previousStartsAt) : null,
        durationMinutes: i.durationMinutes,
        teamSize: i.workersNeeded,
        encadrant: i.supervisor ? `${i.supervisor.firstName} ${i.supervisor.lastName}` : null,
        reason: i.cancelReason,
      } satisfies NotificationFacts,
    };
  }
  const r = await db().serviceRequest.findUnique({ where: { id: payload.requestId ?? "" }, select: requestSelect });
  if (!r) return null;
  return { organisationId: r.organisationId, facts: { ...requestFacts(r), dates: r._count.interventions } satisfies NotificationFacts };
}

function requestFacts(r: { id: string; reference: string; prestation: { name: string }; site: { name: string; address: string; postalCode: string; city: string } }) {
  return {
    reference: r.reference,
    prestation: r.prestation.name,
    site: r.site.name,
    siteAddress: `${r.site.address}, ${r.site.postalCode} ${r.site.city}`,
    link: `${env().APP_URL}/requests/${r.id}`,
  };
}

/**
 * Writes one mail per partner user who wants this kind (and hands each to the
 * mail queue). Idempotent: a mail already written for this key and person is
 * not written again.
 */
export async function deliverNotification(payload: JobPayload<"notifications", "notify">) {
  const found = await factsFor(payload);
  if (!found) return { recipients: 0 };
  const recipients = await db().user.findMany({
    where: {
      deactivatedAt: null,
      membership: { organisationId: found.organisationId, role: { in: ["PARTNER_ADMIN", "PARTNER_MEMBER"] } },
      NOT: { mutedNotifications: { has: payload.kind } },
    },
    select: { id: true, email: true },
    orderBy: { id: "asc" },
  });
  let written = 0;
  for (const user of recipients) {
    const dedupeKey = `${payload.key}:${user.id}`;
    await db().$transaction(async (tx) => {
      const existing = await tx.mail.findUnique({ where: { dedupeKey }, select: { id: true } });
      if (existing) return;
      const mail = await tx.mail.create({ data: { ...notificationMail(payload.kind, user.email, found.facts), dedupeKey } });
      await addToOutbox(tx, "mail", "send", `mail:${mail.id}`, { mailId: mail.id });
      written += 1;
    });
  }
  return { recipients: recipients.length, written };
}

export async function getNotificationPreferences(userId: string) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { mutedNotifications: true } });
  return user.mutedNotifications;
}

export async function setMutedNotifications(userId: string, muted: NotificationKind[]) {
  await db().user.update({ where: { id: userId }, data: { mutedNotifications: muted } });
}
