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
  };
}

export function appCookies() {
  cookies ??= build();
  return cookies;
}
