import { Redis, type RedisOptions } from "ioredis";
import { env } from "~/utils/env.server.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

/** How long a web request waits for one Redis command: Redis stalled (paused, swapping) must not hang a page. */
export const WEB_REDIS_TIMEOUT_MS = 1000;

// BullMQ workers need maxRetriesPerRequest: null (they block on Redis);
// the web side wants to fail fast instead, so it can report Redis as down or
// stalled: every command of a web connection gives up after WEB_REDIS_TIMEOUT_MS.
export function createRedis(purpose: "worker" | "web"): Redis {
  const options: RedisOptions =
    purpose === "worker"
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, connectTimeout: WEB_REDIS_TIMEOUT_MS, commandTimeout: WEB_REDIS_TIMEOUT_MS };
  return new Redis(env().REDIS_URL, options);
}

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

/** Redis away, refusing, or too slow (ioredis gives up on a command, or our timeout ran out): an answer to give, not a bug. */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "MaxRetriesPerRequestError") return true;
  if (typeof e.code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"].includes(e.code)) return true;
  return typeof e.message === "string" && /Connection is closed|Command timed out|Stream isn't writeable|connect ECONNREFUSED/.test(e.message);
}

/** A web read of Redis that gives up after `ms` (several commands in a row, each already bounded). */
export const withTimeout = <T>(promise: Promise<T>, ms = 2 * WEB_REDIS_TIMEOUT_MS) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new RedisUnavailableError("Redis did not answer in time")), ms).unref())]);

let webRedis: Redis | undefined;

export async function redisAnswers(timeoutMs = 1000): Promise<boolean> {
  if (!webRedis) {
    webRedis = createRedis("web");
    webRedis.on("error", (error) => logRepeatedError("redis.web_connection_error", error)); // also answered below
  }
  try {
    const pong = await withTimeout(webRedis.ping(), timeoutMs);
    return pong === "PONG";
  } catch {
    return false;
  }
}
