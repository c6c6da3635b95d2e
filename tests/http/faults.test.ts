import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import { createCookie } from "@remix-run/node";
import { afterEach, describe, expect, it, inject } from "vitest";
import { SERVER_ARGS } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";

// The same built app, started with a dependency out of reach.
const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess | undefined;
const SECRET = "app-test-session-secret-long-enough-0123456789";

async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startApp(overrides: Record<string, string>) {
  const port = await freePort();
  child = spawn("node", SERVER_ARGS, {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production" as const,
      DEMO: "true",
      SECURE_COOKIES: "false",
      SESSION_SECRET: SECRET,
      DATABASE_URL: inject("appDatabaseUrl"),
      PORT: String(port),
      ...overrides,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/healthcheck`);
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error("app did not start");
}

afterEach(async () => {
  child?.kill("SIGTERM");
  if (child && child.exitCode === null) await once(child, "exit");
});

describe("faults", () => {
  it("keeps signing people in and saving data while Redis is down, and says so in /healthcheck", async () => {
    const url = await startApp({ REDIS_URL: "redis://127.0.0.1:1" });
    const health = await fetch(`${url}/healthcheck`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ db: "ok", redis: "down", lagTolerantReads: "primary" }); // no replica configured
    const client = await new HttpClient(url).login("gare-de-lyon@sncf.example");
    // Saving an invitation writes its mail to the outbox: it waits there for Redis.
    const csrf = await client.csrfFrom("/users");
    // A partner admin invites into their own organisation: the form carries it in a hidden field.
    const [org] = /<input type="hidden" name="organisationId" value="([^"]+)"/.exec(await (await client.get("/users")).text())!.slice(1);
    const saved = await client.post("/users", { intent: "invite", name: "Pendant la panne", email: "panne-redis@sncf.example", role: "PARTNER_MEMBER", organisationId: org! }, { csrf });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Invitation envoyée à panne-redis@sncf.example");
  });

  it("answers a clear 503 when PostgreSQL is down", async () => {
    const url = await startApp({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/conciergerie" });
    const health = await fetch(`${url}/healthcheck`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ db: "down" });
    const client = new HttpClient(url);
    const login = await client.post("/login", { email: "agent@sncf.example", password: "whatever-password" });
    expect(login.status).toBe(503);
    expect(await login.text()).toContain("La base de données ne répond pas");
    // A correctly signed session cookie: the page must ask the database, which is down.
    const cookie = createCookie("conciergerie_session", { secrets: [SECRET] });
    client.cookies.set("conciergerie_session", (await cookie.serialize("some-session-id")).split(";")[0]!.split("=")[1]!);
    const page = await client.get("/requests");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("La base de données ne répond pas");
  });
});
