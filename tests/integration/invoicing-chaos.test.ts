import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { StripeDouble } from "../support/stripe-double.ts";

// SIGKILL the worker at random points of an invoice run (drafts, then issue
// through Stripe), restart it, and check every partner ends with exactly one
// invoice for the month, on the app's side and on Stripe's, totals equal to
// the hours worked to the cent, numbers gapless.
// npm test: one round of 20 partners. npm run test:chaos: INVOICING_CHAOS_ROUNDS=20, INVOICING_CHAOS_PARTNERS=300.
const ROUNDS = Number(process.env.INVOICING_CHAOS_ROUNDS ?? 1);
const PARTNERS = Number(process.env.INVOICING_CHAOS_PARTNERS ?? 20);
const KILLS = Number(process.env.INVOICING_CHAOS_KILLS ?? 2); // per step

const double = await new StripeDouble().start();
Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_chaos", STRIPE_WEBHOOK_SECRET: "whsec_chaos_0123456789", STRIPE_MAX_REQUESTS_PER_SECOND: "2000", ...double.env });
const { db } = await import("~/data/db.server.ts");
const { requestInvoiceRun } = await import("~/data/invoicing.server.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");
const { createUser } = await import("../support/factories.ts");

const prefix = `chaos-inv-${randomBytes(4).toString("hex")}`;
const root = path.resolve(import.meta.dirname, "../..");
const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const queue = new Queue("invoicing", { connection: redis, prefix });
let worker: ChildProcess | undefined;

function startWorker() {
  const child = spawn("node", ["--import", "tsx", "tests/support/invoicing-worker.ts"], {
    cwd: root,
    env: { ...process.env, QUEUE_PREFIX: prefix, LOCK_MS: "3000" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = String(chunk);
    if (!/failed: SIGKILL|ExperimentalWarning/.test(text)) process.stderr.write(`[worker] ${text}`);
  });
  return child;
}

async function kill(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode) return;
  child.kill("SIGKILL");
  await once(child, "exit");
}

afterAll(async () => {
  await kill(worker);
  await queue.close();
  redis.disconnect();
  await double.stop();
});

/** Runs one step as finance would, killing the worker `KILLS` times at random moments until the job completes. */
async function runStep(step: "prepare" | "issue", month: string, actor: { userId: string; organisationId: string; role: "FINANCE" }) {
  const jobId = await requestInvoiceRun(actor, { step, month, runKey: `${step}-${month}-${randomBytes(3).toString("hex")}` });
  let kills = 0;
  const deadline = Date.now() + 240_000;
  worker ??= startWorker();
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${step} did not complete`);
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : "pending";
    if (state === "completed") return { kills };
    if (state === "failed" && job && job.attemptsMade >= 5) throw new Error(`${step} failed: ${job.failedReason}`);
    if (kills < KILLS && (state === "active" || Math.random() < 0.3)) {
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 600));
      await kill(worker);
      kills++;
      worker = startWorker();
      continue;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("invoice run under SIGKILL", () => {
  it(`${ROUNDS} round(s) of ${PARTNERS} partners: exactly one invoice each, here and at Stripe, to the cent, gapless numbers`, { timeout: 300_000 * ROUNDS }, async () => {
    const finance = await createUser(db(), { role: "FINANCE" });
    const actor = { userId: finance.id, organisationId: finance.membership!.organisationId, role: "FINANCE" as const };
    for (let round = 0; round < ROUNDS; round++) {
      const month = `20${String(10 + Math.floor(round / 12)).padStart(2, "0")}-${String((round % 12) + 1).padStart(2, "0")}`;
      const partners = await seedInvoicingPartners(db(), { count: PARTNERS, month });
      const started = Date.now();
      const prepared = await runStep("prepare", month, actor);
      const issued = await runStep("issue", month, actor);
      const orgIds = partners.map((p) => p.organisationId);
      const invoices = await db().invoice.findMany({ where: { organisationId: { in: orgIds } }, include: { organisation: true } });
      expect(invoices).toHaveLength(PARTNERS);
      const byOrg = new Map(invoices.map((i) => [i.organisationId, i]));
      for (const p of partners) {
        const invoice = byOrg.get(p.organisationId)!;
        expect(invoice.status).toBe("OPEN");
        expect(invoice.totalInclVatCents).toBe(p.expectedInclVatCents);
        const remote = double.invoicesOf(invoice.organisation.stripeCustomerId!);
        expect(remote).toHaveLength(1);
        expect(remote[0]!.amount_due).toBe(p.expectedInclVatCents);
        expect(remote[0]!.status).toBe("open");
        expect(remote[0]!.number).toBe(invoice.number);
      }
      expect(new Set([...double.customers.values()].filter((c) => orgIds.includes(c.metadata.organisationId)).map((c) => c.metadata.organisationId)).size).toBe(PARTNERS);
      expect([...double.customers.values()].filter((c) => orgIds.includes(c.metadata.organisationId))).toHaveLength(PARTNERS);
      process.stdout.write(`round ${round + 1}/${ROUNDS}: ${PARTNERS} partners, ${prepared.kills + issued.kills} kills, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const numbers = (await db().invoice.findMany({ where: { number: { startsWith: "F" } }, select: { number: true } })).map((i) => i.number!);
    const bySeries = new Map<string, number[]>();
    for (const n of numbers) {
      const [series, seq] = n.split("-");
      bySeries.set(series!, [...(bySeries.get(series!) ?? []), Number(seq)]);
    }
    for (const seqs of bySeries.values()) expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
  });
});
