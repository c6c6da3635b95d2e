import { json } from "@remix-run/node";
import { databaseAnswers, lagTolerantReadsOn } from "~/data/health.server.ts";
import { redisAnswers } from "~/queues/connection.server.ts";

// 200 while the database answers (the app works without Redis: work waits in
// the outbox); 503 only when the database is down. "replica" says where
// lag-tolerant reads go (the read replica, or the primary while it is down or lags).
export async function loader() {
  const [dbOk, redisOk] = await Promise.all([databaseAnswers(), redisAnswers()]);
  return json({ db: dbOk ? "ok" : "down", redis: redisOk ? "ok" : "down", lagTolerantReads: lagTolerantReadsOn() }, { status: dbOk ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
