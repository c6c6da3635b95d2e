// Sign-in throttling: growing delays, never a lock. Failures are counted per
// account (or per known device) and per IP address over a burst window; past
// a few free failures each new one makes the next attempt wait twice as long,
// up to a short cap. The owner's right password always gets through after at
// most that cap, at once from a device they signed in from before (known
// device cookie), and a wrong password typed by someone else never locks them
// out for long (OWASP, Authentication cheat sheet: account lockout).
export const BURST_WINDOW_S = 15 * 60;
export const ACCOUNT_FREE_FAILURES = 5;
export const ACCOUNT_MAX_DELAY_S = 60;
// One IP address may be a whole office behind a NAT: more free failures, a longer cap.
export const IP_FREE_FAILURES = 30;
export const IP_MAX_DELAY_S = 5 * 60;

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;
export const deviceKey = (deviceId: string) => `device:${deviceId}`;

export type ThrottleRule = { free: number; maxDelayS: number };
export const ACCOUNT_RULE: ThrottleRule = { free: ACCOUNT_FREE_FAILURES, maxDelayS: ACCOUNT_MAX_DELAY_S };
export const IP_RULE: ThrottleRule = { free: IP_FREE_FAILURES, maxDelayS: IP_MAX_DELAY_S };

/** Seconds to wait after the n-th failure of a burst: none while free, then 1, 2, 4, … up to the cap. */
export function delayAfterFailure(failures: number, rule: ThrottleRule): number {
  if (failures <= rule.free) return 0;
  return Math.min(2 ** (failures - rule.free - 1), rule.maxDelayS);
}

/** The French answer to an attempt made before its delay is over. */
export function waitMessage(waitMs: number): string {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const wait = seconds < 60 ? `${seconds} seconde${seconds > 1 ? "s" : ""}` : `${Math.ceil(seconds / 60)} minute${seconds > 60 ? "s" : ""}`;
  return `Trop de tentatives de connexion. Réessayez dans ${wait}, ou réinitialisez votre mot de passe avec « Mot de passe oublié ».`;
}

/**
 * Password-reset requests: a fixed number per hour, per address asked for and
 * per IP address, counted whether or not the address has an account (so the
 * answer says nothing of who has one). Stops a script from filling someone's
 * mailbox or the outbox.
 */
export const RESET_WINDOW_S = 60 * 60;
export const RESET_PER_ACCOUNT = 3;
export const RESET_PER_IP = 20;

export function resetWaitMessage(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  return `Trop de demandes de lien pour le moment. Réessayez dans ${minutes} minute${minutes > 1 ? "s" : ""}, ou demandez de l'aide à la coordination.`;
}
