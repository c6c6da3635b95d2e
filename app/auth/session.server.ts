import { redirect } from "@remix-run/node";
import { auditQuietly } from "~/data/audit.server.ts";
import { createSessionRow, deleteSession, findSession, touchSession } from "~/data/sessions.server.ts";
import type { Role } from "~/domain/access/roles.ts";
import { orUnavailable } from "~/utils/http.server.ts";
import { randomToken, sha256 } from "~/utils/tokens.server.ts";
import { appCookies, readSessionId } from "./cookies.server.ts";
import { clientIp } from "./csrf.server.ts";

export const IDLE_TIMEOUT_MS = 2 * 60 * 60 * 1000; // 2 h without a request ends the session
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000; // a working day at most
const TOUCH_EVERY_MS = 60 * 1000; // write lastSeenAt at most once a minute

export type SessionUser = {
  sessionIdHash: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string;
  organisationName: string;
  organisationKind: "PARTNER" | "INTERNAL" | "CONCIERGERIE";
};

const carriesCookie = (request: Request, name: string) =>
  (request.headers.get("Cookie") ?? "").split(";").some((part) => {
    const [key, value] = part.trim().split("=");
    return key === name && !!value;
  });

/** The signed-in user, or null (no cookie, forged cookie, ended or timed-out session, deactivated user). */
export async function getSessionUser(request: Request, now = new Date()): Promise<SessionUser | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) {
    if (carriesCookie(request, appCookies().session.name)) {
      // A session cookie whose signature does not hold: forged or tampered.
      await auditQuietly({ action: "auth.session_refused", outcome: "refused", ip: clientIp(request), details: { reason: "bad_signature" } });
    }
    return null;
  }
  const idHash = sha256(sessionId);
  // Every signed-in page starts here: a database that does not answer is a 503.
  const session = await orUnavailable(() => findSession(idHash));
  if (!session) return null;
  const { user } = session;
  const expired = session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > IDLE_TIMEOUT_MS;
  if (expired || user.deactivatedAt || !user.membership || user.membership.organisation.archivedAt) {
    await deleteSession(idHash);
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(idHash, now);
  return {
    sessionIdHash: idHash,
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.membership.role,
    organisationId: user.membership.organisation.id,
    organisationName: user.membership.organisation.name,
    organisationKind: user.membership.organisation.kind,
  };
}

// The root loader and the page's loader run side by side for one page: they
// share one lookup through the request's load context (a new object per
// request, made by server.ts), rather than reading the session twice.
const lookups = new WeakMap<object, Promise<SessionUser | null>>();

/** getSessionUser, once per request: every caller given the same load context gets the same answer. */
export function getSessionUserOnce(request: Request, context: object): Promise<SessionUser | null> {
  let lookup = lookups.get(context);
  if (!lookup) {
    lookup = getSessionUser(request);
    lookups.set(context, lookup);
  }
  return lookup;
}

/** Starts a new session (a new id at every sign-in) and redirects with its cookie (and any other cookie given). */
export async function startSession(userId: string, redirectTo: string, previous: Request, otherCookies: string[] = []) {
  const oldId = await readSessionId(previous);
  if (oldId) await deleteSession(sha256(oldId));
  const sessionId = randomToken();
  await createSessionRow(sha256(sessionId), userId, new Date(Date.now() + ABSOLUTE_TIMEOUT_MS));
  const headers = new Headers();
  headers.append("Set-Cookie", await appCookies().session.serialize(sessionId, { maxAge: ABSOLUTE_TIMEOUT_MS / 1000 }));
  for (const cookie of otherCookies) headers.append("Set-Cookie", cookie);
  return redirect(redirectTo, { headers });
}

export async function endSession(request: Request, redirectTo = "/login") {
  const sessionId = await readSessionId(request);
  if (sessionId) await deleteSession(sha256(sessionId));
  return redirect(redirectTo, {
    headers: { "Set-Cookie": await appCookies().session.serialize("", { maxAge: 0 }) },
  });
}
