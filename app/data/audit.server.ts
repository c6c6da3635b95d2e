import type { Prisma } from "~/generated/prisma/client.ts";
import { db, type Tx } from "./db.server.ts";

export type AuditEntry = {
  action: string; // "auth.login", "auth.login_refused", "access.denied", "user.invited", ...
  outcome: "ok" | "refused";
  actorUserId?: string | null;
  organisationId?: string | null;
  entityType?: string;
  entityId?: string;
  ip?: string | null;
  details?: Prisma.InputJsonValue;
};

/** Appends to the audit log (append-only: a database trigger refuses edits). */
export async function audit(entry: AuditEntry, tx: Tx = db()) {
  await tx.auditLog.create({ data: { ...entry } });
}

/** Never lets a failure to audit turn a refusal into a 500. */
export async function auditQuietly(entry: AuditEntry) {
  try {
    await audit(entry);
  } catch {
    // The database is down: the refusal still stands; nothing more to do.
  }
}

export type AuditFilter = { actorUserId?: string; entityId?: string; from?: Date; to?: Date; cursor?: bigint };

export async function listAuditLog(filter: AuditFilter, take = 50) {
  const rows = await db().auditLog.findMany({
    where: {
      actorUserId: filter.actorUserId,
      entityId: filter.entityId,
      at: { gte: filter.from, lt: filter.to },
      id: filter.cursor ? { lt: filter.cursor } : undefined,
    },
    orderBy: { id: "desc" },
    take: take + 1,
  });
  const users = await db().user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.actorUserId).filter((v): v is string => !!v))] } },
    select: { id: true, email: true },
  });
  const emailById = new Map(users.map((u) => [u.id, u.email]));
  return {
    rows: rows.slice(0, take).map((r) => ({ ...r, id: r.id.toString(), actorEmail: r.actorUserId ? emailById.get(r.actorUserId) ?? null : null })),
    nextCursor: rows.length > take ? rows[take - 1]!.id.toString() : null,
  };
}
