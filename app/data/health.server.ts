import { db } from "./db.server.ts";

export { lagTolerantReadsOn } from "./db.server.ts";

/** Really asks the database, with a short timeout so a hung server does not hang the check. */
export async function databaseAnswers(timeoutMs = 2000): Promise<boolean> {
  try {
    await Promise.race([db().$queryRaw`SELECT 1`, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref())]);
    return true;
  } catch {
    return false;
  }
}
