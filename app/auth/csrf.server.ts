import { json } from "@remix-run/node";
import { auditQuietly } from "~/data/audit.server.ts";
import { randomToken, safeEqual } from "~/utils/tokens.server.ts";
import { cleanForm } from "~/utils/validation.ts";
import { appCookies } from "./cookies.server.ts";

export const CSRF_FIELD = "csrf";

/** The token forms must echo; sets its cookie the first time. Called by the root loader. */
export async function csrfToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const existing = await appCookies().csrf.parse(request.headers.get("Cookie"));
  if (typeof existing === "string" && existing.length >= 32) return { token: existing, setCookie: null };
  const token = randomToken();
  return { token, setCookie: await appCookies().csrf.serialize(token) };
}

/**
 * Reads a submitted form and checks its CSRF token (double submit: the hidden
 * field must equal the signed cookie). Every action reads its form through
 * this, so no state-changing request goes unchecked.
 */
export async function readForm(request: Request): Promise<FormData> {
  const cookie = await appCookies().csrf.parse(request.headers.get("Cookie"));
  let form: FormData;
  try {
    // Control characters (a NUL byte) are taken out of every field here, once for every form.
    form = cleanForm(await request.formData());
  } catch {
    throw json({ message: "Formulaire illisible." }, { status: 400 });
  }
  const field = form.get(CSRF_FIELD);
  if (typeof cookie !== "string" || typeof field !== "string" || !safeEqual(cookie, field)) {
    await auditQuietly({
      action: "security.csrf_refused",
      outcome: "refused",
      entityType: "route",
      entityId: new URL(request.url).pathname,
      ip: clientIp(request),
    });
    throw json(
      { message: "Ce formulaire a expiré ou ne vient pas de cette application. Rechargez la page et recommencez." },
      { status: 403 },
    );
  }
  return form;
}

/** Set by server.ts from the socket (and X-Forwarded-For only behind a trusted proxy). */
export function clientIp(request: Request): string | null {
  return request.headers.get("x-client-ip");
}
