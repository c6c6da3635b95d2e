// Benchmark of the partner portal (not a test): "my requests" and order
// submission under 50 connections, against a bare node:http + pg server that
// runs the same SQL and returns the same HTML, measured in the same run.
//
//   source scripts/test-env.sh && npx remix build && npx tsx tests/bench/portal.ts
//
// Data: 200 partners and 100,000 requests (200,000 interventions). Both
// servers run BENCH_PROCESSES processes (default 1; 2 measures node:cluster), so the ratio
// compares like with like; the machine's load average is printed beside the
// figures, which are only comparable within one run. BENCH_PORTAL_ROOT runs
// the portal from another checkout (e.g. an earlier commit, built there).
// Both servers run side by side and are loaded in turn, BENCH_ROUNDS times
// (default 3): the machine is shared, so each figure is the median of its
// rounds, and a burst of someone else's work hits both servers alike.
// Both get the production server's node flags (BENCH_NODE_FLAGS to change them).
// Beside req/s, each server's CPU time per response (from /proc) is printed:
// it moves much less than req/s when someone else loads the machine.
// The portal's sign-in page, which runs no SQL, is loaded too, for scale: what
// a page of the framework costs by itself on this machine.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import autocannon from "autocannon";
import pg from "pg";
import { createTestDatabase, dropTestDatabase } from "../support/databases.ts";

const root = path.resolve(import.meta.dirname, "../..");
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 50;
const PASSWORD = "bench-password-2026";
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** Node flags of both servers: production's (npm start, see server.ts) unless BENCH_NODE_FLAGS says otherwise ("" for none). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "--max-semi-space-size=64").split(" ").filter(Boolean);
const load1 = () => loadavg()[0]!.toFixed(1);

async function seed(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const passwordHash = await hash(PASSWORD);
  const started = performance.now();
  await c.query(`
    INSERT INTO "Skill"(id, code, label) VALUES ('sk1', 'nettoyage', 'Nettoyage');
    INSERT INTO "Prestation"(id, code, category, name, description, "skillId", "pricingUnit", "priceCents", "vatRateBasisPoints", "minNoticeDays", "updatedAt")
      VALUES ('pr1', 'nettoyage', 'Nettoyage', 'Nettoyage des passerelles', 'Balayage et lavage.', 'sk1', 'PER_PARTICIPANT_HOUR', 2200, 2000, 2, now());
    INSERT INTO "Organisation"(id, kind, name, slug, "updatedAt") SELECT 'org' || g, 'PARTNER', 'Partenaire ' || g, 'partenaire-' || g, now() FROM generate_series(1, 200) g;
    INSERT INTO "Site"(id, "organisationId", name, address, "postalCode", city) SELECT 'site' || g, 'org' || g, 'Site ' || g, g || ' rue du Banc', '75012', 'Paris' FROM generate_series(1, 200) g;
    `);
  await c.query(`INSERT INTO "User"(id, email, name, "passwordHash", "updatedAt") SELECT 'user' || g, 'bench' || g || '@bench.example', 'Bench ' || g, $1, now() FROM generate_series(1, 200) g`, [
    passwordHash,
  ]);
  await c.query(`INSERT INTO "Membership"(id, "userId", "organisationId", role) SELECT 'mem' || g, 'user' || g, 'org' || g, 'PARTNER_ADMIN' FROM generate_series(1, 200) g`);
  await c.query(`
    INSERT INTO "ServiceRequest"(id, reference, "organisationId", "siteId", "prestationId", "durationMinutes", "teamSize", "unitPriceCents", "vatRateBasisPoints", "createdAt", "updatedAt")
      SELECT 'req' || g, 'DEM-B-' || lpad(g::text, 6, '0'), 'org' || (g % 200 + 1), 'site' || (g % 200 + 1), 'pr1', 180, 2, 2200, 2000, now() - (g || ' minutes')::interval, now()
      FROM generate_series(1, 100000) g;
    INSERT INTO "Intervention"(id, "requestId", "organisationId", "siteId", "startsAt", "endsAt", "durationMinutes", "participantsNeeded", status, "updatedAt")
      SELECT 'int' || g || '-' || k, 'req' || g, 'org' || (g % 200 + 1), 'site' || (g % 200 + 1),
             now() - (g || ' minutes')::interval + (k || ' days')::interval, now() - (g || ' minutes')::interval + (k || ' days')::interval + interval '3 hours',
             180, 2, (CASE WHEN k = 1 THEN 'DONE' ELSE 'SCHEDULED' END)::"InterventionStatus", now()
      FROM generate_series(1, 100000) g, generate_series(1, 2) k;`);
  // As autovacuum leaves a live database: statistics, visibility map and hint bits set before measuring.
  await c.query("VACUUM ANALYZE");
  await c.end();
  return Math.round(performance.now() - started);
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout!.on("data", () => resolve(child)));
}

async function stop(child: ChildProcess) {
  child.kill("SIGTERM");
  if (child.exitCode === null) await once(child, "exit");
}

/** CPU time (user + system, ms) a process has used so far, from /proc (NaN where there is none). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = 100;

/** cpuMs: the server's CPU per response (one process only: a cluster's workers are not counted), steadier than req/s on a shared machine. */
type Result = { rps: number; p50: number; p99: number; errors: number; cpuMs: number };
async function load(url: string, opts: Partial<autocannon.Options>, server?: ChildProcess): Promise<Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2, ...opts }); // warm-up
  const cpuBefore = PROCESSES === 1 ? cpuMsOf(server?.pid) : Number.NaN;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...opts });
  const cpuMs = (cpuMsOf(server?.pid) - cpuBefore) / Math.max(1, r.requests.total);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx - (opts.method === "POST" ? (r["3xx"] ?? 0) : 0), cpuMs };
}

async function main() {
  const url = await createTestDatabase("bench");
  console.log(`Seeding 200 partners, 100,000 requests, 200,000 interventions… ${await seed(url)} ms`);
  const env = {
    NODE_ENV: "production" as const,
    SECURE_COOKIES: "false",
    DATABASE_URL: url,
    SESSION_SECRET: "bench-session-secret-long-enough-0123456789",
    MAIL_TRANSPORT: "mailbox",
    WEB_CONCURRENCY: String(PROCESSES),
  };
  const loadBefore = load1();
  // BENCH_PORTAL_ROOT: the portal of another checkout (an earlier version, built), against the same baseline.
  const portal = await start("node", [...NODE_FLAGS, "--import", "tsx", "server.ts"], { ...env, PORT: "3201" }, process.env.BENCH_PORTAL_ROOT ?? root);
  const base = "http://127.0.0.1:3201";

  // Sign in as partner 1, as a browser would.
  const loginPage = await fetch(`${base}/login`);
  const csrfCookie = loginPage.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const csrf = /name="csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: csrfCookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "bench1@bench.example", password: PASSWORD, csrf }),
  });
  const cookie = [csrfCookie, ...login.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  const page = await fetch(`${base}/requests`, { headers: { Cookie: cookie } });
  if (page.status !== 200) throw new Error(`my requests answered ${page.status}`);
  const pageFile = path.join(tmpdir(), "portal-page.html");
  const pageHtml = await page.text();
  writeFileSync(pageFile, pageHtml);
  // The CSRF token is bound to the session: forms after sign-in carry the signed-in page's token.
  const sessionCsrf = /name="csrf" value="([^"]+)"/.exec(pageHtml)?.[1];
  if (!sessionCsrf) throw new Error("no CSRF token on the signed-in page");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query(`SELECT id FROM "Session" WHERE "userId" = 'user1' ORDER BY "createdAt" DESC LIMIT 1`);
  await c.end();

  // An order: a new submission key for each request, so each one is a new order.
  const day = new Date(Date.now() + 21 * 86_400_000);
  while (day.getUTCDay() !== 2) day.setUTCDate(day.getUTCDate() + 1);
  let n = 0;
  const order = () =>
    new URLSearchParams({
      csrf: sessionCsrf,
      submissionKey: `bench-order-${process.pid}-${String(++n).padStart(8, "0")}`,
      prestationId: "pr1",
      siteId: "site1",
      date: day.toISOString().slice(0, 10),
      startTime: "09:00",
      durationMinutes: "180",
      teamSize: "2",
      recurrence: "NONE",
    }).toString();
  const post = {
    method: "POST" as const,
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    requests: [{ method: "POST" as const, path: "/requests/new", setupRequest: (req: autocannon.Request) => ({ ...req, body: order() }) }],
  };

  const bare = await start("node", [...NODE_FLAGS, "--import", "tsx", "tests/bench/portal-bare-server.ts"], { ...env, PORT: "3202", PAGE_HTML_FILE: pageFile, SESSION_HASH: rows[0].id });
  const rounds: { portalList: Result; bareList: Result; portalOrder: Result; bareOrder: Result; portalSignIn: Result }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rounds.push({
      portalList: await load(`${base}/requests`, { headers: { Cookie: cookie } }, portal),
      bareList: await load("http://127.0.0.1:3202/requests", {}, bare),
      portalOrder: await load(base, post, portal),
      bareOrder: await load("http://127.0.0.1:3202", post, bare),
      portalSignIn: await load(`${base}/login`, {}, portal),
    });
  }
  await Promise.all([stop(portal), stop(bare)]);
  const medianOf = (key: keyof (typeof rounds)[number]): Result => {
    const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const results = rounds.map((r) => r[key]);
    return {
      rps: mid(results.map((r) => r.rps)),
      p50: mid(results.map((r) => r.p50)),
      p99: mid(results.map((r) => r.p99)),
      errors: results.reduce((n, r) => n + r.errors, 0),
      cpuMs: mid(results.map((r) => r.cpuMs)),
    };
  };
  const [portalList, bareList, portalOrder, bareOrder, portalSignIn] = (["portalList", "bareList", "portalOrder", "bareOrder", "portalSignIn"] as const).map(medianOf);
  for (const [i, r] of rounds.entries()) {
    console.log(
      `round ${i + 1}: GET ${r.portalList.rps} vs ${r.bareList.rps} req/s (${(r.portalList.rps / r.bareList.rps).toFixed(2)}), POST ${r.portalOrder.rps} vs ${r.bareOrder.rps} req/s (${(r.portalOrder.rps / r.bareOrder.rps).toFixed(2)})`,
    );
  }

  const line = (name: string, r: Result, b: Result) =>
    `${name.padEnd(22)} ${String(r.rps).padStart(7)} ${String(r.p50).padStart(6)} ${String(r.p99).padStart(6)} | ${String(b.rps).padStart(7)} ${String(b.p50).padStart(6)} ${String(b.p99).padStart(6)} | ${(r.rps / b.rps).toFixed(2).padStart(5)} | errors ${r.errors}/${b.errors}`;
  console.log(
    `\n${CONNECTIONS} connections, ${DURATION} s each, same machine, same run, medians of ${ROUNDS} rounds; ${PROCESSES} process(es) for each server, node flags: ${NODE_FLAGS.join(" ") || "none"}; load average ${loadBefore} before, ${load1()} after`,
  );
  console.log(`${"".padEnd(22)} ${"portal req/s".padStart(7)} p50 ms p99 ms | ${"bare req/s".padStart(7)} p50 ms p99 ms | ratio`);
  console.log(line("my requests (GET)", portalList, bareList));
  console.log(line("order (POST)", portalOrder, bareOrder));
  const cpu = (name: string, r: Result, b: Result) => `${name.padEnd(22)} ${r.cpuMs.toFixed(2).padStart(7)} | ${b.cpuMs.toFixed(2).padStart(7)} | ${(b.cpuMs / r.cpuMs).toFixed(2).padStart(5)}`;
  console.log(`\nServer CPU per response (ms, user + system, median of the rounds): bare / portal is the ratio if CPU alone counted`);
  console.log(`${"".padEnd(22)} ${"portal".padStart(7)} | ${"bare".padStart(7)} | ratio`);
  console.log(cpu("my requests (GET)", portalList, bareList));
  console.log(cpu("order (POST)", portalOrder, bareOrder));
  console.log(
    `\nFor scale, the portal's sign-in page (no SQL): ${portalSignIn.rps} req/s, p50 ${portalSignIn.p50} ms, p99 ${portalSignIn.p99} ms, ${portalSignIn.cpuMs.toFixed(2)} ms of CPU per page`,
  );
  // Little's law: with every connection always waiting, the mean latency is connections / throughput, and a p99 is above the mean.
  const needed = Math.ceil((CONNECTIONS * 1000) / 150);
  console.log(
    `A p99 under 150 ms at ${CONNECTIONS} connections needs more than ${needed} req/s (mean latency = connections / throughput): ${(needed / bareList.rps).toFixed(2)} of the bare server here`,
  );
  console.log("Target: ratio >= 0.35 and portal p99 < 150 ms on the list page.");
  await dropTestDatabase(url);
}

await main();
process.exit(0);
