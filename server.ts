// The web server: Express with the Remix request handler.
// No log line per request on the hot path; compression only for text.
// WEB_CONCURRENCY processes share the port (node:cluster), one by default.
// On the shared 2-core test machine two did not beat one (tests/bench/portal.ts,
// BENCH_PROCESSES=2): set it on a machine the app has to itself, and measure.
// Start it with `node --max-semi-space-size=64` (npm start, scripts/demo.sh):
// rendering a page allocates a lot of short-lived objects, and a young
// generation of 64 MB instead of 16 lets them die there instead of being
// promoted and collected by full GCs. CPU per "my requests" page was 18 %
// lower in 4 paired runs of 4,000 pages (tests/bench/portal.ts measures it
// with BENCH_NODE_FLAGS), for up to about 150 MB more memory per process.
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { envOrExit } from "./app/utils/env.server.ts";
import { BODY_TOO_LARGE_MESSAGE, MAX_BODY_BYTES } from "./app/utils/limits.ts";
import { urlHasControlCharacters } from "./app/utils/validation.ts";

// Run compiled from dist/ (npm start) or from the sources with tsx: the root holds package.json.
const root = existsSync(path.join(import.meta.dirname, "package.json")) ? import.meta.dirname : path.dirname(import.meta.dirname);
// The whole environment is checked before anything listens (app/utils/env.server.ts).
const config = envOrExit("Web server");
const port = config.PORT;
// Loopback by default: in production a reverse proxy on the same machine
// forwards to it (README, Production notes); HOST=0.0.0.0 opens it to the network.
const host = config.HOST;
// Secure cookies and HSTS, unless explicitly turned off (the demo and the tests run over plain http).
const secureTransport = config.NODE_ENV === "production" && config.SECURE_COOKIES !== false;

export function securityHeaders(nonce: string) {
  return {
    "Content-Security-Policy": [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}

/** Says plainly when the server runs without secure cookies and HSTS (the demo, the tests). */
function transportNotice(): string {
  if (secureTransport || config.NODE_ENV !== "production") return "";
  return "Secure cookies and HSTS are OFF (SECURE_COOKIES=false): for the demo over plain http only, never in production.\n";
}

/** Express reads "true"/"false" and a hop count only as such, not as strings. */
function trustProxyValue(value: string): boolean | number | string {
  if (value === "true" || value === "false") return value === "true";
  return /^\d+$/.test(value) ? Number(value) : value;
}

async function serve() {
  const build = (await import(pathToFileURL(path.join(root, "build/index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  // Behind a reverse proxy, set TRUST_PROXY so the client address comes from it.
  if (config.TRUST_PROXY) app.set("trust proxy", trustProxyValue(config.TRUST_PROXY));
  app.use(compression({ threshold: 1024 }));

  // A body announced bigger than any form is refused before it is read (the
  // app also counts what it reads: readBodyLimited).
  app.use((req, res, next) => {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
      res.status(413).type("text/plain; charset=utf-8").send(BODY_TOO_LARGE_MESSAGE);
      return;
    }
    next();
  });

  // Fingerprinted assets never change: cache them for a year.
  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  // Other public files have an extension (favicon.ico, robots.txt): pages do not look for one on disk.
  const publicFiles = express.static(path.join(root, "public"), { maxAge: "1h" });
  app.use((req, res, next) => (/\.\w+$/.test(req.path) ? publicFiles(req, res, next) : next()));

  app.use((req, res, next) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    for (const [name, value] of Object.entries(securityHeaders(nonce))) res.setHeader(name, value);
    if (secureTransport) {
      res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
    // The app reads the client address from this header only: drop any sent by the client.
    req.headers["x-client-ip"] = req.ip ?? req.socket.remoteAddress ?? "";
    next();
  });

  // A NUL byte or another control character in the address names no page and no record: refused here, once for every route.
  app.use((req, res, next) => {
    if (!urlHasControlCharacters(req.originalUrl)) return next();
    res
      .status(400)
      .type("html")
      .send(`<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>Adresse invalide</title><p>Cette adresse contient un caractère invalide. Revenez à <a href="/">l'accueil</a>.</p></html>`);
  });

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: config.NODE_ENV,
      // A new object per request: loaders of one page share what they read through it (getSessionUserOnce).
      getLoadContext: (_req, res) => ({ cspNonce: res.locals.cspNonce as string }),
    }),
  );

  const server = app.listen(port, host, () => {
    if (cluster.isPrimary) process.stdout.write(`Conciergerie web server on http://${host}:${port}\n${transportNotice()}`);
  });
  const shutdown = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

function supervise(processes: number) {
  let stopping = false;
  let listening = 0;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("listening", () => {
    if (++listening === processes) process.stdout.write(`Conciergerie web server on http://${host}:${port} (${processes} processes)\n${transportNotice()}`);
  });
  // A process that dies is replaced; at shutdown, each finishes its requests.
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    process.stderr.write(`[error] web process ${worker.process.pid} exited (${signal ?? code}), starting another\n`);
    cluster.fork();
  });
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    const done = () => Object.keys(cluster.workers ?? {}).length === 0 && process.exit(0);
    cluster.on("exit", done);
    done();
    setTimeout(() => process.exit(0), 6000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

const processes = config.WEB_CONCURRENCY;
if (cluster.isPrimary && processes > 1) supervise(processes);
else await serve();
