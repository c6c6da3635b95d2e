import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildNode } from "../../scripts/build-node.ts";
import { copyTestDatabase, createTestDatabase } from "./databases.ts";
import { PaDouble } from "./pa-double.ts";
import { StripeDouble } from "./stripe-double.ts";

// Starts the built app (dist/server.js) and its worker (dist/worker.js) on a
// seeded database of their own, as the demo runs them. Tests reach it over HTTP.
declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    appDatabaseUrl: string;
    stripeDoubleUrl: string;
    fuzzDatabaseUrl: string;
    fuzzEnv: string;
    paDoubleUrl: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");

/** Node's arguments for the compiled web server and worker, as npm start and npm run worker run them. */
export const SERVER_ARGS = ["--max-semi-space-size=64", "dist/server.js"];
export const WORKER_ARGS = ["dist/worker.js"];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  // Keep the app's own error output visible in the test log.
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[app] ${chunk}`));
  return child;
}

async function waitForHealth(url: string, child: ChildProcess) {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthcheck`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the app did not answer /healthcheck within 60 s");
}

export default async function setup(project: TestProject) {
  // Compiled afresh (a second or two): the Remix build is the caller's (npx remix build), the server's is ours.
  await buildNode();
  const databaseUrl = await createTestDatabase("app");
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    DEMO: "true",
    SECURE_COOKIES: "false",
    MAIL_TRANSPORT: "mailbox",
    SESSION_SECRET: "app-test-session-secret-long-enough-0123456789",
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    APP_URL: appUrl,
    // Its own BullMQ prefix: another test run on the same Redis never takes this app's jobs.
    QUEUE_PREFIX: `app-${port}-${process.pid}`,
  };
  // Invoicing talks to a local Stripe double through the SDK; the double signs its webhooks to the app.
  const webhookSecret = "whsec_app_tests_0123456789";
  const stripeDouble = await new StripeDouble({ webhookUrl: `${appUrl}/webhooks/stripe`, webhookSecret }).start();
  Object.assign(env, { STRIPE_SECRET_KEY: "sk_test_app_tests", STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_MAX_REQUESTS_PER_SECOND: "1000", ...stripeDouble.env });
  // E-invoices go to a local accredited-platform double (AFNOR Flow/Directory API), which calls back signed.
  const paDouble = await new PaDouble({ webhookUrl: `${appUrl}/webhooks/einvoicing`, ackDelayMs: 20, stepDelayMs: 100 }).start();
  Object.assign(env, paDouble.env);
  const seed = run("node", ["--import", "tsx", "prisma/seed.ts"], env);
  const [code] = await once(seed, "exit");
  if (code !== 0) throw new Error(`the seed failed with code ${code}`);
  // The fuzzer (tests/http/fuzz.test.ts) sends random forms that may well succeed
  // (erase a person, deactivate a user): it starts a server of its own (startFuzzServer)
  // on this copy of the seeded database, so no other test sees what it did.
  const fuzzDatabaseUrl = await copyTestDatabase(databaseUrl, "fuzz");
  const server = run("node", SERVER_ARGS, env);
  const worker = run("node", WORKER_ARGS, env);
  await waitForHealth(appUrl, server);
  project.provide("appUrl", appUrl);
  project.provide("appDatabaseUrl", databaseUrl);
  project.provide("stripeDoubleUrl", stripeDouble.url);
  project.provide("fuzzDatabaseUrl", fuzzDatabaseUrl);
  project.provide("fuzzEnv", JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => !(k in process.env) || process.env[k] !== env[k as keyof typeof env]))));
  project.provide("paDoubleUrl", paDouble.url);
  return async () => {
    for (const child of [server, worker]) child.kill("SIGTERM");
    await Promise.all([server, worker].map((c) => (c.exitCode === null ? once(c, "exit") : null)));
    await stripeDouble.stop();
    await paDouble.stop();
  };
}

/** The fuzzer's own web server (no worker: its jobs wait) on its copy of the seeded database; returns its URL and a stop. */
export async function startFuzzServer(databaseUrl: string, appEnv: Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = run("node", SERVER_ARGS.slice(1), { ...process.env, ...appEnv, DATABASE_URL: databaseUrl, PORT: String(port), APP_URL: url, QUEUE_PREFIX: `fuzz-${port}` });
  await waitForHealth(url, child);
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
