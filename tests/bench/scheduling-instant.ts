// Benchmark of the instant mode (not a test): partners accept quotes at 20 per
// second for 10 s (the portal's own acceptQuote: interventions SUBMITTED ->
// ACCEPTED and the outbox row, in one transaction); one real worker process
// staffs them through the outbox relay and BullMQ. Measured per intervention:
// from the acceptance's commit to the moment a reader of the database (the
// partner's page) first sees it SCHEDULED (or explicitly unstaffed, with a
// reason), polled every POLL_MS. Printed beside a no-op BullMQ job's
// add -> completed latency at the same rate and its throughput, both measured
// in the same run, for scale (the machine is shared: read ratios).
//
//   source scripts/test-env.sh && npx tsx tests/bench/scheduling-instant.ts
//   (RATE, SECONDS, POLL_MS, WORKER_CONCURRENCY to change the load; WORKER_NODE_ARGS)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import path from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createTestDatabase } from "../support/databases.ts";
import { applyTestEnv } from "../support/test-env.ts";

const RATE = Number(process.env.RATE ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 10);
const POLL_MS = Number(process.env.POLL_MS ?? 20);
const CONCURRENCY = process.env.WORKER_CONCURRENCY ?? "10"; // the production default (workers/index.ts)
// Acceptances in the week before, staffed before the measure starts: the production worker runs for
// days, so its first pass after start (modules, JIT, prepared queries: ~0.7 s here) is not what partners meet.
const WARMUP = Number(process.env.WARMUP ?? 20);
const root = path.resolve(import.meta.dirname, "../..");
applyTestEnv({ DATABASE_URL: await createTestDatabase("bench_instant") });

const { db } = await import("~/data/db.server.ts");
const { acceptQuote } = await import("~/data/requests.server.ts");
const { addDays, fromParisLocal, parisWeekStart } = await import("~/utils/paris-time.ts");
const f = await import("../support/factories.ts");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Nearest-rank percentile; an unsettled item counts as infinitely late. */
const pct = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "never" : `${Math.round(v)} ms`);

/** A no-op BullMQ job at the same rate: add -> completed as seen by the producer's process; then throughput. */
async function noopBaseline(count: number) {
  const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const prefix = `noop-${randomBytes(3).toString("hex")}`;
  const queue = new Queue("noop", { connection, prefix });
  const addedAt = new Map<string, number>();
  const latencies: number[] = [];
  const worker = new Worker("noop", async () => {}, { connection: connection.duplicate(), prefix, concurrency: 50 });
  worker.on("completed", (job) => latencies.push(performance.now() - addedAt.get(job.id!)!));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > performance.now()) await sleep(due - performance.now());
    addedAt.set(`n${i}`, performance.now());
    await queue.add("noop", { i }, { jobId: `n${i}` });
  }
  while (latencies.length < count) await sleep(5);
  const latency = [...latencies].sort((a, b) => a - b);
  worker.removeAllListeners("completed");
  const jobs = 5000;
  let done = 0;
  const bulkStart = performance.now();
  await new Promise<void>((resolve) => {
    worker.on("completed", () => ++done === jobs && resolve());
    void queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: "noop", data: { i } })));
  });
  const throughput = Math.round(jobs / ((performance.now() - bulkStart) / 1000));
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { latencies: latency, throughput };
}

async function main() {
  const week = parisWeekStart(new Date(Date.now() + 21 * 86_400_000));
  const skills = [await f.createSkill(db()), await f.createSkill(db())];
  const prestations = await Promise.all(skills.map((skill) => f.createPrestation(db(), { skillId: skill.id })));
  const partners = [await f.createUser(db(), { role: "PARTNER_ADMIN" }), await f.createUser(db(), { role: "PARTNER_ADMIN" })];
  const actors = partners.map((u) => ({ userId: u.id, organisationId: u.membership!.organisationId, role: u.membership!.role }));
  const sites = await Promise.all(actors.map((a) => f.createSite(db(), { organisationId: a.organisationId })));
  for (let i = 0; i < 10; i++) await f.createSupervisor(db(), { skillIds: [skills[i % 2]!.id], maxTeamSize: 5 });
  for (let i = 0; i < 60; i++) await f.createWorker(db(), { skillIds: [skills[i % 2]!.id], weeklyTargetMinutes: 600 });
  const total = RATE * SECONDS;
  const requests = [];
  for (let i = 0; i < total; i++) {
    const startsAt = fromParisLocal(`${addDays(week, i % 5)}T${String(8 + (i % 9)).padStart(2, "0")}:${["00", "15", "30", "45"][i % 4]}`);
    requests.push(
      await f.createServiceRequest(db(), {
        prestationId: prestations[i % 2]!.id,
        siteId: sites[i % 2]!.id,
        organisationId: sites[i % 2]!.organisationId,
        teamSize: 1 + (i % 2),
        interventions: [{ startsAt, durationMinutes: 60, workersNeeded: 1 + (i % 2), status: "SUBMITTED" }],
      }),
    );
  }
  const warmups = [];
  for (let i = 0; i < WARMUP; i++) {
    const startsAt = fromParisLocal(`${addDays(week, -7 + (i % 5))}T${String(8 + (i % 9)).padStart(2, "0")}:00`);
    warmups.push(
      await f.createServiceRequest(db(), {
        prestationId: prestations[i % 2]!.id,
        siteId: sites[i % 2]!.id,
        organisationId: sites[i % 2]!.organisationId,
        teamSize: 1,
        interventions: [{ startsAt, durationMinutes: 60, workersNeeded: 1, status: "SUBMITTED" }],
      }),
    );
  }
  const noop = await noopBaseline(total);

  const prefix = `instant-${randomBytes(3).toString("hex")}`;
  // WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the worker.
  const nodeArgs = (process.env.WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const worker = spawn("node", [...nodeArgs, "--import", "tsx", "tests/support/worker-process.ts"], {
    cwd: root,
    env: { ...process.env, QUEUE_PREFIX: prefix, LOCK_MS: "30000", WORKER_CONCURRENCY: CONCURRENCY },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => worker.stdout!.once("data", resolve));
  for (const [i, r] of warmups.entries()) {
    const result = await acceptQuote(actors[i % 2]!, r.id);
    if (!result.ok) throw new Error(`acceptance refused: ${result.message}`);
    await sleep(1000 / RATE);
  }
  const warmupIds = warmups.map((r) => r.interventions[0]!.id);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const settled = await db().intervention.count({ where: { id: { in: warmupIds }, OR: [{ status: "SCHEDULED" }, { unstaffedReason: { not: null } }] } });
    if (settled === warmupIds.length) break;
  }
  const load = loadavg();

  // The partner's view: the first time a read of the database shows the intervention settled.
  const acceptedAt = new Map<string, number>();
  const seen = new Map<string, { at: number; staffed: boolean }>();
  let accepting = true;
  const watcher = (async () => {
    const deadline = () => !accepting && Date.now() > lastAccepted + 60_000;
    let lastAccepted = Date.now();
    while (seen.size < total && !deadline()) {
      if (accepting) lastAccepted = Date.now();
      const waiting = [...acceptedAt.keys()].filter((id) => !seen.has(id));
      if (waiting.length > 0) {
        const rows = await db().intervention.findMany({
          where: { id: { in: waiting }, OR: [{ status: "SCHEDULED" }, { unstaffedReason: { not: null } }] },
          select: { id: true, status: true },
        });
        const now = Date.now();
        for (const r of rows) seen.set(r.id, { at: now, staffed: r.status === "SCHEDULED" });
      }
      await sleep(POLL_MS);
    }
  })();

  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const r = requests[i]!;
    const result = await acceptQuote(actors[i % 2]!, r.id);
    if (!result.ok) throw new Error(`acceptance refused: ${result.message}`);
    acceptedAt.set(r.interventions[0]!.id, Date.now());
  }
  const acceptSeconds = (Date.now() - started) / 1000;
  accepting = false;
  await watcher;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  worker.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);

  const latencies = [...acceptedAt].map(([id, at]) => (seen.has(id) ? seen.get(id)!.at - at : Infinity)).sort((a, b) => a - b);
  const staffed = [...seen.values()].filter((s) => s.staffed).length;
  const p95 = pct(latencies, 95)!;
  const noopP95 = pct(noop.latencies, 95)!;
  console.log(`\nInstant mode: ${total} quotes accepted at ${RATE}/s (took ${acceptSeconds.toFixed(1)} s), one worker process, concurrency ${CONCURRENCY}, after ${WARMUP} warm-up acceptances (another week, not measured)`);
  console.log(`  load average at start ${load.map((l) => l.toFixed(2)).join(" ")}, poll every ${POLL_MS} ms`);
  console.log(`  settled ${seen.size}/${total} (${staffed} staffed, ${seen.size - staffed} unstaffed with a reason)`);
  console.log(
    `  accepted -> seen scheduled: p50 ${ms(pct(latencies, 50))}, p95 ${ms(p95)}, p99 ${ms(pct(latencies, 99))}, max ${ms(latencies.at(-1))}   (target p95 < 500 ms)`,
  );
  console.log(
    `  baseline, no-op BullMQ job add -> completed at ${RATE}/s: p50 ${ms(pct(noop.latencies, 50))}, p95 ${ms(noopP95)}; throughput ${noop.throughput} jobs/s`,
  );
  console.log(`  ratio p95 instant / p95 no-op: ${Number.isFinite(p95) ? (p95 / noopP95).toFixed(0) : "∞"}`);
}

await main();
process.exit(0);
