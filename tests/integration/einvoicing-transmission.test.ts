import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaDouble } from "../support/pa-double.ts";

// Transmission to an accredited platform, end to end against the PA double over
// HTTP: invoices issued by the real jobs on PostgreSQL and Redis, their
// Factur-X generated, submitted through the outbox and BullMQ, statuses coming
// back by signed webhooks (served by the app's own route) or by polling.
const pa = new PaDouble({ ackDelayMs: 10, stepDelayMs: 30 });
await pa.start();
process.env.EINVOICE_THREADS = "0";
Object.assign(process.env, pa.env, { PA_RETRY_DELAY_MS: "100" });
for (const k of ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) delete process.env[k]; // the local billing provider

const { db } = await import("~/data/db.server.ts");
const { recordTransfer } = await import("~/data/invoicing.server.ts");
const transmission = await import("~/data/einvoicing-transmission.server.ts");
const invoicing = await import("../../workers/processors/invoicing.ts");
const platformJobs = await import("../../workers/processors/einvoicing-platform.ts");
const { configuredPlatform, platformClient, platformConfig, signWebhook } = await import("~/integrations/einvoicing-platform.server.ts");
const { whatToDo } = await import("~/domain/einvoicing/lifecycle.ts");
const { action: webhookAction } = await import("~/routes/webhooks.einvoicing.ts");
const { startWorkers } = await import("../../workers/index.ts");
const { seedInvoicingPartners } = await import("../support/invoicing-fixtures.ts");
const { createUser } = await import("../support/factories.ts");
const { startWorkerProcess } = await import("../support/spawn-worker.ts");

// The app's webhook route behind a real HTTP server, as the web process serves it.
let hooks: Server;
let hookUrl = "";
let stopWorkers: (() => Promise<void>) | null = null;
const prefix = `pa-${randomBytes(4).toString("hex")}`;
const children: ChildProcess[] = [];
let finance: { userId: string; organisationId: string; role: "FINANCE" };

beforeAll(async () => {
  hooks = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const response = await webhookAction({
      request: new Request(`http://app${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      params: {},
      context: {},
    } as never);
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  });
  hooks.listen(0, "127.0.0.1");
  await once(hooks, "listening");
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/webhooks/einvoicing`;
  pa.setWebhookUrl(hookUrl);
  stopWorkers = await startWorkers({ prefix, schedulers: false, concurrency: 8, lockDurationMs: 5000 });
  const user = await createUser(db(), { role: "FINANCE" });
  finance = { userId: user.id, organisationId: user.membership!.organisationId, role: "FINANCE" };
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill("SIGKILL");
  await stopWorkers?.();
  await pa.stop();
  hooks.close();
});

// ------------------------------------------------------------------ helpers

const luhnDigit = (digits: string) => {
  for (let d = 0; d <= 9; d++) {
    const s = digits + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let n = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
      sum += n;
    }
    if (sum % 10 === 0) return String(d);
  }
  throw new Error("unreachable");
};
let sirenSeq = 0;
function newSiret() {
  const base = `${String(Date.now() % 1e5).padStart(5, "0")}${String(sirenSeq++).padStart(3, "0")}`;
  const siren = base + luhnDigit(base);
  const nic = "0001";
  return { siren, siret: siren + nic + luhnDigit(siren + nic) };
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/** Issues a month for `count` new partners (their SIRENs returned), through the real jobs; the outbox does the rest. */
async function issue(month: string, count: number, before: (sirens: string[]) => void = () => {}) {
  const partners = await seedInvoicingPartners(db(), { count, month });
  const ids = partners.map(() => newSiret());
  before(ids.map((x) => x.siren)); // the double's rules for these buyers, before anything reaches it
  for (let i = 0; i < count; i++) await db().organisation.update({ where: { id: partners[i]!.organisationId }, data: { siret: ids[i]!.siret } });
  for (const p of partners) {
    await invoicing.prepareRun({ month, organisationId: p.organisationId });
    await invoicing.issueRun({ month, organisationId: p.organisationId });
  }
  const invoices = await db().invoice.findMany({
    where: { organisationId: { in: partners.map((p) => p.organisationId) }, kind: "INVOICE" },
    select: { id: true, number: true, organisationId: true, totalInclVatCents: true },
  });
  return partners.map((p, i) => {
    const invoice = invoices.find((x) => x.organisationId === p.organisationId)!;
    return { ...invoice, number: invoice.number!, siren: ids[i]!.siren };
  });
}

const stateOf = (number: string) =>
  db().eInvoiceTransmission.findUnique({ where: { trackingId: number }, include: { events: { orderBy: { occurredAt: "asc" } }, document: { select: { transmissionStatus: true } } } });
type State = NonNullable<Awaited<ReturnType<typeof stateOf>>>;
const reach = (number: string, ok: (t: State) => boolean, what = "status") =>
  waitFor(
    `${number} ${what}`,
    () => stateOf(number),
    (t) => !!t && ok(t),
  ) as Promise<State>;

// ------------------------------------------------------------------ scenarios

describe("transmission to the accredited platform (PA double over HTTP)", () => {
  it("submits each issued document once, as a Factur-X flow B2B with its sha256, and follows it Déposée → Approuvée", async () => {
    const issued = await issue("2026-01", 3);
    for (const inv of issued) {
      // Webhooks are handled side by side: Approuvée may be applied before Déposée; wait for both (and the acknowledgement).
      const t = await reach(inv.number, (t) => t.lifecycleCode === "205" && t.ackStatus === "Ok" && t.events.some((e) => e.kind === "lifecycle" && e.code === "200"), "Approuvée");
      expect(t.state).toBe("submitted");
      expect(t.ackStatus).toBe("Ok");
      expect(t.addressingId).toBe(inv.siren); // the buyer's directory line
      expect(t.events.map((e) => `${e.kind}:${e.code}`)).toEqual(expect.arrayContaining(["ack:Pending", "ack:Ok", "lifecycle:200", "lifecycle:205"]));
      expect(t.document.transmissionStatus).toBe("transmitted");
      expect(pa.submissionsOf(inv.number)).toBe(1);
      const [flow] = pa.flowsOf(inv.number);
      expect(flow).toMatchObject({ flowSyntax: "Factur-X", processingRule: "B2B", invoiceNumber: inv.number, buyerSiren: inv.siren });
      const doc = await db().invoiceDocument.findFirstOrThrow({ where: { number: inv.number }, select: { sha256: true } });
      expect(flow!.sha256).toBe(doc.sha256);
    }
    expect(pa.counters.tokens).toBe(1); // one token, cached until it expires
  });

  it("asks for one token when several jobs need one at the same moment", async () => {
    const client = platformClient(platformConfig()!); // a process that has no token yet
    const before = { ...pa.counters };
    await Promise.all(Array.from({ length: 6 }, () => client.directoryLine("000000000", null)));
    expect(pa.counters.tokens - before.tokens).toBe(1);
    expect(pa.counters.directory - before.directory).toBeGreaterThanOrEqual(6); // each call went through
  });

  it("stores the platform's rejection and the buyer's refusal with their reasons, and lists them for finance", async () => {
    const [rejected, refused] = await issue("2026-02", 2, ([a, b]) => {
      pa.rules.rejectSirens.push(a!);
      pa.rules.refuseSirens.push(b!);
    });
    const r = await reach(rejected!.number, (t) => t.lifecycleCode === "213", "Rejetée");
    expect(r.events.find((e) => e.code === "213")!.reason).toContain("REJ_SEMAN");
    expect(r.document.transmissionStatus).toBe("rejected");
    const f = await reach(refused!.number, (t) => t.lifecycleCode === "210", "Refusée");
    expect(f.events.map((e) => e.code)).toContain("200");
    expect(f.events.find((e) => e.code === "210")!.reason).toContain("non conforme");
    const list = await transmission.documentsNeedingAction();
    expect(list.map((x) => x.document.number)).toEqual(expect.arrayContaining([rejected!.number, refused!.number]));
    expect(pa.submissionsOf(rejected!.number)).toBe(1);
  });

  it("never retries a flow the platform refused (4xx): stored with its reason for finance", async () => {
    pa.rules.failNext = 1;
    pa.rules.failStatus = 422;
    const [inv] = await issue("2026-03", 1);
    const t = await reach(inv!.number, (t) => t.state === "refused", "refused");
    expect(t.problem).toContain("422");
    await new Promise((r) => setTimeout(r, 800)); // retries would have come by now (100 ms backoff)
    expect(pa.submissionsOf(inv!.number)).toBe(0);
    expect(pa.counters.faultsInjected).toBeGreaterThanOrEqual(1);
    expect((await stateOf(inv!.number))!.state).toBe("refused");
  });

  it("retries with backoff while the platform is down (503) or limiting (429), loses nothing and sends once", async () => {
    pa.rules.failStatus = 503;
    pa.rules.failNext = 4;
    const [a] = await issue("2026-04", 1);
    await reach(a!.number, (t) => t.lifecycleCode === "205");
    pa.rules.failStatus = 429;
    pa.rules.failNext = 2;
    pa.rules.latencyMs = 300; // and slow
    const [b] = await issue("2026-04", 1);
    await reach(b!.number, (t) => t.lifecycleCode === "205");
    pa.rules.latencyMs = 0;
    expect(pa.submissionsOf(a!.number)).toBe(1);
    expect(pa.submissionsOf(b!.number)).toBe(1);
    const job = await db().eInvoiceTransmission.findUniqueOrThrow({ where: { trackingId: a!.number } });
    expect(job.attempts).toBeGreaterThan(1);
  });

  it("absorbs replayed and out-of-order webhooks, and refuses forged ones", async () => {
    pa.rules.autoApprove = false; // statuses pushed by hand below
    const [inv] = await issue("2026-05", 1);
    await reach(inv!.number, (t) => t.lifecycleCode === "200");
    // Out of order: Approuvée (at t+2) arrives before En litige (at t+1): Approuvée stays current.
    const t0 = Date.now();
    pa.pushStatus(inv!.number, "205", undefined, new Date(t0 + 2000));
    await reach(inv!.number, (t) => t.lifecycleCode === "205");
    const litige = pa.pushStatus(inv!.number, "207", "Quantités contestées", new Date(t0 + 1000));
    await reach(inv!.number, (t) => t.events.some((e) => e.code === "207"), "207 stored");
    // Replays of the same callbacks: nothing more is stored.
    const before = (await stateOf(inv!.number))!.events.length;
    await pa.replayWebhook(litige);
    await pa.replayWebhook(litige);
    await pa.settle();
    await new Promise((r) => setTimeout(r, 500));
    const after = (await stateOf(inv!.number))!;
    expect(after.events.length).toBe(before);
    expect(after.lifecycleCode).toBe("205");
    // Forged: a wrong signature, an old one, none at all.
    const body = JSON.stringify({ flowInfo: { flowId: litige, updatedAt: new Date().toISOString() } });
    const outboxBefore = await db().outboxEvent.count();
    for (const signature of [signWebhook("not-the-secret-0123456789", body), signWebhook(pa.webhookSecret, body, Math.floor(Date.now() / 1000) - 3600), ""]) {
      const res = await fetch(hookUrl, { method: "POST", headers: { "content-type": "application/json", "x-signature": signature }, body });
      expect(res.status).toBe(401);
    }
    expect(await db().outboxEvent.count()).toBe(outboxBefore);
    pa.rules.autoApprove = true;
  });

  it("finds the statuses by polling /v1/flows/search (updatedAfter) when webhooks are lost", async () => {
    pa.rules.webhooks = false;
    const [inv] = await issue("2026-06", 1);
    await reach(inv!.number, (t) => t.flowId !== null, "submitted");
    await waitFor(
      "double's lifecycle",
      async () => pa.statusesOf(inv!.number).length,
      (n) => n >= 2,
    );
    await pa.settle();
    const cursorBefore = await transmission.pollCursor();
    await platformJobs.pollFlows(configuredPlatform()!);
    const t = (await stateOf(inv!.number))!;
    expect(t.ackStatus).toBe("Ok");
    expect(t.lifecycleCode).toBe("205");
    expect(t.events.filter((e) => e.source === "poll").length).toBeGreaterThanOrEqual(2);
    const cursor = await transmission.pollCursor();
    expect(cursor!.getTime()).toBeGreaterThan(cursorBefore?.getTime() ?? 0);
    // A second poll finds nothing new and stores nothing twice.
    await platformJobs.pollFlows(configuredPlatform()!);
    expect((await stateOf(inv!.number))!.events.length).toBe(t.events.length);
    pa.rules.webhooks = true;
  });

  it("sends nothing for a partner missing from the directory, tells finance what to do, and sends once it is registered", async () => {
    const [missing] = await issue("2026-07", 1, ([siren]) => pa.rules.missingSirens.push(siren!));
    const t = await reach(missing!.number, (t) => t.state === "directory_missing", "directory_missing");
    expect(t.flowId).toBeNull();
    expect(pa.submissionsOf(missing!.number)).toBe(0);
    expect(whatToDo(t)).toMatch(/annuaire/);
    expect((await transmission.documentsNeedingAction()).some((d) => d.document.number === missing!.number)).toBe(true);
    pa.rules.missingSirens = [];
    const again = await transmission.requestResubmission(finance, t.documentId);
    expect(again.ok).toBe(true);
    await reach(missing!.number, (t) => t.lifecycleCode === "205");
    expect(pa.submissionsOf(missing!.number)).toBe(1);
  });

  it("sends Encaissée once for a payment recorded by transfer, with the amount collected", async () => {
    const [inv] = await issue("2026-09", 1);
    await reach(inv!.number, (t) => t.lifecycleCode === "205");
    const paid = await recordTransfer(finance, inv!.id, { amountCents: inv!.totalInclVatCents, reference: "VIR-TEST", receivedAt: new Date() });
    expect(paid.ok).toBe(true);
    const t = await reach(inv!.number, (t) => t.lifecycleCode === "212", "Encaissée");
    expect(t.events.find((e) => e.code === "212")!.source).toBe("app");
    await waitFor(
      "double's encaissement",
      async () => pa.encaissements.get(inv!.number) ?? [],
      (l) => l.length > 0,
    );
    // The job once more (a retry, a repeated event): nothing is sent again.
    const payment = await db().payment.findFirstOrThrow({ where: { invoiceId: inv!.id } });
    await platformJobs.reportPayment({ paymentId: payment.id }, configuredPlatform()!);
    await pa.settle();
    expect(pa.encaissements.get(inv!.number)).toEqual([inv!.totalInclVatCents]);
    const report = await db().eInvoicePaymentReport.findUniqueOrThrow({ where: { paymentId: payment.id } });
    expect(pa.submissionsOf(report.trackingId)).toBe(1);
  });

  it("never submits twice when the worker is killed mid-submission (a search by trackingId comes first)", async () => {
    await stopWorkers!();
    stopWorkers = null;
    pa.rules.latencyMs = 1500; // the POST is in flight long enough to kill the worker during it
    const child = await startWorkerProcess(prefix, children, { ...pa.env, PA_RETRY_DELAY_MS: "100", EINVOICE_THREADS: "0" });
    const [inv] = await issue("2026-10", 1);
    await reach(inv!.number, (t) => t.submitStartedAt !== null, "POST started");
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGKILL");
    await once(child, "exit");
    await waitFor(
      "the double took the flow",
      async () => pa.submissionsOf(inv!.number),
      (n) => n === 1,
    );
    pa.rules.latencyMs = 0;
    await startWorkerProcess(prefix, children, { ...pa.env, PA_RETRY_DELAY_MS: "100", EINVOICE_THREADS: "0" });
    // The statuses may arrive by webhook before the job taken up again has found the flow by its trackingId.
    const t = await reach(inv!.number, (t) => t.lifecycleCode === "205" && t.flowId !== null, "Approuvée, flow found again");
    expect(t.flowId).toBe(pa.flowsOf(inv!.number)[0]!.flowId);
    expect(pa.submissionsOf(inv!.number)).toBe(1);
  });
});
