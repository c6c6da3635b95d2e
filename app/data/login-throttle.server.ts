import { RateLimiterPrisma } from "rate-limiter-flexible";
import { BURST_WINDOW_S, delayAfterFailure, RESET_PER_ACCOUNT, RESET_PER_IP, RESET_WINDOW_S, type ThrottleRule } from "~/domain/access/throttle.ts";
import { db } from "./db.server.ts";

// Sign-in throttling state, kept by rate-limiter-flexible in PostgreSQL (the
// LoginThrottle table): every web process, on every machine, sees the same
// counts, and a restart forgets nothing. Nothing is held in process memory.
// "failures:" counts a key's failures over a burst window; "wait:" holds the
// delay the last failure imposed (a block that expires on its own).
// "reset-account:" and "reset-ip:" count password-reset requests per hour.
let limiters: { failures: RateLimiterPrisma; waits: RateLimiterPrisma; resetAccount: RateLimiterPrisma; resetIp: RateLimiterPrisma } | undefined;

function throttles() {
  const limiter = (keyPrefix: string, points: number, duration: number) => new RateLimiterPrisma({ storeClient: db(), tableName: "loginThrottle", keyPrefix, points, duration });
  limiters ??= {
    failures: limiter("failures", 1_000_000, BURST_WINDOW_S),
    waits: limiter("wait", 1, 1),
    resetAccount: limiter("reset-account", RESET_PER_ACCOUNT, RESET_WINDOW_S),
    resetIp: limiter("reset-ip", RESET_PER_IP, RESET_WINDOW_S),
  };
  return limiters;
}

/**
 * Counts a password-reset request for the address and the IP address; 0 when
 * it may go ahead, else how long (ms) until the first of them allows another.
 */
export async function consumeResetRequest(accountKey: string, ipKey: string | null): Promise<number> {
  const attempts = [throttles().resetAccount.consume(accountKey), ...(ipKey ? [throttles().resetIp.consume(ipKey)] : [])];
  const results = await Promise.allSettled(attempts);
  const refused = results.flatMap((r) => (r.status === "rejected" && r.reason && typeof r.reason.msBeforeNext === "number" ? [r.reason.msBeforeNext as number] : []));
  const failed = results.find((r) => r.status === "rejected" && !(r.reason && typeof r.reason.msBeforeNext === "number"));
  if (failed && failed.status === "rejected") throw failed.reason;
  return refused.length > 0 ? Math.max(...refused) : 0;
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
