import { createCookie } from "@remix-run/node";
import { env, secureCookies } from "~/utils/env.server.ts";

// Cookies are signed with SESSION_SECRET: a forged or edited value reads as none.
// In production (HTTPS) the __Host- prefix pins them to this host and path.
let cookies: ReturnType<typeof build> | undefined;

function build() {
  const secure = secureCookies();
  const common = { httpOnly: true, sameSite: "lax" as const, path: "/", secure, secrets: [env().SESSION_SECRET] };
  return {
    session: createCookie(secure ? "__Host-session" : "conciergerie_session", common),
    csrf: createCookie(secure ? "__Host-csrf" : "conciergerie_csrf", common),
    // Set at each successful sign-in: this browser is a device its account knows (see auth.server.ts login).
    device: createCookie(secure ? "__Host-device" : "conciergerie_device", { ...common, maxAge: 180 * 24 * 60 * 60 }),
  };
}

export function appCookies() {
  cookies ??= build();
  return cookies;
}

/** The session id the request's signed session cookie carries (its row may have ended), or null. */
export async function readSessionId(request: Request): Promise<string | null> {
  const value = await appCookies().session.parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}
