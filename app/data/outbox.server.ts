import { Prisma } from "~/generated/prisma/client.ts";
import { parsePayload, type JobName, type JobPayload, type QueueName } from "~/queues/registry.ts";
import pg from "pg";
import { env } from "~/utils/env.server.ts";
import { db, rawRows, sqlTimestamp, sqlTransaction, type TxClient } from "./db.server.ts";

/**
 * Records work for a worker in the same transaction as the change that needs
 * it. The relay (workers/outbox-relay.ts) enqueues it once Redis answers; the
 * business key makes a repeat of the same change a no-op.
 */
export async function addToOutbox<Q extends QueueName, J extends JobName<Q>>(tx: TxClient, queue: Q, jobName: J, businessKey: string, payload: JobPayload<Q, J>) {
  await addManyToOutbox(tx, queue, jobName, [{ businessKey, payload }]);
}

/**
 * addToOutbox for many rows of one job in one statement (the notice to the
 * relay with it), in a Prisma transaction or one straight on pg; a repeated
 * business key is a no-op.
 */
export async function addManyToOutbox<Q extends QueueName, J extends JobName<Q>>(tx: TxClient, queue: Q, jobName: J, rows: { businessKey: string; payload: JobPayload<Q, J> }[]) {
  if (rows.length === 0) return;
  for (const row of rows) parsePayload(queue, jobName, row.payload);
  const now = sqlTimestamp();
  const events = JSON.stringify(rows.map((row) => ({ businessKey: row.businessKey, payload: row.payload })));
  // INSERT ... ON CONFLICT DO NOTHING: one statement where an upsert takes two. The notice is delivered
  // when the transaction commits (dropped if it rolls back); the insert runs whatever the SELECT reads.
  await rawRows(
    tx,
    Prisma.sql`WITH added AS (
        INSERT INTO "OutboxEvent" (queue, "jobName", "businessKey", payload, "createdAt")
        SELECT ${queue}::text, ${jobName}::text, e."businessKey", e.payload, ${now}::timestamp(3)
        FROM jsonb_to_recordset(${events}::jsonb) AS e("businessKey" text, payload jsonb)
        ON CONFLICT DO NOTHING)
      SELECT 1 AS notified FROM pg_notify('outbox', '')`,
  );
}

/**
 * Calls `onChange` whenever an outbox row commits, over a dedicated
 * connection (LISTEN). Reconnects on its own; returns a stop function.
 */
export async function listenForOutbox(onChange: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: env().DATABASE_URL });
    c.on("notification", () => onChange());
    c.on("error", () => {
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(connect, 2000);
    });
    try {
      await c.connect();
      await c.query("LISTEN outbox");
      client = c;
      onChange(); // catch up with what committed while not listening
    } catch {
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(connect, 2000);
    }
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

/**
 * Claims a batch of unpublished rows (SKIP LOCKED lets several relays run at
 * once) and publishes them all at once (sent in order on one Redis
 * connection, without waiting for each reply: a batch costs about one round
 * trip, so an accepted request is not queued behind the whole batch). The
 * rows published are marked; the first failing one records its error, and
 * the error is thrown so the caller backs off.
 */
export async function relayOutboxBatch(publish: (row: { queue: string; jobName: string; businessKey: string; payload: unknown }) => Promise<void>, limit = 100): Promise<number> {
  let failure: { id: string; error: unknown } | undefined;
  // Straight on a pool connection: the relay runs at every commit that adds work (dozens a second when
  // partners accept quotes), and Prisma's interactive transaction cost the worker several times its statements.
  const count = await sqlTransaction(async (query) => {
    // The id is a bigint: pg gives it as text, sent back as is.
    const rows = await query<{
      id: string;
      queue: string;
      jobName: string;
      businessKey: string;
      payload: unknown;
    }>(Prisma.sql`SELECT id::text AS id, queue, "jobName", "businessKey", payload FROM "OutboxEvent"
      WHERE "publishedAt" IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`);
    const results = await Promise.allSettled(rows.map((row) => publish(row)));
    const published = rows.filter((_, i) => results[i]!.status === "fulfilled").map((row) => row.id);
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed >= 0) failure = { id: rows[failed]!.id, error: (results[failed] as PromiseRejectedResult).reason };
    if (published.length > 0) {
      const now = sqlTimestamp();
      await query(Prisma.sql`UPDATE "OutboxEvent" SET "publishedAt" = ${now}::timestamp(3), "lastError" = NULL WHERE id = ANY(${published}::bigint[])`);
    }
    return published.length;
  });
  if (failure) {
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    await db().outboxEvent.update({
      where: { id: BigInt(failure.id) },
      data: { attempts: { increment: 1 }, lastError: message.slice(0, 500) },
    });
    throw failure.error;
  }
  return count;
}

export async function pendingOutboxCount() {
  return db().outboxEvent.count({ where: { publishedAt: null } });
}
