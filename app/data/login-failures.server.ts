import { THROTTLE_WINDOW_MS } from "~/domain/access/throttle.ts";
import { db } from "./db.server.ts";

export async function countRecentFailures(keys: string[], now: Date): Promise<Map<string, number>> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const rows = await db().loginFailure.groupBy({
    by: ["key"],
    where: { key: { in: keys }, createdAt: { gt: since } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.key, r._count._all]));
}

export async function recordFailures(keys: string[]) {
  await db().loginFailure.createMany({ data: keys.map((key) => ({ key })) });
}

export async function clearFailures(key: string) {
  await db().loginFailure.deleteMany({ where: { key } });
}
