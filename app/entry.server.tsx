import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext, type HandleErrorFunction } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/components/nonce.tsx";
import { isDatabaseUnavailable } from "~/utils/errors.ts";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : undefined;
  // A loader that failed because the database is down answers 503, not 500.
  const errors = Object.values(remixContext.staticHandlerContext.errors ?? {});
  if (responseStatusCode === 500 && errors.some((e) => isDatabaseUnavailable(e))) responseStatusCode = 503;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) logError(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

// Logs carry the error and the path, never form data or personal data.
function logError(error: unknown, path?: string) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[error]${path ? ` ${path}` : ""} ${message}\n`);
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  // Aborted requests and thrown responses (404, 403...) are answers, not errors.
  if (request.signal.aborted || error instanceof Response) return;
  if (error && typeof error === "object" && "status" in error && "internal" in error) return;
  if (isDatabaseUnavailable(error)) {
    process.stderr.write(`[error] ${new URL(request.url).pathname} database unavailable\n`);
    return;
  }
  logError(error, new URL(request.url).pathname);
};
