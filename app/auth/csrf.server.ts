import { createHmac } from "node:crypto";
import { json } from "@remix-run/node";
import { auditQuietly } from "~/data/audit.server.ts";
import { env } from "~/utils/env.server.ts";
import { readBodyLimited } from "~/utils/http.server.ts";
import { randomToken, safeEqual } from "~/utils/tokens.server.ts";
import { cleanForm } from "~/utils/validation.ts";
import { appCookies, readSessionId } from "./cookies.server.ts";

export const CSRF_FIELD = "csrf";

/**
 * The token a form carries: an HMAC, keyed with SESSION_SECRET, of the random
 * value of the CSRF cookie AND of the session id (none before sign-in). A
 * cookie and token taken from another session (or planted from a sibling
 * domain) do not match this session's; a new session means a new token.
 */
function formToken(cookieValue: string, sessionId: string | null): string {
  return createHmac("sha256", env().SESSION_SECRET)
    .update(`csrf\0${cookieValue}\0${sessionId ?? ""}`)
    .digest("base64url");
}

async function readCsrfCookie(request: Request): Promise<string | null> {
  const value = await appCookies().csrf.parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length >= 32 ? value : null;
}

/** The token forms must echo; sets its cookie the first time. Called by the root loader. */
export async function csrfToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const existing = await readCsrfCookie(request);
  const cookieValue = existing ?? randomToken();
  const token = formToken(cookieValue, await readSessionId(request));
  return { token, setCookie: existing ? null : await appCookies().csrf.serialize(cookieValue) };
}

/**
 * Reads a submitted form (at most MAX_BODY_BYTES, else a 413) and checks its
 * CSRF token: double submit (the hidden field must match the signed cookie),
 * bound to the session (see formToken). Every action reads its form through
 * this, so no state-changing request goes unchecked.
 */
export async function readForm(request: Request): Promise<FormData> {
  const cookie = await readCsrfCookie(request);
  let form: FormData;
  const body = await readBodyLimited(request);
  try {
    // Control characters (a NUL byte) are taken out of every field here, once for every form.
    form = cleanForm(await new Response(body, { headers: { "Content-Type": request.headers.get("Content-Type") ?? "" } }).formData());
  } catch {
    throw json({ message: "Formulaire illisible." }, { status: 400 });
  }
  const field = form.get(CSRF_FIELD);
  if (!cookie || typeof field !== "string" || !safeEqual(formToken(cookie, await readSessionId(request)), field)) {
    await auditQuietly({
      action: "security.csrf_refused",
      outcome: "refused",
      entityType: "route",
      entityId: new URL(request.url).pathname,
      ip: clientIp(request),
    });
    throw json({ message: "Ce formulaire a expiré ou ne vient pas de cette application. Rechargez la page et recommencez." }, { status: 403 });
  }
  return form;
}

/** Set by server.ts from the socket (and X-Forwarded-For only behind a trusted proxy). */
export function clientIp(request: Request): string | null {
  return request.headers.get("x-client-ip");
}
