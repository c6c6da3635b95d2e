import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it, inject } from "vitest";
import { SERVER_ARGS, WORKER_ARGS } from "../support/app-server.ts";
import { HttpClient } from "../support/http-client.ts";

// The compiled server with WEB_CONCURRENCY=2, as the demo runs it on two cores: the
// processes share the port, serve signed-in pages, and all stop on SIGTERM.
const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess | undefined;

async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

// ps exits with 1 when it lists nobody: read its output, not its status.
const childrenOf = (pid: number) =>
  spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => l.trim()).length;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

describe("several web processes", () => {
  it("serves pages from two processes on one port and stops them all on SIGTERM", async () => {
    const port = await freePort();
    child = spawn("node", SERVER_ARGS, {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        NODE_ENV: "production" as const,
        DEMO: "true",
        SECURE_COOKIES: "false",
        MAIL_TRANSPORT: "mailbox",
        SESSION_SECRET: "app-test-session-secret-long-enough-0123456789",
        DATABASE_URL: inject("appDatabaseUrl"),
        PORT: String(port),
        WEB_CONCURRENCY: "2",
      },
    });
    const [ready] = (await once(child.stdout!, "data")) as [Buffer];
    expect(ready.toString()).toContain("(2 processes)");
    expect(childrenOf(child.pid!)).toBe(2);

    const url = `http://127.0.0.1:${port}`;
    const client = await new HttpClient(url).login("gare-de-lyon@sncf.example");
    // Side by side, the requests open several connections, dealt out to both processes.
    const pages = await Promise.all(Array.from({ length: 6 }, () => client.get("/requests")));
    for (const page of pages) {
      expect(page.status).toBe(200);
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
      expect(nonce).toBeTruthy();
      expect(await page.text()).toContain(`nonce="${nonce}"`);
    }

    const pid = child.pid!;
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(childrenOf(pid)).toBe(0);
    await expect(fetch(`${url}/healthcheck`)).rejects.toThrow();
  });
});

describe("a bad environment", () => {
  // Both processes check every variable before they listen or connect, and name the bad ones.
  const start = (args: string[], env: Record<string, string>) =>
    spawnSync("node", args, {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NODE_ENV: "production", SESSION_SECRET: "app-test-session-secret-long-enough-0123456789", DATABASE_URL: inject("appDatabaseUrl"), ...env },
    });

  it("stops the web server at start, naming each bad variable, without a stack trace", () => {
    const run = start(SERVER_ARGS, { WEB_CONCURRENCY: "deux", TRUST_PROXY: "<script>", DEMO: "oui", PORT: "70000" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Web server not started. Invalid environment");
    for (const name of ["WEB_CONCURRENCY", "TRUST_PROXY", "DEMO", "PORT"]) expect(run.stderr).toContain(`  ${name}:`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a malformed Redis Cluster node list, or both REDIS_URL and REDIS_CLUSTER_NODES, in the web server and the worker", () => {
    for (const script of [SERVER_ARGS, WORKER_ARGS]) {
      const bad = start(script, { REDIS_CLUSTER_NODES: "127.0.0.1:7101,pas un nœud", REDIS_URL: "" });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain("  REDIS_CLUSTER_NODES: REDIS_CLUSTER_NODES est une liste hôte:port");
      const both = start(script, { REDIS_CLUSTER_NODES: "127.0.0.1:7101" });
      expect(both.status).toBe(1);
      expect(both.stderr).toContain("REDIS_URL, REDIS_CLUSTER_NODES: set exactly one");
      expect(both.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("stops the worker at start the same way", () => {
    const run = start(WORKER_ARGS, { EINVOICE_THREADS: "8", REDIS_URL: "pas-une-adresse" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Worker not started. Invalid environment");
    for (const name of ["EINVOICE_THREADS", "REDIS_URL"]) expect(run.stderr).toContain(`  ${name}:`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
