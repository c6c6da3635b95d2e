import { RateLimiterPrisma } from "rate-limiter-flexible";
import { BURST_WINDOW_S, delayAfterFailure, type ThrottleRule } from "~/domain/access/throttle.ts";
import { db } from "./db.server.ts";

// Sign-in throttling state, kept by rate-limiter-flexible in PostgreSQL (the
// LoginThrottle table): every web process, on every machine, sees the same
// counts, and a restart forgets nothing. Nothing is held in process memory.
// "failures:" counts a key's failures over a burst window; "wait:" holds the
// delay the last failure imposed (a block that expires on its own).
let limiters: { failures: RateLimiterPrisma; waits: RateLimiterPrisma } | undefined;

function throttles() {
  limiters ??= {
    failures: new RateLimiterPrisma({ storeClient: db(), tableName: "loginThrottle", keyPrefix: "failures", points: 1_000_000, duration: BURST_WINDOW_S }),
    waits: new RateLimiterPrisma({ storeClient: db(), tableName: "loginThrottle", keyPrefix: "wait", points: 1, duration: 1 }),
  };
  return limiters;
}

/** How long (ms) the longest of these keys must still wait; 0 when none. */
export async function remainingWaitMs(keys: string[]): Promise<number> {
  const waits = await Promise.all(keys.map((key) => throttles().waits.get(key)));
  return Math.max(0, ...waits.map((res) => (res && res.consumedPoints > 1 ? res.msBeforeNext : 0)));
}

/** Counts a failure for the key and starts its delay; returns the failures of the burst so far. */
export async function recordFailure(key: string, rule: ThrottleRule): Promise<number> {
  const { consumedPoints } = await throttles().failures.consume(key);
  const delay = delayAfterFailure(consumedPoints, rule);
  if (delay > 0) await throttles().waits.block(key, delay);
  return consumedPoints;
}

/** A successful sign-in ends the burst of its account (never of its IP address: a sprayer would reset it). */
export async function clearThrottle(key: string) {
  await Promise.all([throttles().failures.delete(key), throttles().waits.delete(key)]);
}
