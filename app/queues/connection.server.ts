import { Redis, type RedisOptions } from "ioredis";
import { env } from "~/utils/env.server.ts";

// BullMQ workers need maxRetriesPerRequest: null (they block on Redis);
// the web side wants to fail fast instead, so it can report Redis as down.
export function createRedis(purpose: "worker" | "web"): Redis {
  const options: RedisOptions =
    purpose === "worker"
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, connectTimeout: 1000 };
  return new Redis(env().REDIS_URL, options);
}

let webRedis: Redis | undefined;

export async function redisAnswers(timeoutMs = 1000): Promise<boolean> {
  if (!webRedis) {
    webRedis = createRedis("web");
    webRedis.on("error", () => {}); // reported through the answer below, not as an unhandled event
  }
  try {
    const pong = await Promise.race([
      webRedis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
    return pong === "PONG";
  } catch {
    return false;
  }
}
