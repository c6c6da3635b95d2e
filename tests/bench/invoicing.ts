// Benchmark: an invoice run for 1,000 partners against the Stripe double
// limited to 100 requests/s (Stripe's live-mode limit). Prints the share of
// the limit used (target ≥ 90 %), the 429s met and handled, and invoices/s,
// against a baseline measured in the same run (100 partners, no limit).
//   npx tsx tests/bench/invoicing.ts           (BENCH_PARTNERS=1000, BENCH_RATE=100)
// Uses the test services (scripts/test-env.sh), its own database, not in npm test.
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
if (!process.env.TEST_ADMIN_DATABASE_URL) {
  // Re-run under the test services' environment.
  try {
    execFileSync("bash", ["-c", `source scripts/test-env.sh >/dev/null && exec npx tsx tests/bench/invoicing.ts`], { cwd: root, stdio: "inherit" });
    process.exit(0);
  } catch (error) {
    process.exit((error as { status?: number }).status ?? 1);
  }
}

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const BASELINE_PARTNERS = Math.min(100, PARTNERS);

const { createTestDatabase, enterSellerBankAccount } = await import("../support/databases.ts");
const { StripeDouble } = await import("../support/stripe-double.ts");
const double = await new StripeDouble().start();
Object.assign(process.env, {
  NODE_ENV: "test",
  SESSION_SECRET: "bench-session-secret-that-is-long-enough-0123456789",
  DATABASE_URL: await createTestDatabase("bench"),
  STRIPE_SECRET_KEY: "sk_test_bench",
  STRIPE_WEBHOOK_SECRET: "whsec_bench_0123456789",
  STRIPE_MAX_REQUESTS_PER_SECOND: String(RATE),
  ...double.env,
});
await enterSellerBankAccount(process.env.DATABASE_URL!);
const { db, disconnectDb } = await import("~/data/db.server.ts");
const { prepareRun, issueRun } = await import("../../workers/processors/invoicing.ts");
const { rateLimitStats } = await import("~/integrations/stripe.server.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");

async function run(label: string, partners: number, month: string, limit: number | undefined) {
  const seeded = await seedInvoicingPartners(db(), { count: partners, month, interventionsEach: 2 });
  await prepareRun({ month });
  double.options.rateLimitPerSecond = limit;
  Object.assign(double.stats, { requests: 0, accepted: 0, rateLimited: 0, idempotentReplays: 0, firstAt: 0, lastAt: 0 });
  const client = { ...rateLimitStats };
  const started = performance.now();
  await issueRun({ month }); // throws if any invoice failed, 429 included
  const seconds = (performance.now() - started) / 1000;
  const invoices = await db().invoice.count({ where: { organisationId: { in: seeded.map((s) => s.organisationId) }, status: "OPEN" } });
  if (invoices !== partners) throw new Error(`${label}: ${invoices} invoices issued for ${partners} partners`);
  const stats = { ...double.stats };
  return {
    label,
    partners,
    seconds,
    invoicesPerSecond: partners / seconds,
    requests: stats.accepted,
    requestsPerSecond: stats.accepted / seconds,
    rateLimited: stats.rateLimited,
    retriedByApp: rateLimitStats.rateLimited - client.rateLimited,
  };
}

try {
  // Baseline: no limit on the double (the app still paces itself at RATE).
  const baseline = await run("baseline", BASELINE_PARTNERS, "2026-01", undefined);
  const limited = await run("limited", PARTNERS, "2026-02", RATE);
  const share = limited.requestsPerSecond / RATE;
  const line = (r: typeof baseline) =>
    `${r.label.padEnd(9)} ${String(r.partners).padStart(5)} partners  ${r.seconds.toFixed(1).padStart(6)} s  ${r.invoicesPerSecond.toFixed(2).padStart(6)} invoices/s  ${r.requestsPerSecond.toFixed(1).padStart(6)} req/s  ${r.requests} requests  429: ${r.rateLimited} (retried by the app: ${r.retriedByApp})`;
  console.log(`\nInvoice run through the Stripe double, limit ${RATE} requests/s`);
  console.log(line(baseline));
  console.log(line(limited));
  console.log(`\nshare of the rate limit used: ${(share * 100).toFixed(1)} % (target ≥ 90 %)`);
  console.log(`invoices/s: ${limited.invoicesPerSecond.toFixed(2)} (${(limited.invoicesPerSecond / baseline.invoicesPerSecond).toFixed(2)} × the baseline)`);
  console.log(`429 left unhandled: 0 (every invoice issued; ${limited.rateLimited} met and retried)`);
  process.exitCode = share >= 0.9 ? 0 : 1;
} finally {
  await disconnectDb();
  await double.stop();
}
