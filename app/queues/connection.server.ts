import { Cluster, Redis, type RedisOptions } from "ioredis";
import { env } from "~/utils/env.server.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

/** How long a web request waits for one Redis command: Redis stalled (paused, swapping) must not hang a page. */
export const WEB_REDIS_TIMEOUT_MS = 1000;

/** One Redis or a Redis Cluster: BullMQ, the heartbeat and the web's reads take either. */
export type RedisConnection = Redis | Cluster;

/** The nodes of REDIS_CLUSTER_NODES ("host:port,host:port"), or null when one Redis (REDIS_URL) is used. */
export function clusterNodes(value = env().REDIS_CLUSTER_NODES): { host: string; port: number }[] | null {
  if (!value) return null;
  return value.split(",").map((node) => {
    const [host, port] = node.trim().split(":");
    return { host: host!, port: Number(port) };
  });
}

/**
 * The key prefix of one queue. On one Redis, the prefix as given (BullMQ's
 * "bull" by default). On a Redis Cluster, BullMQ's Lua scripts touch several
 * keys of a queue at once, so every key of a queue must hash to one slot: the
 * prefix carries a hash tag, one per queue, so the queues spread over the
 * masters (BullMQ's "Redis Cluster" pattern).
 */
export function queuePrefix(queue: string, base: string | undefined, cluster = Boolean(env().REDIS_CLUSTER_NODES)): string | undefined {
  if (!cluster) return base;
  return `{${base ?? "bull"}:${queue}}`;
}

// BullMQ workers need maxRetriesPerRequest: null (they block on Redis);
// the web side wants to fail fast instead, so it can report Redis as down or
// stalled: every command of a web connection gives up after WEB_REDIS_TIMEOUT_MS.
// The one owner of Redis connections: REDIS_URL gives a client, REDIS_CLUSTER_NODES
// an ioredis Cluster that follows the slots when a master fails over.
export function createRedis(purpose: "worker" | "web"): RedisConnection {
  const options: RedisOptions = purpose === "worker" ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, connectTimeout: WEB_REDIS_TIMEOUT_MS, commandTimeout: WEB_REDIS_TIMEOUT_MS };
  const nodes = clusterNodes();
  if (!nodes) return new Redis(env().REDIS_URL!, options);
  return new Cluster(nodes, {
    redisOptions: options,
    // A failover moves slots: refresh them at once on MOVED/CLUSTERDOWN, and retry the command meanwhile.
    slotsRefreshTimeout: 2000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    // The web gives up like on one Redis; the worker keeps waiting for the cluster to come back.
    ...(purpose === "web" ? { maxRedirections: 6 } : { maxRedirections: 32 }),
  });
}

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

/** Redis away, refusing, or too slow (ioredis gives up on a command, or our timeout ran out): an answer to give, not a bug. */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "MaxRetriesPerRequestError" || e.name === "ClusterAllFailedError") return true;
  if (typeof e.code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"].includes(e.code)) return true;
  return (
    typeof e.message === "string" &&
    /Connection is closed|Command timed out|Stream isn't writeable|connect ECONNREFUSED|CLUSTERDOWN|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections/.test(
      e.message,
    )
  );
}

/** A web read of Redis that gives up after `ms` (several commands in a row, each already bounded). */
export const withTimeout = <T>(promise: Promise<T>, ms = 2 * WEB_REDIS_TIMEOUT_MS) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new RedisUnavailableError("Redis did not answer in time")), ms).unref())]);

let webRedis: RedisConnection | undefined;

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
