import { db } from "./db.server.ts";

export async function createSessionRow(idHash: string, userId: string, expiresAt: Date) {
  await db().session.create({ data: { id: idHash, userId, expiresAt } });
}

/** The session's user, membership and organisation, or null when unknown or ended. */
export async function findSession(idHash: string) {
  return db().session.findUnique({
    where: { id: idHash },
    select: {
      id: true,
      createdAt: true,
      lastSeenAt: true,
      expiresAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          deactivatedAt: true,
          membership: {
            select: { role: true, organisation: { select: { id: true, name: true, kind: true, archivedAt: true } } },
          },
        },
      },
    },
  });
}

export async function touchSession(idHash: string, at: Date) {
  await db().session.updateMany({ where: { id: idHash }, data: { lastSeenAt: at } });
}

export async function deleteSession(idHash: string) {
  await db().session.deleteMany({ where: { id: idHash } });
}

export async function deleteUserSessions(userId: string) {
  await db().session.deleteMany({ where: { userId } });
}

export async function deleteExpiredSessions(now: Date) {
  await db().session.deleteMany({ where: { expiresAt: { lt: now } } });
}
