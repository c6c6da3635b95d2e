import type { OrganisationKind, Role } from "~/generated/prisma/client.ts";
import { db, sqlRows } from "./db.server.ts";
import { sessionQuery } from "./hot-queries.ts";

export async function createSessionRow(idHash: string, userId: string, expiresAt: Date) {
  await db().session.create({ data: { id: idHash, userId, expiresAt } });
}

type SessionRow = {
  expiresAt: Date;
  lastSeenAt: Date;
  userId: string;
  email: string;
  name: string;
  deactivatedAt: Date | null;
  role: Role | null;
  organisationId: string | null;
  organisationName: string | null;
  organisationKind: OrganisationKind | null;
  organisationArchivedAt: Date | null;
};

/**
 * The session's user, membership and organisation, or null when unknown or
 * ended. Every signed-in page reads it: one SQL query (hot-queries.ts).
 */
export async function findSession(idHash: string) {
  const [row] = await sqlRows<SessionRow>(sessionQuery(idHash));
  if (!row) return null;
  return {
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    user: {
      id: row.userId,
      email: row.email,
      name: row.name,
      deactivatedAt: row.deactivatedAt,
      membership:
        row.role && row.organisationId
          ? {
              role: row.role,
              organisation: { id: row.organisationId, name: row.organisationName!, kind: row.organisationKind!, archivedAt: row.organisationArchivedAt },
            }
          : null,
    },
  };
}

export async function touchSession(idHash: string, at: Date) {
  await db().session.updateMany({ where: { id: idHash }, data: { lastSeenAt: at } });
}

export async function deleteSession(idHash: string) {
  await db().session.deleteMany({ where: { id: idHash } });
}

export async function deleteExpiredSessions(now: Date) {
  await db().session.deleteMany({ where: { expiresAt: { lt: now } } });
}
