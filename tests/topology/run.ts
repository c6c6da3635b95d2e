// The topology test's driver (npm run test:topology, started by scripts/test-topology.sh
// once the Redis Cluster and the PostgreSQL primary and replica run). It starts
// HAProxy (deploy/haproxy/conciergerie.cfg) in front of two web processes, two
// workers, the Stripe and PA doubles; runs the whole chain over HTTP from
// several clients at once while it kills a web process, a worker and a Redis
// master and stops the replica for a while; checks the invariants; then
// saturates the web processes and the workers (what one of each can take);
// prints the figures and exits 1 when an invariant fails.
import { exec as execCallback, execSync, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { availableParallelism } from "node:os";
import { Queue } from "bullmq";
import { Cluster } from "ioredis";
import pg from "pg";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisInstant, parisParts } from "~/domain/calendar/paris.ts";
import { monthBounds, monthOf, previousMonth, type Month } from "~/domain/invoicing/period.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { QUEUE_NAMES } from "~/queues/registry.ts";
import { PaDouble } from "../support/pa-double.ts";
import { SERVER_ARGS, WORKER_ARGS } from "../support/app-server.ts";
import { StripeDouble } from "../support/stripe-double.ts";
import { measureBaselineSeconds } from "../bench/noop-baseline.ts";

function need(name: string): string {
  const value = process.env[name];
  if (value !== undefined) return value;
  console.error(`${name} is not set: run npm run test:topology`);
  process.exit(2);
}
const DATA = need("TOPO_DATA");
const HTTP_BASE = Number(need("TOPO_HTTP_BASE"));
const REDIS_NODES = need("TOPO_REDIS_NODES");
const PRIMARY_URL = need("TOPO_PRIMARY_URL");
const REPLICA_URL = need("TOPO_REPLICA_URL");
const PROXY = `http://127.0.0.1:${HTTP_BASE}`;
const QUEUE_PREFIX = "topo";
const PASSWORD = "demo-conciergerie-2026";
const REPLICA_MAX_LAG_SECONDS = 5;
const ORDER_SECONDS = Number(process.env.TOPO_ORDER_SECONDS ?? 90);
const CLIENTS = Number(process.env.TOPO_CLIENTS ?? 6);
const started = Date.now();
const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`[topology ${at()}] ${line}\n`);
const exec = promisify(execCallback);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── Processes ────────────────────────────────────────────────────────────────
const children = new Set<ChildProcess>();
function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const out = createWriteStream(`${DATA}/logs/${name}.log`, { flags: "a" });
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}
function stopAll() {
  for (const child of children) child.kill("SIGKILL");
}
process.on("exit", stopAll);

const stripeSecret = "whsec_topology_0123456789";
const stripe = await new StripeDouble({ webhookUrl: `${PROXY}/webhooks/stripe`, webhookSecret: stripeSecret }).start(HTTP_BASE + 6);
const pa = await new PaDouble({ webhookUrl: `${PROXY}/webhooks/einvoicing`, ackDelayMs: 20, stepDelayMs: 100 }).start(HTTP_BASE + 7);

const appEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DEMO: "true",
  SECURE_COOKIES: "false",
  MAIL_TRANSPORT: "mailbox",
  SESSION_SECRET: "topology-session-secret-long-enough-0123456789",
  DATABASE_URL: PRIMARY_URL,
  DATABASE_REPLICA_URL: REPLICA_URL,
  REPLICA_MAX_LAG_SECONDS: String(REPLICA_MAX_LAG_SECONDS),
  REDIS_URL: "",
  REDIS_CLUSTER_NODES: REDIS_NODES,
  QUEUE_PREFIX,
  APP_URL: PROXY,
  TRUST_PROXY: "loopback",
  HOST: "127.0.0.1",
  STRIPE_SECRET_KEY: "sk_test_topology",
  STRIPE_WEBHOOK_SECRET: stripeSecret,
  STRIPE_MAX_REQUESTS_PER_SECOND: "1000",
  ...stripe.env,
  ...pa.env,
  LOG_LEVEL: "warn",
};

const webs: Record<string, ChildProcess> = {};
const workers: Record<string, ChildProcess> = {};
const startWeb = (n: 1 | 2) => (webs[n] = run(`web${n}`, "node", SERVER_ARGS, { ...appEnv, PORT: String(HTTP_BASE + n) }));
const startWorker = (n: 1 | 2) => (workers[n] = run(`worker${n}`, "node", WORKER_ARGS, { ...appEnv, LOCK_MS: "5000" }));

async function healthy(url: string, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthcheck`)).ok) return;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer /healthcheck`);
}

say("starting HAProxy, 2 web processes, 2 workers");
startWeb(1);
startWeb(2);
startWorker(1);
startWorker(2);
// The repository's file, plus an admin socket: the figures read its counters, the saturation phase takes web2 out.
writeFileSync(`${DATA}/haproxy-stats.cfg`, `global\n    stats socket ${DATA}/haproxy.sock mode 600 level admin\n`);
run("haproxy", "haproxy", ["-db", "-f", "deploy/haproxy/conciergerie.cfg", "-f", `${DATA}/haproxy-stats.cfg`], {
  ...process.env,
  CONCIERGERIE_BIND: `127.0.0.1:${HTTP_BASE}`,
  CONCIERGERIE_WEB1: `127.0.0.1:${HTTP_BASE + 1}`,
  CONCIERGERIE_WEB2: `127.0.0.1:${HTTP_BASE + 2}`,
});
await Promise.all([healthy(`http://127.0.0.1:${HTTP_BASE + 1}`), healthy(`http://127.0.0.1:${HTTP_BASE + 2}`)]);
await healthy(PROXY);
// The proxy's log from here on: before, its checks had not yet found the web processes up.
const proxyLogFrom = readFileSync(`${DATA}/logs/haproxy.log`, "utf8").split("\n").length - 1;
say("topology up");

// ── A small browser (cookies, CSRF), through the proxy ───────────────────────
class Client {
  cookies = new Map<string, string>();
  requests = 0;
  private header = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      if (/max-age=0/i.test(line) || pair!.slice(eq + 1) === "") this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  /** Milliseconds each request took until its body was read, when set (the saturation phase). */
  latencies: number[] | null = null;
  private async send(path: string, init: RequestInit = {}) {
    this.requests++;
    const sentAt = performance.now();
    const response = await fetch(PROXY + path, { ...init, headers: { ...init.headers, Cookie: this.header() }, redirect: "manual" });
    this.keep(response);
    // The body read here, so the time is the whole answer's; the callers read it from the copy.
    const body = await response.arrayBuffer();
    this.latencies?.push(performance.now() - sentAt);
    return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, headers: response.headers });
  }
  get(path: string) {
    return this.send(path);
  }
  async post(path: string, fields: Record<string, string>, from = path) {
    const page = await (await this.get(from)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error(`no CSRF field on ${from}`);
    return this.send(path, { method: "POST", body: new URLSearchParams({ ...fields, csrf }), headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  }
  async login(email: string) {
    // On an overloaded machine a sign-in may time out (a 500 from a busy database): try again, for up to 3 minutes.
    let last = "";
    const giveUp = Date.now() + 180_000;
    while (Date.now() < giveUp) {
      try {
        const response = await this.post("/login", { email, password: PASSWORD, redirectTo: "/" }, "/login");
        if (response.status === 302) return this;
        last = `HTTP ${response.status}`;
        if (response.status >= 500) failures.push(Date.now());
      } catch (error) {
        last = String(error);
        failures.push(Date.now());
      }
      await sleep(1000);
    }
    throw new Error(`${email} could not sign in (${last})`);
  }
}

// Failover as users saw it: every failed request (network error or 5xx) is
// timed; consecutive failures of all clients make one outage window.
const failures: number[] = [];
let requestsOk = 0;

// ── Faults, in the middle of the load ────────────────────────────────────────
const primary = new pg.Pool({ connectionString: PRIMARY_URL, max: 4 });
const sql = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await primary.query<T>(text, values)).rows;
const clusterNodes = REDIS_NODES.split(",").map((n) => ({ host: n.split(":")[0]!, port: Number(n.split(":")[1]) }));
const redis = new Cluster(clusterNodes, { redisOptions: { maxRetriesPerRequest: null }, retryDelayOnFailover: 200, retryDelayOnClusterDown: 300 });
const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: redis, prefix: `{${QUEUE_PREFIX}:${name}}` }));
const schedulingQueue = queues[QUEUE_NAMES.indexOf("scheduling")]!;

const faults: { what: string; at: string; recoveredMs?: number }[] = [];
async function faultPlan() {
  await sleep(10_000);
  say("fault: kill -9 web1");
  webs[1]!.kill("SIGKILL");
  faults.push({ what: "web1 killed (kill -9), restarted 10 s later", at: at() });
  await sleep(10_000);
  startWeb(1);

  say("fault: kill -9 worker1");
  workers[1]!.kill("SIGKILL");
  faults.push({ what: "worker1 killed (kill -9), restarted 5 s later", at: at() });
  await sleep(5_000);
  startWorker(1);

  // The master that holds the scheduling queue's slot: staffing waits on its failover.
  const slot = Number(await redis.cluster("KEYSLOT", `{${QUEUE_PREFIX}:scheduling}`));
  const shards = (await redis.cluster("SLOTS")) as unknown as [number, number, [string, number, string]][];
  const owner = shards.find(([from, to]) => slot >= from && slot <= to)![2];
  const pid = Number(execSync(`redis-cli -p ${owner[1]} info server | grep process_id | cut -d: -f2`).toString().trim());
  say(`fault: kill -9 the Redis master ${owner[0]}:${owner[1]} (slot ${slot}: the scheduling queue)`);
  const killedAt = Date.now();
  process.kill(pid, "SIGKILL");
  let recoveredMs: number | undefined;
  while (Date.now() - killedAt < 60_000) {
    try {
      await Promise.race([schedulingQueue.getJobCounts("waiting"), sleep(1000).then(() => Promise.reject(new Error("timeout")))]);
      recoveredMs = Date.now() - killedAt;
      break;
    } catch {
      await sleep(100);
    }
  }
  // The scheduling queue answers once a replica took over; measured from a fresh client's point of view.
  let ok = false;
  while (!ok && Date.now() - killedAt < 60_000) {
    const info = execSync(`redis-cli -p ${clusterNodes.find((n) => n.port !== owner[1])!.port} cluster info`).toString();
    ok = info.includes("cluster_state:ok");
    if (!ok) await sleep(100);
  }
  const clusterOkMs = Date.now() - killedAt;
  faults.push({ what: `Redis master :${owner[1]} killed (kill -9): queue answering again after ${recoveredMs} ms, cluster_state:ok after ${clusterOkMs} ms`, at: at(), recoveredMs });
  redisFailoverMs = Math.max(recoveredMs ?? 60_000, clusterOkMs);
  // The killed node comes back as a replica of its former replica.
  execSync(
    `redis-server --port ${owner[1]} --bind 127.0.0.1 --dir ${DATA}/redis/${owner[1]} --daemonize yes --pidfile ${DATA}/redis/${owner[1]}/pid --logfile ${DATA}/redis/${owner[1]}/log --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 --appendonly yes --save ""`,
  );

  await sleep(5_000);
  say("fault: the PostgreSQL replica stopped for 20 s");
  const stoppedAt = Date.now();
  // Not execSync: the driver's clients must keep going while pg_ctl waits.
  await exec(need("TOPO_REPLICA_STOP"));
  replicaDown = true;
  const downMs = await readsGo("primary", 30_000);
  await sleep(Math.max(0, 20_000 - (Date.now() - stoppedAt)));
  await exec(need("TOPO_REPLICA_START"));
  replicaDown = false;
  const upMs = await readsGo("replica", 30_000);
  say("the replica is back");
  replicaFaults.push({ what: "replica stopped 20 s", movedMs: downMs, backMs: upMs });
  faults.push({ what: `PostgreSQL replica stopped 20 s: lag-tolerant reads on the primary after ${downMs ?? "never"} ms, back on the replica ${upMs ?? "never"} ms after its restart`, at: at() });

  // Replay paused on the replica while writes go on: past REPLICA_MAX_LAG_SECONDS its reads move to the primary.
  say("fault: replay paused on the replica while writes continue");
  const replica = new pg.Client({ connectionString: REPLICA_URL });
  await replica.connect();
  await replica.query("SELECT pg_wal_replay_pause()");
  replicaLagging = true;
  // The partners' orders write, and so does this, so the replica falls behind even when the load is over.
  const writes = setInterval(() => void primary.query("SELECT pg_logical_emit_message(true, 'topology', 'tick')").catch(() => {}), 500);
  const lagMs = await readsGo("primary", REPLICA_MAX_LAG_SECONDS * 1000 + 20_000);
  await sleep(3_000);
  await replica.query("SELECT pg_wal_replay_resume()");
  const caughtUpMs = await readsGo("replica", 30_000);
  clearInterval(writes);
  replicaLagging = false;
  await replica.end();
  replicaFaults.push({ what: "replay paused", movedMs: lagMs, backMs: caughtUpMs });
  faults.push({
    what: `replica replay paused: lag-tolerant reads on the primary ${lagMs ?? "never"} ms after the pause (bound ${REPLICA_MAX_LAG_SECONDS} s + probe), back on the replica ${caughtUpMs ?? "never"} ms after replay resumed`,
    at: at(),
  });
  say("the replica caught up");
  faultsOver = true;
}
let faultsOver = false;
let redisFailoverMs = 0;
let replicaDown = false;
let replicaLagging = false;
const replicaFaults: { what: string; movedMs: number | null; backMs: number | null }[] = [];

/** Waits until both web processes' health page says lag-tolerant reads go to `target`; the time it took, or null. */
async function readsGo(target: "replica" | "primary", timeoutMs: number): Promise<number | null> {
  const from = Date.now();
  while (Date.now() - from < timeoutMs) {
    const seen = await Promise.all(
      [1, 2].map(async (n) => {
        try {
          const body = (await (await fetch(`http://127.0.0.1:${HTTP_BASE + n}/healthcheck`, { signal: AbortSignal.timeout(2000) })).json()) as { lagTolerantReads?: string };
          return body.lagTolerantReads;
        } catch {
          return undefined;
        }
      }),
    );
    if (seen.every((s) => s === target)) return Date.now() - from;
    await sleep(250);
  }
  return null;
}

// ── Partners order, from several clients at once ────────────────────────────
const rules = resolveServiceRules({});
const partners = ["contact@monjardinchocolate.example", "gare-de-lyon@sncf.example", "agent@sncf.example"];
const [prestation] = await sql<{ id: string; minNoticeDays: number }>(`SELECT id, "minNoticeDays" FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`);
const sites = await sql<{ id: string; email: string; organisationId: string }>(
  `SELECT DISTINCT ON (u.email) s.id, u.email, s."organisationId" FROM "Site" s JOIN "Membership" m ON m."organisationId" = s."organisationId" JOIN "User" u ON u.id = m."userId" WHERE u.email = ANY($1) ORDER BY u.email, s."createdAt"`,
  [partners],
);

// ── A past month's work, to invoice ──────────────────────────────────────────
// The seed's past months are already invoiced. So the driver plans, in a month
// with nothing billed for these partners, the work the scheduler would have
// staffed then (rows written straight to the primary, as the seed does: nobody
// can order in the past); the encadrant records its hours over HTTP during the
// load, and finance issues that month through HTTP.
const partnerOrgs = [...new Set(sites.map((s) => s.organisationId))];
let pastMonth: Month = previousMonth(previousMonth(previousMonth(monthOf(new Date()))));
for (;;) {
  const { from, to } = monthBounds(pastMonth);
  const [busy] = await sql<{ n: string }>(
    `SELECT (SELECT count(*) FROM "Intervention" WHERE "organisationId" = ANY($1) AND "startsAt" >= $2 AND "startsAt" < $3)
          + (SELECT count(*) FROM "Invoice" WHERE "organisationId" = ANY($1) AND "periodStart" = $4::date) AS n`,
    [partnerOrgs, from, to, monthBounds(pastMonth).periodStart],
  );
  if (Number(busy!.n) === 0) break;
  pastMonth = previousMonth(pastMonth);
}
const PAST_PLANNED_MINUTES = 180;
// Minutes recorded per person, varied around the plan (a late arrival, a longer day); two people per intervention.
const PAST_MINUTES = [180, 165, 195, 150, 180, 210, 175, 185];
const [{ id: encadrantSupervisorId }] = (await sql<{ id: string }>(`SELECT s.id FROM "Supervisor" s JOIN "User" u ON u.id = s."userId" WHERE u.email = 'encadrant@conciergerie.example'`)) as [
  { id: string },
];
const pastParticipants = (await sql<{ id: string }>(`SELECT id FROM "Participant" ORDER BY id LIMIT 2`)).map((r) => r.id);
const pastRequests = await sql<{ id: string; organisationId: string; siteId: string; unitPriceCents: number }>(
  `SELECT DISTINCT ON (r."organisationId") r.id, r."organisationId", r."siteId", r."unitPriceCents" FROM "ServiceRequest" r
   JOIN "Prestation" p ON p.id = r."prestationId" WHERE r."organisationId" = ANY($1) AND p."pricingUnit" = 'PER_PARTICIPANT_HOUR'
   ORDER BY r."organisationId", r."createdAt"`,
  [partnerOrgs],
);
const pastDays: string[] = [];
for (let day = monthBounds(pastMonth).periodStart.toISOString().slice(0, 10); pastDays.length < 2 * pastRequests.length; day = addDays(day, 1)) {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  if (weekday !== 0 && weekday !== 6) pastDays.push(day);
}
/** Each past intervention: its partner, price and the minutes the encadrant will record for each person. */
const pastWork: { id: string; organisationId: string; unitPriceCents: number; minutes: Map<string, number> }[] = [];
for (const [k, serviceRequest] of pastRequests.flatMap((r) => [r, r]).entries()) {
  const startsAt = parisInstant(pastDays[k]!, 9 * 60);
  const endsAt = new Date(startsAt.getTime() + PAST_PLANNED_MINUTES * 60_000);
  const id = `topo${k}${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`; // ids are at most 40 characters (the route refuses longer)
  await sql(
    `INSERT INTO "Intervention" (id, "requestId", "organisationId", "siteId", "startsAt", "endsAt", "durationMinutes", "participantsNeeded", status, "supervisorId", "confirmedAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, 2, 'SCHEDULED', $8, $5, now())`,
    [id, serviceRequest.id, serviceRequest.organisationId, serviceRequest.siteId, startsAt, endsAt, PAST_PLANNED_MINUTES, encadrantSupervisorId],
  );
  const minutes = new Map<string, number>();
  for (const [j, participantId] of pastParticipants.entries()) {
    await sql(`INSERT INTO "Assignment" ("interventionId", "participantId", "startsAt", "endsAt") VALUES ($1, $2, $3, $4)`, [id, participantId, startsAt, endsAt]);
    minutes.set(participantId, PAST_MINUTES[(2 * k + j) % PAST_MINUTES.length]!);
  }
  pastWork.push({ id, organisationId: serviceRequest.organisationId, unitPriceCents: serviceRequest.unitPriceCents, minutes });
}
/** What each partner's invoice of the month must come to, from the minutes recorded and the price: one rounded line per intervention. */
const expectedExclVat = new Map<string, number>();
for (const w of pastWork) {
  const minutes = [...w.minutes.values()].reduce((a, b) => a + b, 0);
  expectedExclVat.set(w.organisationId, (expectedExclVat.get(w.organisationId) ?? 0) + Math.round((minutes * w.unitPriceCents) / 60));
}
say(`${pastWork.length} interventions planned in ${pastMonth} for ${partnerOrgs.length} partners: their hours are recorded, invoiced and paid over HTTP during the load`);

const orders = { sent: 0, accepted: 0, refused: 0, lost: 0, retried: 0 };
const acceptedKeys: string[] = [];
const refusals = new Map<string, number>();
const frenchMessage = (html: string) => /class="[^"]*(error|alert)[^"]*"[^>]*>([^<]{8,200})</.exec(html)?.[2]?.trim() ?? null;

/** The n-th order of the index-th client: dates spread over three weeks; one in ten refused by the rules on purpose (a team larger than one encadrant may lead), which must be told why. */
function orderFields(siteId: string, index: number, n: number) {
  return {
    siteId,
    prestationId: prestation!.id,
    date: nextOpenDay(addDays(parisParts(new Date()).date, prestation!.minNoticeDays + 7 + ((index * 7 + n) % 21)), rules),
    startTime: ["08:00", "09:00", "10:00", "13:00", "14:00"][n % 5]!,
    durationMinutes: "120",
    teamSize: n % 10 === 0 ? "40" : "2",
    recurrence: "NONE",
    purchaseOrderNumber: `BC-TOPO-${index}-${n}`,
  };
}

async function partnerLoop(index: number, deadline: number) {
  const email = partners[index % partners.length]!;
  const client = await new Client().login(email);
  const siteId = sites.find((s) => s.email === email)!.id;
  let n = 0;
  while (Date.now() < deadline) {
    n++;
    const fields = orderFields(siteId, index, n);
    orders.sent++;
    let outcome: "accepted" | "refused" | null = null;
    let key: string | undefined;
    const giveUp = Date.now() + 60_000;
    while (!outcome && Date.now() < giveUp) {
      try {
        if (!key) {
          const form = await client.get("/requests/new");
          if (form.status >= 500) throw new Error(`form ${form.status}`);
          key = /name="submissionKey" value="([^"]+)"/.exec(await form.text())?.[1];
          if (!key) throw new Error("no submission key");
        }
        const response = await client.post("/requests/new", { submissionKey: key, ...fields }, "/requests/new");
        if (response.status >= 500) throw new Error(`order ${response.status}`);
        if (response.status === 302 && /\/requests\/[^/?]+/.test(response.headers.get("location") ?? "")) {
          outcome = "accepted";
          acceptedKeys.push(key);
          // The partner accepts the quote: only then does the scheduler staff it.
          const path = /\/requests\/[^/?]+/.exec(response.headers.get("location")!)![0];
          for (let i = 0; i < 30; i++) {
            try {
              const accepted = await client.post(path, { intent: "accept-quote" }, path);
              if (accepted.status < 500) break;
            } catch {
              // a web process going away: click again
            }
            failures.push(Date.now());
            await sleep(500);
          }
        } else if (response.status === 302 && response.headers.get("location")?.startsWith("/login")) {
          await client.login(email); // a session is in PostgreSQL: this should never happen
          throw new Error("signed out");
        } else {
          const message = frenchMessage(await response.text()) ?? `HTTP ${response.status}`;
          refusals.set(message, (refusals.get(message) ?? 0) + 1);
          outcome = "refused";
        }
        requestsOk++;
      } catch {
        failures.push(Date.now());
        orders.retried++;
        await sleep(200); // a user clicks again: the same submission key, never a second request
      }
    }
    if (outcome) orders[outcome]++;
    else orders.lost++;
  }
}

// ── The past month: hours recorded, the month issued, paid, e-invoiced ─────
/** The encadrant records, over HTTP, each person's hours of the past month's work, then the report that closes each intervention. */
async function recordPastHours() {
  const client = await new Client().login("encadrant@conciergerie.example");
  let recorded = 0;
  for (const w of pastWork) {
    const path = `/my-day/${w.id}`;
    for (const [participantId, minutes] of w.minutes) {
      if (await act(client, path, { intent: "correct", participantId, minutes: String(minutes), reason: "Feuille de présence papier" })) recorded++;
    }
    await act(client, path, { intent: "report", text: "Ateliers nettoyés, rien à signaler.", incidents: "" });
  }
  return recorded;
}
const pastHours = recordPastHours();

/** A form sent again after a network error or a 5xx, as a user clicks again; true when the app said yes. */
async function act(client: Client, path: string, fields: Record<string, string>) {
  for (let i = 0; i < 20; i++) {
    try {
      const response = await client.post(path, fields, path);
      if (response.status < 500) return response.status < 400;
    } catch {
      failures.push(Date.now());
    }
    await sleep(500);
  }
  return false;
}

/** Finance prepares and issues the past month over HTTP once its hours are in; the partners then pay on Stripe's page. */
async function finance() {
  const client = await new Client().login("finance@conciergerie.example");
  await pastHours;
  const runOne = async (intent: "prepare" | "issue", month: string) => {
    // Sent again after an error with the same run key, as the form does: one run, however many times.
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        const response = await client.post("/finance", { intent, month, runKey: `topo-${intent}-${month}` }, "/finance");
        if (response.status >= 500) throw new Error(String(response.status));
        const jobId = new URL(response.headers.get("location") ?? "/", PROXY).searchParams.get("run");
        if (!jobId) return `refused: ${frenchMessage(await response.text()) ?? response.status}`;
        for (let i = 0; i < 600; i++) {
          const status = await client.get(`/finance/runs/${jobId}`);
          if (status.ok) {
            const body = (await status.json()) as { state: string };
            if (body.state === "completed" || body.state === "failed") return body.state;
          }
          await sleep(500);
        }
        return "timeout";
      } catch {
        failures.push(Date.now());
        await sleep(500);
      }
    }
    return "lost";
  };
  const results = [`${pastMonth} prepare ${await runOne("prepare", pastMonth)}`, `${pastMonth} issue ${await runOne("issue", pastMonth)}`];
  // Each partner pays on Stripe's hosted page once the invoice is there; the double then sends its webhooks to the proxy.
  const paid = new Set<string>();
  const giveUp = Date.now() + 120_000;
  while (paid.size < partnerOrgs.length && Date.now() < giveUp) {
    const open = await sql<{ stripeInvoiceId: string }>(
      `SELECT "stripeInvoiceId" FROM "Invoice" WHERE "organisationId" = ANY($1) AND "periodStart" = $2::date AND kind = 'INVOICE' AND status = 'OPEN' AND "stripeInvoiceId" IS NOT NULL`,
      [partnerOrgs, monthBounds(pastMonth).periodStart],
    );
    for (const { stripeInvoiceId } of open) {
      if (paid.has(stripeInvoiceId)) continue;
      stripe.payAsCustomer(stripeInvoiceId);
      paid.add(stripeInvoiceId);
    }
    await sleep(1000);
  }
  results.push(`${paid.size} invoice(s) paid on Stripe's page`);
  return results;
}

// ── Encadrants check in and out ──────────────────────────────────────────────
async function encadrant() {
  const client = await new Client().login("encadrant@conciergerie.example");
  const rows = await sql<{ interventionId: string; participantId: string; startsAt: Date; endsAt: Date }>(
    `SELECT a."interventionId", a."participantId", i."startsAt", i."endsAt" FROM "Assignment" a JOIN "Intervention" i ON i.id = a."interventionId"
     JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId"
     WHERE u.email = 'encadrant@conciergerie.example' AND i.status IN ('SCHEDULED', 'IN_PROGRESS')
       AND i."startsAt" < now() + interval '1 hour' AND i."endsAt" > now() - interval '12 hours'
       AND NOT EXISTS (SELECT 1 FROM "TimeEntry" t WHERE t."interventionId" = a."interventionId" AND t."participantId" = a."participantId")`,
  );
  let recorded = 0;
  const live = rows.filter((r) => r.endsAt.getTime() > Date.now());
  const past = rows.filter((r) => r.endsAt.getTime() <= Date.now());
  for (const r of live) await act(client, `/my-day/${r.interventionId}`, { intent: "check-in", participantId: r.participantId });
  for (const r of past) if (await act(client, `/my-day/${r.interventionId}`, { intent: "correct", participantId: r.participantId, minutes: "120", reason: "Feuille de présence papier" })) recorded++;
  if (live.length > 0) await sleep(65_000); // a departure is at least a minute after the arrival
  for (const r of live) if (await act(client, `/my-day/${r.interventionId}`, { intent: "check-out", participantId: r.participantId })) recorded++;
  return { assignments: rows.length, recorded };
}

// ── The run ──────────────────────────────────────────────────────────────────
// Readers of the finance dashboard (replica reads) all along: never an error, the replica down or not.
let dashboardReads = 0;
let dashboardErrors = 0;
/** What each failed dashboard read got (status, body's first words or the network error, time taken): printed, so a failure explains itself. */
const dashboardFailures: string[] = [];
async function dashboardLoop(deadline: number) {
  const client = await new Client().login("finance@conciergerie.example");
  // Until the replica's faults are over too: they may outlast the partners' orders.
  while (Date.now() < deadline || !faultsOver) {
    const sentAt = Date.now();
    try {
      const response = await client.get("/finance");
      const body = await response.text();
      if (response.status === 200) dashboardReads++;
      else if (response.status >= 500)
        throw new Error(
          `HTTP ${response.status} ${body
            .replace(/<[^>]*>/g, " ")
            .replace(/\s+/g, " ")
            .slice(0, 160)}`,
        );
    } catch (error) {
      failures.push(Date.now());
      if (replicaDown || replicaLagging) dashboardErrors++;
      dashboardFailures.push(
        `${at()} ${replicaDown ? "replica down" : replicaLagging ? "replica lagging" : "replica up"}, after ${Date.now() - sentAt} ms: ${String(error).slice(0, 200)}${(error as { cause?: unknown }).cause ? ` (${String((error as { cause?: unknown }).cause)})` : ""}`,
      );
    }
    await sleep(300);
  }
}

const loadStart = Date.now();
const deadline = loadStart + ORDER_SECONDS * 1000;
say(`${CLIENTS} partners ordering for ${ORDER_SECONDS} s, finance issuing, an encadrant checking in and out; faults in the middle`);
const [, , financeResults, field, , pastRecorded] = await Promise.all([
  Promise.all(Array.from({ length: CLIENTS }, (_, i) => partnerLoop(i, deadline))),
  faultPlan(),
  finance(),
  encadrant(),
  dashboardLoop(deadline),
  pastHours,
]);
const loadSeconds = (Date.now() - loadStart) / 1000;
say(`load over after ${loadSeconds.toFixed(0)} s; waiting for the queues to drain`);

// Every job done: the outbox relayed and no queue with work left.
const drainStart = Date.now();
for (;;) {
  const [outbox] = await sql<{ n: string }>(`SELECT count(*) AS n FROM "OutboxEvent" WHERE "publishedAt" IS NULL`);
  const counts = await Promise.all(queues.map((q) => q.getJobCounts("waiting", "active", "delayed", "prioritized")));
  const pending = counts.reduce((s, c) => s + Object.values(c).reduce((a, b) => a + b, 0), 0);
  // Scheduler jobs (repeatable) sit in delayed: the queue is drained when only they are left.
  const schedulers = (await Promise.all(queues.map((q) => q.getJobSchedulersCount()))).reduce((a, b) => a + b, 0);
  if (Number(outbox!.n) === 0 && pending <= schedulers) break;
  if (Date.now() - drainStart > 240_000) {
    say(`queues not drained after 240 s: outbox ${outbox!.n}, jobs pending ${pending}`);
    break;
  }
  await sleep(1000);
}
const jobsWindowSeconds = (Date.now() - loadStart) / 1000;

/** One command on HAProxy's admin socket (the driver's own stats socket, level admin); its answer. */
async function proxyCommand(command: string): Promise<string> {
  const socket = createConnection(`${DATA}/haproxy.sock`);
  socket.end(`${command}\n`);
  let text = "";
  for await (const chunk of socket) text += chunk;
  return text;
}

/** Requests each web process answered, from HAProxy's counters (stot of each server). */
async function proxyStats(): Promise<Record<string, number>> {
  const text = await proxyCommand("show stat");
  const [header, ...rows] = text.replace(/^# /, "").split("\n");
  const columns = header!.split(",");
  const result: Record<string, number> = {};
  for (const row of rows) {
    const cells = row.split(",");
    if (cells[0] === "web" && cells[1]?.startsWith("web")) result[cells[1]] = Number(cells[columns.indexOf("stot")]);
  }
  return result;
}

// ── Invariants ───────────────────────────────────────────────────────────────
const problems: string[] = [];
const [{ n: stored }] = (await sql<{ n: string }>(`SELECT count(*) AS n FROM "ServiceRequest" WHERE "submissionKey" = ANY($1)`, [acceptedKeys])) as [{ n: string }];
if (Number(stored) !== acceptedKeys.length) problems.push(`${acceptedKeys.length} orders accepted, ${stored} stored`);
if (orders.lost > 0) problems.push(`${orders.lost} orders lost (no answer within 60 s)`);
if (orders.sent !== orders.accepted + orders.refused + orders.lost) problems.push("orders do not add up");

const unstaffed = await sql<{ status: string; n: string }>(
  `SELECT i.status, count(*) AS n FROM "Intervention" i JOIN "ServiceRequest" r ON r.id = i."requestId" WHERE r."submissionKey" = ANY($1) GROUP BY 1`,
  [acceptedKeys],
);
const doubleBooked = await sql<{ n: string }>(
  `SELECT count(*) AS n FROM "Assignment" a JOIN "Assignment" b ON a."participantId" = b."participantId" AND a."interventionId" < b."interventionId"
   JOIN "Intervention" ia ON ia.id = a."interventionId" JOIN "Intervention" ib ON ib.id = b."interventionId"
   WHERE a."startsAt" < b."endsAt" AND b."startsAt" < a."endsAt" AND ia.status <> 'CANCELLED' AND ib.status <> 'CANCELLED'`,
);
if (Number(doubleBooked[0]!.n) !== 0) problems.push(`${doubleBooked[0]!.n} interventions double-booked`);

const perMonth = await sql<{ name: string; month: string; n: string; total: string; lines: string }>(
  `SELECT o.name, to_char(inv."periodStart", 'YYYY-MM') AS month, count(*) AS n, sum(inv."totalExclVatCents") AS total,
          sum((SELECT sum(l."amountExclVatCents") FROM "InvoiceLine" l WHERE l."invoiceId" = inv.id)) AS lines
   FROM "Invoice" inv JOIN "Organisation" o ON o.id = inv."organisationId"
   WHERE inv.status <> 'VOID' AND inv.kind = 'INVOICE' AND inv."issuedAt" >= $1
   GROUP BY o.id, o.name, inv."periodStart" ORDER BY 2, 1`,
  [new Date(started)],
);
for (const row of perMonth) {
  if (Number(row.n) !== 1) problems.push(`${row.name} ${row.month}: ${row.n} live invoices`);
  if (Number(row.total) !== Number(row.lines)) problems.push(`${row.name} ${row.month}: total ${row.total} ≠ lines ${row.lines}`);
}
// The past month, partner by partner: one invoice, its total to the cent what the recorded minutes at the
// request's price come to, paid through Stripe (webhooks) and reconciled, its e-invoice approved by the
// buyer's platform (lifecycle 205) and the payment reported to it (encaissement) for the same amount.
const pastInvoices = await sql<{
  organisationId: string;
  name: string;
  n: string;
  number: string | null;
  status: string;
  excl: number;
  incl: number;
  paidCents: string | null;
  ack: string | null;
  lifecycle: string | null;
  history: string | null;
  reports: string | null;
}>(
  `SELECT o.id AS "organisationId", o.name, count(inv.id) OVER (PARTITION BY o.id) AS n, inv.number, inv.status,
          inv."totalExclVatCents" AS excl, inv."totalInclVatCents" AS incl,
          (SELECT sum(p."amountCents") FROM "Payment" p WHERE p."invoiceId" = inv.id) AS "paidCents",
          t."ackStatus" AS ack, t."lifecycleCode" AS lifecycle,
          (SELECT string_agg(e.code, ',' ORDER BY e."occurredAt") FROM "EInvoiceStatusEvent" e WHERE e."documentId" = d.id AND e.kind = 'lifecycle') AS history,
          (SELECT string_agg(r.state, ',') FROM "EInvoicePaymentReport" r JOIN "Payment" p ON p.id = r."paymentId" WHERE p."invoiceId" = inv.id) AS reports
   FROM "Organisation" o LEFT JOIN "Invoice" inv ON inv."organisationId" = o.id AND inv."periodStart" = $2::date AND inv.kind = 'INVOICE' AND inv.status <> 'VOID'
   LEFT JOIN "InvoiceDocument" d ON d."invoiceId" = inv.id LEFT JOIN "EInvoiceTransmission" t ON t."documentId" = d.id
   WHERE o.id = ANY($1) ORDER BY o.name`,
  [partnerOrgs, monthBounds(pastMonth).periodStart],
);
const pastChecked: string[] = [];
for (const row of pastInvoices) {
  const expected = expectedExclVat.get(row.organisationId) ?? 0;
  const encaissed = (pa.encaissements.get(row.number ?? "") ?? []).reduce((a, b) => a + b, 0);
  const wrong: string[] = [];
  if (Number(row.n) !== 1 || !row.number) wrong.push(`${row.number ? row.n : 0} issued invoice(s), not 1`);
  if (row.excl !== expected) wrong.push(`total ${row.excl} cents excl. VAT, the hours recorded come to ${expected}`);
  if (row.status !== "PAID" || Number(row.paidCents ?? 0) !== row.incl) wrong.push(`${row.status}, ${row.paidCents ?? 0} of ${row.incl} cents paid`);
  // Approved by the buyer (205), then cashed (212) once the payment is reported; never rejected or refused.
  const codes = (row.history ?? "").split(",");
  if (row.ack !== "Ok" || !codes.includes("205") || codes.some((c) => ["210", "213"].includes(c)))
    wrong.push(`e-invoice ack ${row.ack ?? "none"}, lifecycle ${row.history ?? "none"} (205 Approuvée expected)`);
  if (row.reports !== "sent" || encaissed !== row.incl) wrong.push(`payment report ${row.reports ?? "none"}, ${encaissed} cents reported to the platform`);
  pastChecked.push(
    `${pastMonth} ${row.name}: ${row.n} invoice ${row.number ?? "-"}, ${((row.excl ?? 0) / 100).toFixed(2)} € excl. VAT (hours recorded × price: ${(expected / 100).toFixed(2)} €), ${row.status}, paid ${(Number(row.paidCents ?? 0) / 100).toFixed(2)} € of ${((row.incl ?? 0) / 100).toFixed(2)} €, e-invoice ${row.ack ?? "-"}, lifecycle ${row.history ?? "-"}, encaissement ${(encaissed / 100).toFixed(2)} € ${wrong.length ? `— WRONG: ${wrong.join("; ")}` : "— ok"}`,
  );
  if (wrong.length > 0) problems.push(`${pastMonth} ${row.name}: ${wrong.join("; ")}`);
}
if (pastInvoices.length !== partnerOrgs.length) problems.push(`${pastInvoices.length} partners checked for ${pastMonth}, ${partnerOrgs.length} expected`);
// Each hourly line bills exactly the minutes recorded (minutes × people) at its price, to the cent.
const lineCheck = await sql<{ number: string; quantity: number; recorded: string | null; amount: number; expected: string }>(
  `SELECT inv.number, l.quantity, l."amountExclVatCents" AS amount,
          (SELECT sum(t."minutesWorked") FROM "TimeEntry" t WHERE t."interventionId" = l."interventionId" AND NOT t.absent) AS recorded,
          round(l.quantity * l."unitPriceCents" / 60.0) AS expected
   FROM "InvoiceLine" l JOIN "Invoice" inv ON inv.id = l."invoiceId" JOIN "Intervention" i ON i.id = l."interventionId"
   JOIN "ServiceRequest" r ON r.id = i."requestId" JOIN "Prestation" p ON p.id = r."prestationId"
   WHERE inv."issuedAt" >= $1 AND p."pricingUnit" = 'PER_PARTICIPANT_HOUR' AND i.status <> 'CANCELLED'
     AND NOT EXISTS (SELECT 1 FROM "Dispute" d WHERE d."interventionId" = i.id)`,
  [new Date(started)],
);
const badLines = lineCheck.filter((l) => Number(l.recorded ?? 0) !== l.quantity || Number(l.expected) !== l.amount);
if (badLines.length > 0) problems.push(`${badLines.length} invoice lines differ from the hours recorded: ${JSON.stringify(badLines.slice(0, 3))}`);
const einvoices = await sql<{ state: string | null; n: string }>(
  `SELECT t.state, count(*) AS n FROM "Invoice" inv LEFT JOIN "InvoiceDocument" d ON d."invoiceId" = inv.id LEFT JOIN "EInvoiceTransmission" t ON t."documentId" = d.id
   WHERE inv."issuedAt" >= $1 AND inv.kind = 'INVOICE' GROUP BY 1`,
  [new Date(started)],
);
const stripeEvents = await sql<{ n: string }>(`SELECT count(*) AS n FROM "StripeEvent" WHERE "receivedAt" >= $1 AND "processedAt" IS NOT NULL`, [new Date(started)]);

const failedJobs = await Promise.all(queues.map(async (q) => ({ queue: q.name, failed: await q.getFailedCount(), done: await q.getCompletedCount() })));
const failedForGood = failedJobs.reduce((s, q) => s + q.failed, 0);
if (failedForGood > 0) problems.push(`${failedForGood} jobs failed for good: ${JSON.stringify(failedJobs.filter((q) => q.failed > 0))}`);
if (dashboardErrors > 0) problems.push(`${dashboardErrors} finance dashboard reads failed while the replica was down or lagging`);
for (const f of replicaFaults) {
  if (f.movedMs === null) problems.push(`${f.what}: lag-tolerant reads never moved to the primary`);
  if (f.backMs === null) problems.push(`${f.what}: lag-tolerant reads never came back to the replica`);
}
if (replicaFaults.length !== 2) problems.push(`${replicaFaults.length} of the 2 replica faults were played`);

// Outage windows as users saw them: failures closer than 2 s apart are one window.
const windows: number[] = [];
let first = failures[0];
let last = failures[0];
for (const t of failures.slice(1).concat([Infinity])) {
  if (t - last! > 2000) {
    windows.push(last! - first! + 200);
    first = t;
  }
  last = t;
}
// The proxy's own account of the 5xx users got (its log: one line per request, option httplog):
// "no server available" means both web processes were out at once, which must never happen;
// a process killed mid-request loses the requests it was running (the proxy cannot replay a POST).

const proxyLines = readFileSync(`${DATA}/logs/haproxy.log`, "utf8").split("\n").slice(proxyLogFrom);
const proxy5xx = { noServer: 0, fromWeb: 0 };
for (const line of proxyLines) {
  const m = / conciergerie web\/(\S+) \S+ (5\d\d) /.exec(line);
  if (!m) continue;
  if (m[1] === "<NOSRV>") proxy5xx.noServer++;
  else proxy5xx.fromWeb++;
}
if (proxy5xx.noServer > 0) problems.push(`${proxy5xx.noServer} requests answered 503 by the proxy with no web process available`);
const jobsDone = failedJobs.reduce((s, q) => s + q.done, 0);
// Requests per web process: the proxy's per-server counters.
const perWeb = await proxyStats();

// ── Saturation: what one web process and one worker can take ─────────────────
// After the invariants, so the checks above are the faulted run's. The web: closed-loop
// clients (each sends its next request once the last one answered) through the proxy,
// both web processes, then web1 alone (web2 taken out on the proxy's admin socket). The
// workers: a burst of real jobs drained by both workers, then by worker1 alone, beside a
// no-op BullMQ job's rate on the same cluster (the machine is shared: read the ratio).
const SATURATION_SECONDS = Number(process.env.TOPO_SATURATION_SECONDS ?? 15);
const SATURATION_CLIENTS = Number(process.env.TOPO_SATURATION_CLIENTS ?? 12);
const BURST_JOBS = Number(process.env.TOPO_BURST_JOBS ?? 1500);
/** A saturation round: the request list and the dashboard; every fourth round an order too (its form, the form again for the CSRF token, the POST). */
const ORDER_EVERY = 4;
const REQUESTS_PER_ORDER = ORDER_EVERY * 2 + 3;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const loadAverage = () => execSync("cut -d' ' -f1-3 /proc/loadavg").toString().trim();
const CLOCK_TICKS = Number(execSync("getconf CLK_TCK").toString().trim());
/** CPU seconds (user + system) a child has used, from /proc: a request's or a job's cost, whatever else the shared machine runs. */
function cpuSeconds(child: ChildProcess) {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
/** The machine's CPU time, busy and in all (every core), from /proc/stat: how saturated the cores were. */
function machineCpu() {
  const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total }; // idle and iowait
}
/** Runs `work` and says what it cost: the CPU seconds of the given processes, and the share of the machine's cores that were busy. */
async function measured<T>(processes: ChildProcess[], work: () => Promise<T>) {
  const cpuBefore = processes.map(cpuSeconds);
  const machineBefore = machineCpu();
  const result = await work();
  const machineAfter = machineCpu();
  const cpu = processes.map(cpuSeconds).reduce((sum, after, i) => sum + after - cpuBefore[i]!, 0);
  return { ...result, cpu, machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) };
}

/** Partners' clients hitting the proxy for SATURATION_SECONDS; what each web process answered (the proxy's counters), latencies, errors. */
async function saturateWeb(clients: Client[]) {
  const latencies: number[] = [];
  const errors: string[] = [];
  const before = await proxyStats();
  const from = performance.now();
  const until = Date.now() + SATURATION_SECONDS * 1000;
  await Promise.all(
    clients.map(async (client, i) => {
      client.latencies = latencies;
      const email = partners[i % partners.length]!;
      const siteId = sites.find((s) => s.email === email)!.id;
      for (let round = 1, n = 0; Date.now() < until; round++) {
        try {
          for (const path of ["/requests", "/"]) {
            const page = await client.get(path);
            if (page.status !== 200) errors.push(`GET ${path} ${page.status}`);
          }
          if (round % ORDER_EVERY !== 0) continue;
          const key = /name="submissionKey" value="([^"]+)"/.exec(await (await client.get("/requests/new")).text())?.[1];
          if (!key) throw new Error("no submission key");
          const order = await client.post("/requests/new", { submissionKey: key, ...orderFields(siteId, 100 + i, ++n) }, "/requests/new");
          // Accepted (to the request's page) or refused with its French message; anything else is an error.
          const accepted = order.status === 302 && /\/requests\/[^/?]+/.test(order.headers.get("location") ?? "");
          if (!accepted && !(order.status === 200 && frenchMessage(await order.text()))) errors.push(`order ${order.status} ${order.headers.get("location") ?? ""}`);
        } catch (error) {
          errors.push(String(error).slice(0, 120));
        }
      }
      client.latencies = null;
    }),
  );
  const seconds = (performance.now() - from) / 1000;
  const after = await proxyStats();
  const perProcess = Object.fromEntries(Object.keys(after).map((k) => [k, (after[k]! - (before[k] ?? 0)) / seconds]));
  latencies.sort((a, b) => a - b);
  return { seconds, requests: latencies.length, perSecond: latencies.length / seconds, perProcess, p50: percentile(latencies, 50), p95: percentile(latencies, 95), errors };
}

/** `jobs` staffing jobs of the scheduling queue enqueued at once; the seconds until none waits or runs, and how many failed. */
async function drainBurst(requestIds: string[], jobs = BURST_JOBS) {
  const failedBefore = await schedulingQueue.getFailedCount();
  const from = performance.now();
  await schedulingQueue.addBulk(
    Array.from({ length: jobs }, (_, i) => ({ name: "staff-request", data: { requestId: requestIds[i % requestIds.length]! }, opts: { attempts: 1, removeOnComplete: true } })),
  );
  for (;;) {
    const counts = await schedulingQueue.getJobCounts("waiting", "active", "prioritized");
    if (counts.waiting! + counts.active! + counts.prioritized! === 0) break;
    if (performance.now() - from > 180_000) {
      problems.push(`a burst of ${jobs} jobs not drained after 180 s`);
      break;
    }
    await sleep(50);
  }
  const seconds = (performance.now() - from) / 1000;
  return { seconds, jobs, perSecond: jobs / seconds, failed: (await schedulingQueue.getFailedCount()) - failedBefore };
}

say(`saturation: ${SATURATION_CLIENTS} partners' clients for ${SATURATION_SECONDS} s through the proxy, both web processes then web1 alone`);
const loadBeforeSaturation = loadAverage();
const saturationClients = await Promise.all(Array.from({ length: SATURATION_CLIENTS }, (_, i) => new Client().login(partners[i % partners.length]!)));
const webBoth = await measured([webs[1]!, webs[2]!], () => saturateWeb(saturationClients));
await proxyCommand("disable server web/web2");
const webAlone = await measured([webs[1]!], () => saturateWeb(saturationClients));
await proxyCommand("enable server web/web2");
for (const [what, figures] of [
  ["both web processes", webBoth],
  ["web1 alone", webAlone],
] as const) {
  if (figures.errors.length > 0) problems.push(`saturation, ${what}: ${figures.errors.length} errors (${[...new Set(figures.errors)].slice(0, 3).join("; ")})`);
}
if (webAlone.perProcess.web2! > 0) problems.push(`web2 answered ${webAlone.perProcess.web2!.toFixed(1)} requests/s while taken out of the proxy`);

// The burst's job: staffing an accepted order whose interventions are all staffed already (the load's orders):
// the payload checked, the request's waiting interventions read from the primary, none found. Safe to run twice.
const burstRequestIds = (await sql<{ id: string }>(`SELECT id FROM "ServiceRequest" WHERE "submissionKey" = ANY($1)`, [acceptedKeys])).map((r) => r.id);
say(`saturation: a no-op BullMQ job's rate, then ${BURST_JOBS} staffing jobs drained by both workers, then by worker1 alone`);
const noopSeconds = (await measureBaselineSeconds(BURST_JOBS, redis))!;
// One job per order first, unmeasured: an order whose interventions were left waiting is staffed (or explained) now, so each burst does the same work.
const warmUp = await drainBurst(burstRequestIds, burstRequestIds.length);
const burstBoth = await measured([workers[1]!, workers[2]!], () => drainBurst(burstRequestIds));
// worker2 stops as systemd stops it (SIGTERM: its current jobs finish first).
const worker2Gone = new Promise((resolve) => workers[2]!.once("exit", resolve));
workers[2]!.kill("SIGTERM");
await Promise.race([worker2Gone, sleep(30_000)]);
const burstAlone = await measured([workers[1]!], () => drainBurst(burstRequestIds));
const noopPerSecond = 1 / noopSeconds;
for (const [what, figures] of [
  ["warm-up", warmUp],
  ["both workers", burstBoth],
  ["worker1 alone", burstAlone],
] as const) {
  if (figures.failed > 0) problems.push(`saturation, ${what}: ${figures.failed} staffing jobs failed`);
}
const loadAfterSaturation = loadAverage();

console.log("\n══ Topology test: figures ══");
console.log(`orders sent ${orders.sent}, accepted ${orders.accepted}, refused with a message ${orders.refused}, lost ${orders.lost} (requests retried by the clients: ${orders.retried})`);
for (const [message, count] of refusals) console.log(`  refused ×${count}: ${message}`);
console.log(`interventions of those orders by status: ${unstaffed.map((r) => `${r.status} ${r.n}`).join(", ")}`);
console.log(`interventions double-booked: ${doubleBooked[0]!.n}`);
console.log(`finance runs: ${financeResults.join("; ") || "no month to invoice"}`);
for (const line of pastChecked) console.log(`  ${line}`);
for (const row of perMonth) console.log(`  ${row.month} ${row.name}: ${row.n} invoice(s), ${(Number(row.total) / 100).toFixed(2)} € excl. VAT = lines ${(Number(row.lines) / 100).toFixed(2)} €`);
console.log(`hourly invoice lines checked against the hours recorded: ${lineCheck.length}, differing: ${badLines.length}`);
console.log(`e-invoices by transmission state: ${einvoices.map((r) => `${r.state ?? "none"} ${r.n}`).join(", ")}; Stripe webhooks processed: ${stripeEvents[0]!.n}`);
console.log(
  `encadrant: ${pastRecorded} of ${pastWork.length * 2} people's hours of ${pastMonth} recorded over HTTP; ${field.assignments} assignments of today's interventions, ${field.recorded} with hours recorded over HTTP`,
);
console.log(`jobs: ${jobsDone} completed kept in Redis, ${failedForGood} failed for good (${failedJobs.map((q) => `${q.queue} ${q.done}/${q.failed}`).join(", ")})`);
console.log(`faults: ${faults.map((f) => `${f.at} ${f.what}`).join("; ")}`);
console.log(
  `failover as users saw it: ${windows.length} window(s) of failed requests, longest ${Math.max(0, ...windows)} ms; Redis master failover ${redisFailoverMs} ms; finance dashboard read ${dashboardReads} times, ${dashboardErrors} errors while the replica was down or lagging`,
);
console.log(
  `load offered during the faults (not a capacity: see below): ${requestsOk} order round-trips in ${loadSeconds.toFixed(0)} s through the proxy = ${(requestsOk / loadSeconds).toFixed(1)} orders/s; ${jobsDone} jobs in ${jobsWindowSeconds.toFixed(0)} s = ${(jobsDone / jobsWindowSeconds / 2).toFixed(2)} jobs/s per worker`,
);
console.log(
  `requests per web process during the faults (the proxy's counters): ${Object.entries(perWeb)
    .map(([k, v]) => `${k} ${v} = ${(v / loadSeconds).toFixed(1)}/s`)
    .join(", ")}`,
);
for (const line of dashboardFailures) console.log(`  dashboard read failed: ${line}`);
/** A process's CPU per request or job, and what one process could take with a core of its own at that cost. */
const cpuPer = (cpu: number, count: number, what: string) =>
  `${((1000 * cpu) / count).toFixed(1)} ms of the process's CPU per ${what} (${(count / cpu).toFixed(0)} ${what}s/s for a process with a core to itself)`;
console.log(
  `capacity, measured after the invariants (2 web processes, 2 workers, HAProxy, PostgreSQL primary and replica, 6 Redis nodes, the doubles and this driver all share this machine's ${availableParallelism()} cores; load average ${loadBeforeSaturation} before, ${loadAfterSaturation} after):`,
);
console.log(
  `  web: ${SATURATION_CLIENTS} closed-loop partners' clients for ${SATURATION_SECONDS} s, the request list and the dashboard, an order every ${ORDER_EVERY} rounds (${REQUESTS_PER_ORDER} requests per order):`,
);
for (const [what, web] of [
  ["both web processes", webBoth],
  ["web1 alone (web2 out of the proxy)", webAlone],
] as const) {
  console.log(
    `    ${what}: ${web.perSecond.toFixed(1)} requests/s (${Object.entries(web.perProcess)
      .map(([k, v]) => `${k} ${v.toFixed(1)}/s`)
      .join(
        ", ",
      )}) = ${(web.perSecond / REQUESTS_PER_ORDER).toFixed(2)} orders/s in this mix; p50 ${web.p50.toFixed(0)} ms, p95 ${web.p95.toFixed(0)} ms; errors ${web.errors.length}; ${cpuPer(web.cpu, web.requests, "request")}; machine ${(100 * web.machineBusy).toFixed(0)} % busy`,
  );
}
console.log(`  workers: ${BURST_JOBS} staffing jobs enqueued at once (an order already staffed: payload checked, one read of the primary), failed ${burstBoth.failed + burstAlone.failed}:`);
console.log(
  `    both workers ${burstBoth.perSecond.toFixed(0)} jobs/s (${(burstBoth.perSecond / 2).toFixed(0)} per worker); ${cpuPer(burstBoth.cpu, burstBoth.jobs, "job")}; machine ${(100 * burstBoth.machineBusy).toFixed(0)} % busy`,
);
console.log(`    worker1 alone ${burstAlone.perSecond.toFixed(0)} jobs/s; ${cpuPer(burstAlone.cpu, burstAlone.jobs, "job")}; machine ${(100 * burstAlone.machineBusy).toFixed(0)} % busy`);
console.log(
  `  no-op BullMQ job on the same cluster (one worker in the driver, concurrency 50): ${noopPerSecond.toFixed(0)} jobs/s; worker1 alone ran the staffing job at ${((100 * burstAlone.perSecond) / noopPerSecond).toFixed(0)} % of that rate`,
);
console.log(`  jobs the load above made per accepted order (finance's included): ${(jobsDone / Math.max(1, orders.accepted)).toFixed(1)}`);
console.log(
  `proxy: ${proxyLines.filter((l) => / conciergerie web\//.test(l)).length} requests logged, 5xx: ${proxy5xx.noServer} with no web process available, ${proxy5xx.fromWeb} from or through a web process (a killed process's requests in flight)`,
);
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadAverage()}`);
if (problems.length > 0) {
  console.log(`\nFAILED:\n- ${problems.join("\n- ")}`);
  process.exitCode = 1;
} else console.log("\nevery invariant held");
await Promise.all(queues.map((q) => q.close()));
redis.disconnect();
await primary.end();
await stripe.stop();
await pa.stop();
stopAll();
process.exit(process.exitCode ?? 0);
