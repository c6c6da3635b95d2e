// Benchmark: a month's Factur-X documents for 1,000 partners, as the worker's
// "documents" job makes them (read from the database, EN 16931 mapping,
// readable PDF, CII XML, PDF/A-3 assembly, stored with its SHA-256), with the
// job's progress bar. Prints documents/s (target on the 2-core machine: 20+)
// and the ratio to a baseline measured in the same run: the plain pdf-lib PDF
// of the same invoices (same fonts, same layout), without Factur-X.
//   npx tsx tests/bench/einvoicing.ts          (BENCH_PARTNERS=1000, BENCH_BASELINE=200)
// Uses the test services (scripts/test-env.sh), its own database, not in npm test.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
if (!process.env.TEST_ADMIN_DATABASE_URL) {
  try {
    execFileSync("bash", ["-c", `source scripts/test-env.sh >/dev/null && exec npx tsx tests/bench/einvoicing.ts`], { cwd: root, stdio: "inherit" });
    process.exit(0);
  } catch (error) {
    process.exit((error as { status?: number }).status ?? 1);
  }
}

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 1000);
const BASELINE = Math.min(Number(process.env.BENCH_BASELINE ?? 200), PARTNERS);
const MONTH = "2026-03";

const { createTestDatabase, enterSellerBankAccount } = await import("../support/databases.ts");
delete process.env.STRIPE_SECRET_KEY; // the local provider: this measures documents, not Stripe
delete process.env.STRIPE_WEBHOOK_SECRET;
Object.assign(process.env, { NODE_ENV: "test", SESSION_SECRET: "bench-session-secret-that-is-long-enough-0123456789", DATABASE_URL: await createTestDatabase("bench-einvoicing") });
await enterSellerBankAccount(process.env.DATABASE_URL!);
const { db, disconnectDb } = await import("~/data/db.server.ts");
const { prepareRun, issueRun } = await import("../../workers/processors/invoicing.ts");
const { documentsRun } = await import("../../workers/processors/einvoicing.ts");
const { documentSettings, loadInvoiceSource } = await import("~/data/einvoicing.server.ts");
const { invoiceToEN16931 } = await import("~/domain/einvoicing/en16931.ts");
const { readablePdf } = await import("~/domain/einvoicing/readable-pdf.ts");
const { documentFonts, facturX } = await import("~/integrations/facturx.server.ts");
const { monthOf } = await import("~/domain/invoicing/period.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");
const { stopDocumentThreads } = await import("~/integrations/facturx-pool.server.ts");

function bar(done: number) {
  const width = 40;
  const filled = Math.round((done / 100) * width);
  if (done % 10 === 0 || done === 100) process.stdout.write(`  [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(done).padStart(3)} %\n`);
}

try {
  const seedStart = performance.now();
  await seedInvoicingPartners(db(), { count: PARTNERS, month: MONTH, interventionsEach: 3 });
  await prepareRun({ month: MONTH });
  const issued = await issueRun({ month: MONTH });
  if (issued.issued !== PARTNERS) throw new Error(`${issued.issued} invoices issued for ${PARTNERS} partners`);
  const ids = (await db().invoice.findMany({ where: { status: "OPEN" }, select: { id: true, issuedAt: true }, orderBy: { number: "asc" } })).map((i) => i.id);
  console.log(`${PARTNERS} partners seeded, drafted and issued in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // Warm-up (fonts parsed, schema compiled), not counted.
  const settings = await documentSettings();
  const warm = invoiceToEN16931((await loadInvoiceSource(ids[0]!))!.source, settings);
  await facturX(warm);

  // Baseline: the same invoices read and drawn as a plain pdf-lib PDF, nothing else.
  const baseStart = performance.now();
  for (const id of ids.slice(0, BASELINE)) {
    const loaded = (await loadInvoiceSource(id))!;
    await readablePdf(invoiceToEN16931(loaded.source, settings), documentFonts());
  }
  const baseline = BASELINE / ((performance.now() - baseStart) / 1000);

  // The job: every missing document of the month of issue, stored once, with its progress.
  console.log(`Factur-X documents of ${PARTNERS} partners (job "documents", progress):`);
  const progress: number[] = [];
  let shown = -1;
  const job = {
    updateProgress: async (p: number) => {
      progress.push(p);
      if (Math.floor(p / 10) > shown) bar((shown = Math.floor(p / 10)) * 10);
    },
  };
  const start = performance.now();
  const result = await documentsRun({ month: monthOf(new Date()) }, job as never);
  const seconds = (performance.now() - start) / 1000;
  const stored = await db().invoiceDocument.count({ where: { kind: "INVOICE" } });
  if (result.generated !== PARTNERS || stored !== PARTNERS) throw new Error(`${result.generated} generated, ${stored} stored, for ${PARTNERS} partners`);
  const rate = PARTNERS / seconds;
  const bytes = await db().$queryRaw<{ avg: number }[]>`SELECT avg(octet_length(bytes))::int AS avg FROM "InvoiceDocument"`;
  const load = (await import("node:os")).loadavg()[0]!.toFixed(1);
  console.log(
    `\n${availableParallelism()} cores (load average ${load} during the run, ${process.env.EINVOICE_THREADS ?? "default"} render threads) · ${PARTNERS} documents in ${seconds.toFixed(1)} s · ${progress.length} progress updates · ${Math.round(bytes[0]!.avg / 1024)} KiB each on average`,
  );
  console.log(`Factur-X (job, stored): ${rate.toFixed(1)} documents/s (target ≥ 20 on 2 cores)`);
  console.log(`baseline, plain pdf-lib PDF of the same invoices (${BASELINE}, not stored): ${baseline.toFixed(1)} documents/s`);
  console.log(`ratio: ${(rate / baseline).toFixed(2)} × the baseline`);
  process.exitCode = rate >= 20 ? 0 : 1;
} finally {
  await stopDocumentThreads();
  await disconnectDb();
}
