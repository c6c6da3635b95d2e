import type { Prisma } from "~/generated/prisma/client.ts";
import type { AuditAction } from "~/domain/backoffice/audit-labels.ts";
import { db, readLagTolerant, type Db, type Tx } from "./db.server.ts";

export type AuditEntry = {
  /** "auth.login", "invoice.void", ...: only an action with a French label (audit-labels.ts) can be written. */
  action: AuditAction;
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

export type AuditFilter = { actorUserId?: string; entityId?: string; from?: Date; to?: Date; cursor?: bigint; action?: string; actorEmail?: string };

// Audit search and its export read the replica when it is usable (readLagTolerant): a few seconds' lag is harmless there.
export async function listAuditLog(filter: AuditFilter, take = 50) {
  return readLagTolerant((client) => auditPage(client, filter, take));
}

async function auditPage(client: Db, filter: AuditFilter, take: number) {
  const actorIds = await actorIdsByEmail(client, filter.actorEmail);
  const rows = await client.auditLog.findMany({
    where: {
      actorUserId: actorIds ? { in: actorIds } : filter.actorUserId,
      action: filter.action ? { startsWith: filter.action } : undefined,
      entityId: filter.entityId,
      at: { gte: filter.from, lt: filter.to },
      id: filter.cursor ? { lt: filter.cursor } : undefined,
    },
    orderBy: { id: "desc" },
    take: take + 1,
  });
  const users = await client.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.actorUserId).filter((v): v is string => !!v))] } },
    select: { id: true, email: true },
  });
  const emailById = new Map(users.map((u) => [u.id, u.email]));
  return {
    rows: rows.slice(0, take).map((r) => ({ ...r, id: r.id.toString(), actorEmail: r.actorUserId ? (emailById.get(r.actorUserId) ?? null) : null })),
    nextCursor: rows.length > take ? rows[take - 1]!.id.toString() : null,
  };
}

/** The ids of the accounts whose email contains the text (a filter by person); undefined with no filter. */
async function actorIdsByEmail(client: Db, email: string | undefined) {
  if (!email) return undefined;
  const users = await client.user.findMany({ where: { email: { contains: email.trim().toLowerCase() } }, select: { id: true }, take: 200 });
  return users.map((u) => u.id);
}

/** Every entry matching the filter, oldest first, for the CSV export (capped: a period is expected). */
export async function auditLogForExport(filter: AuditFilter, limit = 50_000) {
  const rows: Awaited<ReturnType<typeof listAuditLog>>["rows"] = [];
  let cursor: bigint | undefined;
  while (rows.length < limit) {
    const page = await listAuditLog({ ...filter, cursor }, 1000);
    rows.push(...page.rows);
    if (!page.nextCursor) break;
    cursor = BigInt(page.nextCursor);
  }
  return rows.slice(0, limit).reverse();
}
