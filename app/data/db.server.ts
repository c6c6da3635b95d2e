import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "~/generated/prisma/client.ts";
import { env } from "~/utils/env.server.ts";
import { logRepeatedError } from "~/utils/log.server.ts";
import { isDatabaseUnavailable } from "~/utils/errors.ts";

// One pool and one client per process (kept across dev rebuilds). Only app/data imports them.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient; pool?: pg.Pool; replica?: PrismaClient; replicaPool?: pg.Pool };

function pool(): pg.Pool {
  if (!globalForPrisma.pool) {
    globalForPrisma.pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 10, connectionTimeoutMillis: 3000 });
    // A connection dropped while idle (database restart) is replaced at the next query, not a crash.
    globalForPrisma.pool.on("error", (error) => logRepeatedError("db.idle_connection_lost", error));
  }
  return globalForPrisma.pool;
}

export function db(): PrismaClient {
  // Prisma and the hot reads below share the pool: one set of connections per process.
  globalForPrisma.prisma ??= new PrismaClient({ adapter: new PrismaPg(pool()) });
  return globalForPrisma.prisma;
}

export async function disconnectDb() {
  await globalForPrisma.prisma?.$disconnect();
  await globalForPrisma.pool?.end();
  await globalForPrisma.replica?.$disconnect();
  await globalForPrisma.replicaPool?.end();
  globalForPrisma.prisma = undefined;
  globalForPrisma.pool = undefined;
  globalForPrisma.replica = undefined;
  globalForPrisma.replicaPool = undefined;
  replicaState = undefined;
  lastUsable = undefined;
}

// ── The read replica (DATABASE_REPLICA_URL) ──────────────────────────────────
// Reads that tolerate a few seconds of lag (finance dashboard, exports, impact
// certificates, audit search) go to a streaming replica, through a second
// client; everything else, and every write, to the primary. The replica is
// used only while it answers and lags less than REPLICA_MAX_LAG_SECONDS;
// otherwise those reads go to the primary, and so does a read the replica
// fails mid-way. Its state is probed at most every REPLICA_PROBE_MS.

export const REPLICA_PROBE_MS = 2000;

/** What a probe of the replica found: null when it did not answer. */
export type ReplicaProbe = { inRecovery: boolean; lagSeconds: number } | null;

/**
 * Whether lag-tolerant reads may use the replica. A server that is not in
 * recovery is a primary (the replica promoted, or the primary itself), so it is
 * up to date.
 */
export function replicaUsable(probe: ReplicaProbe, maxLagSeconds: number): boolean {
  if (!probe) return false;
  return !probe.inRecovery || probe.lagSeconds <= maxLagSeconds;
}

// Lag as a reader sees it: none while everything received is replayed (an idle
// primary sends nothing, and the last replay's age would grow for no reason),
// else the age of the last transaction replayed. A replica cut off from its
// primary has nothing to receive: its WAL receiver is gone, count it as lagging.
const LAG_SQL = `SELECT pg_is_in_recovery() AS "inRecovery",
  CASE WHEN NOT pg_is_in_recovery() THEN 0
       WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 1e9
       WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END::float8 AS "lagSeconds"`;

let replicaState: { at: number; usable: Promise<boolean> } | undefined;
/** The last decision, readable without waiting (the health page). */
let lastUsable: boolean | undefined;

function replicaPool(url: string): pg.Pool {
  if (!globalForPrisma.replicaPool) {
    // Fails fast: a replica away must not slow the reads that fall back to the primary.
    globalForPrisma.replicaPool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 1000, statement_timeout: 60_000 });
    globalForPrisma.replicaPool.on("error", (error) => logRepeatedError("db.replica_connection_lost", error));
  }
  return globalForPrisma.replicaPool;
}

async function probeReplica(url: string): Promise<ReplicaProbe> {
  try {
    const { rows } = await replicaPool(url).query<{ inRecovery: boolean; lagSeconds: number }>({ text: LAG_SQL, query_timeout: 1000 } as pg.QueryConfig);
    return rows[0] ?? null;
  } catch (error) {
    logRepeatedError("db.replica_unavailable", error);
    return null;
  }
}

/** The replica's client when lag-tolerant reads may use it now, else null (no replica configured, down, or lagging). */
async function usableReplica(): Promise<PrismaClient | null> {
  const { DATABASE_REPLICA_URL: url, REPLICA_MAX_LAG_SECONDS: maxLag } = env();
  if (!url) return null;
  if (!replicaState || Date.now() - replicaState.at > REPLICA_PROBE_MS) {
    replicaState = {
      at: Date.now(),
      usable: probeReplica(url).then((probe) => {
        const usable = replicaUsable(probe, maxLag);
        lastUsable = usable;
        if (probe && !usable) logRepeatedError("db.replica_lagging", new Error(`replica lags ${Math.round(probe.lagSeconds)} s`));
        return usable;
      }),
    };
  }
  if (!(await replicaState.usable)) return null;
  globalForPrisma.replica ??= new PrismaClient({ adapter: new PrismaPg(replicaPool(url)) });
  return globalForPrisma.replica;
}

/**
 * A read that tolerates a few seconds of lag: on the replica when it is usable,
 * else (or when the replica fails during the read) on the primary. Never for a
 * read that decides a write, nor one that must show what the user just did.
 */
export async function readLagTolerant<T>(read: (client: Db) => Promise<T>): Promise<T> {
  const replica = await usableReplica();
  if (!replica) return read(db());
  try {
    return await read(replica);
  } catch (error) {
    // A read may always be done again: whatever failed on the replica is read on the primary,
    // and the replica is set aside until the next probe when it could not be reached.
    logRepeatedError("db.replica_unavailable", error);
    if (isConnectionError(error) || isDatabaseUnavailable(error)) {
      replicaState = { at: Date.now(), usable: Promise.resolve(false) };
      lastUsable = false;
    }
    return read(db());
  }
}

/** Where the last lag-tolerant read could go: for the health page and the tests. */
export async function replicaInUse(): Promise<boolean> {
  return (await usableReplica()) !== null;
}

/**
 * Where lag-tolerant reads go now, for the health page: "primary" with no
 * replica configured or while it is down or lagging, "replica" while it is
 * used, "unknown" before the first probe. Never waits: it starts a probe when
 * the last one is older than REPLICA_PROBE_MS and answers from the last one.
 */
export function lagTolerantReadsOn(): "replica" | "primary" | "unknown" {
  if (!env().DATABASE_REPLICA_URL) return "primary";
  void usableReplica();
  if (lastUsable === undefined) return "unknown";
  return lastUsable ? "replica" : "primary";
}

function isConnectionError(error: unknown): boolean {
  const text = `${(error as { code?: unknown })?.code ?? ""} ${(error as { message?: unknown })?.message ?? ""}`;
  // Connection refused/reset/closed, or PostgreSQL shutting down (57P01..57P03), or a conflict with recovery (40001 on a standby).
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|timeout exceeded when trying to connect|57P0[123]|the database system is (shutting down|starting up|in recovery)|terminating connection|canceling statement due to conflict with recovery|DatabaseNotReachable|P1001|P1017|ConnectionClosed|server closed the connection/i.test(
    text,
  );
}

// Prisma stores DateTime as `timestamp(3)` in UTC: read it as UTC, whatever the server's time zone.
const TIMESTAMP = 1114;
const utcTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A time as raw SQL writes it (bound, then `::timestamp(3)`): UTC wall time, as Prisma stores DateTime. */
export function sqlTimestamp(time: Date = new Date()): string {
  return time.toISOString().slice(0, 23);
}

/**
 * One SQL query straight on the pool, for the reads every page makes (the
 * session, the request list): Prisma's query engine costs several times the
 * query itself there (tests/bench/portal.ts). Always with bound values, never
 * with text built from input.
 */
export async function sqlRows<T>(query: { text: string; values: unknown[] }): Promise<T[]> {
  const result = await pool().query({ text: query.text, values: query.values, types: utcTypes });
  return result.rows as T[];
}

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/** sqlTransaction's statement runner: a Prisma.sql on the transaction's own connection. */
export type SqlTx = <R>(statement: Prisma.Sql) => Promise<R[]>;
/**
 * A transaction, Prisma's interactive one or one straight on pg (sqlTransaction):
 * the data functions that write within the caller's transaction take either,
 * and run their statements (Prisma.sql) through rawRows.
 */
export type TxClient = Tx | SqlTx;

/**
 * A short transaction straight on a pool connection, its statements Prisma.sql
 * (always bound values): for work done many times a second, such as the
 * outbox relay's, where Prisma's interactive transaction costs several times
 * the statements. Rolled back when `work` throws.
 */
export async function sqlTransaction<T>(work: (query: SqlTx) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(async <R>(statement: Prisma.Sql) => (await client.query({ text: statement.text, values: statement.values, types: utcTypes })).rows as R[]);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped, not given back to the pool.
    await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * A statement (Prisma.sql, a read or a write) on `client`: outside a
 * transaction straight on the pool (sqlRows), in sqlTransaction's on its
 * connection, in Prisma's through Prisma. The same rows every way: the weekly
 * job writes its plan through Prisma, instant mode the same statements on pg.
 * Prisma cannot read a column of type void: `SELECT 1 AS done FROM pg_notify(...)`.
 */
export async function rawRows<T>(client: Db | TxClient, query: Prisma.Sql): Promise<T[]> {
  if (typeof client === "function") return client<T>(query);
  if (client === globalForPrisma.prisma) return sqlRows<T>({ text: query.text, values: query.values });
  return client.$queryRaw<T[]>(query);
}

/**
 * Independent reads: side by side on the pool, one after the other in a
 * transaction (one connection, which pg does not share between queries).
 */
export async function readAll<T extends unknown[]>(client: Db | TxClient, ...reads: { [K in keyof T]: () => PromiseLike<T[K]> }): Promise<T> {
  if (client === globalForPrisma.prisma) return (await Promise.all(reads.map((read) => read()))) as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as T;
}
