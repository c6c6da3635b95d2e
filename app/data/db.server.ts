import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { env } from "~/utils/env.server.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

// One pool and one client per process (kept across dev rebuilds). Only app/data imports them.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient; pool?: pg.Pool };

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
  globalForPrisma.prisma = undefined;
  globalForPrisma.pool = undefined;
}

// Prisma stores DateTime as `timestamp(3)` in UTC: read it as UTC, whatever the server's time zone.
const TIMESTAMP = 1114;
const utcTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

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

/**
 * Independent reads: side by side on the pool, one after the other in a
 * transaction (one connection, which pg does not share between queries).
 */
export async function readAll<T extends unknown[]>(client: Db | Tx, ...reads: { [K in keyof T]: () => PromiseLike<T[K]> }): Promise<T> {
  if (client === globalForPrisma.prisma) return (await Promise.all(reads.map((read) => read()))) as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as T;
}
