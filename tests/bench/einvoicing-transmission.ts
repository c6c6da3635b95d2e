// Benchmark: 1,000 partners' invoices issued, their Factur-X generated and
// transmitted to the accredited-platform double, as the app does it: the issue
// run, the document jobs, then the submission jobs through the outbox and
// BullMQ (directory lookup, POST /v1/flows multipart), statuses coming back by
// signed webhooks to the app's route. The double runs as its own process
// (scripts/pa-double.ts). Prints documents/s from issue to "taken by the
// platform" (flowId stored), and next to it the double's own limit measured in
// the same run: raw POST /v1/flows from this process, nothing else, as a ratio.
//   npx tsx tests/bench/einvoicing-transmission.ts     (BENCH_PARTNERS=1000, BENCH_RAW=1000)
// Uses the test services (scripts/test-env.sh), its own database, not in npm test.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
if (!process.env.TEST_ADMIN_DATABASE_URL) {
  try {
    execFileSync("bash", ["-c", `source scripts/test-env.sh >/dev/null && exec npx tsx tests/bench/einvoicing-transmission.ts`], { cwd: root, stdio: "inherit" });
    process.exit(0);
  } catch (error) {
    process.exit((error as { status?: number }).status ?? 1);
  }
}

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 1000);
const RAW = Number(process.env.BENCH_RAW ?? 1000);
const MONTH = "2026-03";
const secrets = { PA_CLIENT_ID: "bench-client", PA_CLIENT_SECRET: "bench-client-secret-0123", PA_WEBHOOK_SECRET: "bench-webhook-secret-0123456789" };

// The app's webhook route behind a real HTTP server (the web process's part).
const hooks = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const { action } = await import("~/routes/webhooks.einvoicing.ts");
    const response = await action({
      request: new Request(`http://app${req.url}`, { method: "POST", headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      params: {},
      context: {},
    } as never);
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  } catch {
    // As the web server would: a 500, and the platform calls again later.
    res.writeHead(500).end();
  }
});
hooks.listen(0, "127.0.0.1");
await once(hooks, "listening");
const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/webhooks/einvoicing`;

// The double, as its own process.
const double = spawn("node", ["--import", "tsx", "scripts/pa-double.ts"], {
  cwd: root,
  env: { ...process.env, ...secrets, PA_DOUBLE_PORT: "0", PA_DOUBLE_WEBHOOK_URL: hookUrl, PA_DOUBLE_ACK_MS: "20", PA_DOUBLE_STEP_MS: "100", PA_DOUBLE_REJECT_SIRENS: "" },
  stdio: ["ignore", "pipe", "inherit"],
});
process.on("exit", () => double.kill("SIGTERM"));
const paUrl = await new Promise<string>((resolve, reject) => {
  double.stdout!.on("data", (c: Buffer) => {
    const m = String(c).match(/listening on (http:\/\/\S+)/);
    if (m) resolve(m[1]!);
  });
  double.on("exit", (code) => reject(new Error(`the PA double exited (${code})`)));
});

const { createTestDatabase } = await import("../support/databases.ts");
delete process.env.STRIPE_SECRET_KEY; // the local provider: this measures documents and the platform, not Stripe
delete process.env.STRIPE_WEBHOOK_SECRET;
Object.assign(process.env, {
  NODE_ENV: "test",
  SESSION_SECRET: "bench-session-secret-that-is-long-enough-0123456789",
  DATABASE_URL: await createTestDatabase("bench-transmission"),
  PA_FLOW_URL: `${paUrl}/flow-service`,
  PA_DIRECTORY_URL: `${paUrl}/directory-service`,
  PA_TOKEN_URL: `${paUrl}/oauth/token`,
  PA_RETRY_DELAY_MS: "200",
  ...secrets,
});
const { db, disconnectDb } = await import("~/data/db.server.ts");
const { prepareRun, issueRun } = await import("../../workers/processors/invoicing.ts");
const { startWorkerProcess } = await import("../support/spawn-worker.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");

const count = async (where: object) => db().eInvoiceTransmission.count({ where });
async function until(what: string, done: () => Promise<boolean>, timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const children: import("node:child_process").ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGTERM");
});
try {
  const seedStart = performance.now();
  await seedInvoicingPartners(db(), { count: PARTNERS, month: MONTH, interventionsEach: 3 });
  await prepareRun({ month: MONTH });
  console.log(`${PARTNERS} partners seeded and drafted in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // The worker as in production: its own process (documents, submissions, webhook jobs), 10 jobs at a time per queue.
  await startWorkerProcess(`bench-pa-${randomBytes(3).toString("hex")}`, children, { LOCK_MS: "30000", WORKER_CONCURRENCY: "10" });
  const start = performance.now();
  // As the issue job: a failed attempt (a busy pool) is run again, what was issued stays issued.
  for (let attempt = 1; ; attempt++) {
    try {
      await issueRun({ month: MONTH });
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      console.log(`  issue run attempt ${attempt} failed (${error instanceof Error ? error.message.slice(0, 80) : error}), run again as the job would be`);
    }
  }
  const issued = await db().invoice.count({ where: { status: "OPEN", kind: "INVOICE" } });
  if (issued !== PARTNERS) throw new Error(`${issued} invoices issued for ${PARTNERS} partners`);
  const issuedAt = performance.now();
  let shown = -1;
  await until("every document taken by the platform", async () => {
    const n = await count({ flowId: { not: null } });
    if (Math.floor((n / PARTNERS) * 10) > shown) {
      shown = Math.floor((n / PARTNERS) * 10);
      process.stdout.write(`  taken by the platform: ${n}/${PARTNERS} after ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
    }
    return n >= PARTNERS;
  });
  const seconds = (performance.now() - start) / 1000;
  await until("every document Approuvée", async () => (await count({ lifecycleCode: "205" })) >= PARTNERS);
  const approvedSeconds = (performance.now() - start) / 1000;
  const problems = await count({ state: { not: "submitted" } });
  const state = (await (await fetch(`${paUrl}/_double/state`)).json()) as { submissions: Record<string, number>; counters: Record<string, number> };
  const twice = Object.values(state.submissions).filter((n) => n > 1).length;
  const load = loadavg()[0]!.toFixed(1);

  // The double's own limit: raw POST /v1/flows, same kind of file, 16 in flight, nothing else around.
  const token = (
    (await (
      await fetch(`${paUrl}/oauth/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${secrets.PA_CLIENT_ID}:${secrets.PA_CLIENT_SECRET}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      })
    ).json()) as { access_token: string }
  ).access_token;
  const sample = await db().invoiceDocument.findFirstOrThrow({ where: { kind: "INVOICE" }, select: { bytes: true, sha256: true } });
  let next = 0;
  const rawStart = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < RAW) {
        const i = next++;
        const form = new FormData();
        form.append(
          "flowInfo",
          new Blob([JSON.stringify({ trackingId: `RAW-${i}`, name: "raw.pdf", processingRule: "B2B", flowSyntax: "Factur-X", sha256: sample.sha256 })], { type: "application/json" }),
        );
        form.append("file", new Blob([new Uint8Array(sample.bytes)], { type: "application/pdf" }), "raw.pdf");
        const res = await fetch(`${paUrl}/flow-service/v1/flows`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
        if (res.status !== 202) throw new Error(`raw POST answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  const raw = RAW / ((performance.now() - rawStart) / 1000);
  const rate = PARTNERS / seconds;

  console.log(
    `\n${availableParallelism()} cores (load average ${load}) · issue run ${((issuedAt - start) / 1000).toFixed(1)} s · ${PARTNERS} documents generated and taken by the platform in ${seconds.toFixed(1)} s · all Approuvée (webhooks applied) after ${approvedSeconds.toFixed(1)} s`,
  );
  console.log(
    `not submitted: ${problems} · submitted twice: ${twice} · double: ${state.counters.flowPosts} POST /v1/flows, ${state.counters.directory} directory lookups, ${state.counters.tokens} token(s), ${state.counters.webhooksSent} webhooks sent`,
  );
  console.log(`issue → generated → transmitted: ${rate.toFixed(1)} documents/s`);
  console.log(`the double's own limit, raw POST /v1/flows (${RAW}, 16 in flight): ${raw.toFixed(1)} flows/s`);
  console.log(`ratio: ${(rate / raw).toFixed(2)} × the double's limit`);
  process.exitCode = problems === 0 && twice === 0 ? 0 : 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  double.kill("SIGTERM");
  hooks.close();
  await disconnectDb();
}
