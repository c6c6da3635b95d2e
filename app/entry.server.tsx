import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { NonceContext } from "~/components/nonce.tsx";
import { isDatabaseUnavailable } from "~/utils/errors.ts";
import { log, logError } from "~/utils/log.server.ts";

// The pages have no <Suspense> and no deferred data: rendered to one string,
// a page leaves in one write rather than as a stream of small chunks, which
// cost more CPU than the render itself under load (tests/bench/portal.ts).
export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext, loadContext: AppLoadContext) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : undefined;
  // A loader that failed because the database is down answers 503, not 500.
  const errors = Object.values(remixContext.staticHandlerContext.errors ?? {});
  if (responseStatusCode === 500 && errors.some((e) => isDatabaseUnavailable(e))) responseStatusCode = 503;
  const html = renderToString(
    <NonceContext.Provider value={nonce}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </NonceContext.Provider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return new Response(`<!DOCTYPE html>${html}`, { headers: responseHeaders, status: responseStatusCode });
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  // Aborted requests and thrown responses (404, 403...) are answers, not errors.
  if (request.signal.aborted || error instanceof Response) return;
  if (error && typeof error === "object" && "status" in error && "internal" in error) return;
  if (isDatabaseUnavailable(error)) {
    log.warn({ event: "request.database_unavailable", path: new URL(request.url).pathname }, "request.database_unavailable");
    return;
  }
  // The path, never the query, form data or personal data.
  logError("request.failed", error, { method: request.method, path: new URL(request.url).pathname });
};
