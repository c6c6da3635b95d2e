import { json, redirect } from "@remix-run/node";
import { audit, auditQuietly } from "~/data/audit.server.ts";
import { clearThrottle, recordFailure, remainingWaitMs } from "~/data/login-throttle.server.ts";
import { findUserForLogin, revokePasswordResets, warnOwnerOfThrottling } from "~/data/users.server.ts";
import { can, type Actor, type Capability } from "~/domain/access/roles.ts";
import { ACCOUNT_FREE_FAILURES, ACCOUNT_RULE, accountKey, deviceKey, IP_RULE, ipKey, waitMessage } from "~/domain/access/throttle.ts";
import { randomToken } from "~/utils/tokens.server.ts";
import { appCookies } from "./cookies.server.ts";
import { clientIp } from "./csrf.server.ts";
import { verifyPassword } from "./password.server.ts";
import { getSessionUser, getSessionUserOnce, type SessionUser } from "./session.server.ts";

export const actorOf = (user: SessionUser): Actor => ({
  userId: user.userId,
  organisationId: user.organisationId,
  role: user.role,
});

/**
 * Only a path of this site: the value is parsed as a browser would (WHATWG URL)
 * against a placeholder origin, and refused unless it stays on that origin.
 * Control characters (tab, CR/LF, NUL), backslashes and unicode line or dot
 * separators are refused outright: browsers drop or rewrite them, so
 * "/\t/evil.example" would become "//evil.example". The answer is the
 * normalised path, query and hash, safe in a Location header.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.length > 2000) return fallback;
  if (/[\u0000-\u001f\u007f-\u009f\\\u2028\u2029\u3002\uff0e\uff61]/.test(to)) return fallback;
  const origin = "http://redirect.invalid";
  let url: URL;
  try {
    url = new URL(to, origin);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  // "/..//evil.example" normalises to "//evil.example": another site again.
  return url.origin === origin && !path.startsWith("//") ? path : fallback;
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back here.
 * Given the loader's `context`, the session is read once for the whole page (see getSessionUserOnce).
 */
export async function requireUser(request: Request, context?: object): Promise<SessionUser> {
  const user = await (context ? getSessionUserOnce(request, context) : getSessionUser(request));
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return user;
}

/** The signed-in user if their role has the capability; otherwise a 403, written to the audit log. */
export async function requireCapability(request: Request, capability: Capability, context?: object): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!can(user.role, capability)) {
    await auditQuietly({
      action: "access.denied",
      outcome: "refused",
      actorUserId: user.userId,
      organisationId: user.organisationId,
      entityType: "route",
      entityId: new URL(request.url).pathname,
      ip: clientIp(request),
      details: { capability },
    });
    throw forbidden();
  }
  return user;
}

export const forbidden = () => json({ message: "Cette page est réservée à d'autres rôles. Si vous pensez y avoir droit, contactez la coordination." }, { status: 403 });

/**
 * A record that does not exist and a record of another organisation get the
 * same 404: the answer never tells that someone else's id exists.
 */
export async function notFound(request: Request, user?: SessionUser, entity?: { type: string; id: string }): Promise<never> {
  if (user && entity) {
    await auditQuietly({
      action: "access.not_found",
      outcome: "refused",
      actorUserId: user.userId,
      organisationId: user.organisationId,
      entityType: entity.type,
      entityId: entity.id,
      ip: clientIp(request),
    });
  }
  throw json({ message: "Cette page n'existe pas ou ne vous est pas accessible." }, { status: 404 });
}

export type LoginResult = { ok: true; userId: string } | { ok: false; message: string };

const WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect.";

/** A browser an account signed in from before: a signed cookie naming the account and the device. */
export type KnownDevice = { userId: string; deviceId: string };

export async function readKnownDevice(request: Request): Promise<KnownDevice | null> {
  const value = await appCookies().device.parse(request.headers.get("Cookie"));
  const ok = value && typeof value === "object" && typeof value.userId === "string" && typeof value.deviceId === "string";
  return ok ? { userId: value.userId, deviceId: value.deviceId } : null;
}

/** The device cookie to set after a successful sign-in (the same device id when the browser already had one for this account). */
export async function knownDeviceCookie(userId: string, previous: KnownDevice | null): Promise<string> {
  const deviceId = previous?.userId === userId ? previous.deviceId : randomToken(16);
  return appCookies().device.serialize({ userId, deviceId } satisfies KnownDevice);
}

/**
 * Checks a password, throttled by growing delays (app/domain/access/throttle.ts),
 * never locked: failures count against the account (or, from a device this
 * account signed in from before, against that device only) and against the IP
 * address. An attempt made before its delay is over is refused without being
 * counted. The owner gets one mail when a burst starts being throttled.
 */
export async function login(email: string, password: string, ip: string | null, device: KnownDevice | null = null): Promise<LoginResult> {
  const user = await findUserForLogin(email);
  const fromKnownDevice = !!user && device?.userId === user.id;
  const ownKey = fromKnownDevice ? deviceKey(device.deviceId) : accountKey(email);
  const keys = [ownKey, ...(ip ? [ipKey(ip)] : [])];
  const waitMs = await remainingWaitMs(keys);
  if (waitMs > 0) {
    await audit({ action: "auth.login_throttled", outcome: "refused", actorUserId: user?.id ?? null, ip, details: { waitMs } });
    return { ok: false, message: waitMessage(waitMs) };
  }
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid || user.deactivatedAt || !user.membership) {
    const failures = await recordFailure(ownKey, ACCOUNT_RULE);
    if (ip) await recordFailure(ipKey(ip), IP_RULE);
    // The first throttled failure of a burst: the owner hears of it, once.
    if (user && !fromKnownDevice && failures === ACCOUNT_FREE_FAILURES + 1) await warnOwnerOfThrottling(user.id);
    await audit({
      action: "auth.login_refused",
      outcome: "refused",
      actorUserId: user?.id ?? null,
      ip,
      details: { reason: !user ? "unknown_email" : user.deactivatedAt ? "deactivated" : "wrong_password" },
    });
    return { ok: false, message: WRONG_CREDENTIALS };
  }
  await clearThrottle(ownKey);
  await revokePasswordResets(user.id);
  await audit({ action: "auth.login", outcome: "ok", actorUserId: user.id, organisationId: user.membership.organisationId, ip });
  return { ok: true, userId: user.id };
}
