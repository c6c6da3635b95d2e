// Benchmark of the instant mode (not a test): partners accept quotes (the
// portal's own acceptQuote: interventions SUBMITTED -> ACCEPTED and the outbox
// row, in one transaction); one real worker process (WORKERS=2: two, as a
// second process or machine would) staffs them through the outbox relay and
// BullMQ. Measured per intervention: from the acceptance's
// commit to the moment a reader of the database (the partner's page) first
// sees it SCHEDULED (or explicitly unstaffed, with a reason), polled every
// POLL_MS. Two loads, in one run, each beside a no-op BullMQ job's
// add -> completed latency at the same rate, measured in the same run (the
// machine is shared: read the ratios):
//   1. RATE (20) per second for SECONDS while the same worker runs a weekly
//      optimisation of another week (WEEKLY_INTERVENTIONS accepted interventions
//      of the same people, its solver in a worker thread): target p95 < 250 ms;
//   2. HIGH_RATE (50) per second for SECONDS, sustained: target p95 < 500 ms.
// Acceptances are fired on schedule, each in its own transaction, up to 2 at
// once (partners do not queue behind each other; the achieved rate is printed).
//
//   source scripts/test-env.sh && nice npx tsx tests/bench/scheduling-instant.ts
//   (RATE, HIGH_RATE, SECONDS, POLL_MS, WORKERS, WORKER_CONCURRENCY, WEEKLY_INTERVENTIONS to change the load; WORKER_NODE_ARGS;
//   BREAKDOWN=0 leaves out where each acceptance's time goes, read from the jobs' results after each load)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import path from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createTestDatabase } from "../support/databases.ts";
import { applyTestEnv } from "../support/test-env.ts";

const RATE = Number(process.env.RATE ?? 20);
const HIGH_RATE = Number(process.env.HIGH_RATE ?? 50);
const WEEKLY_INTERVENTIONS = Number(process.env.WEEKLY_INTERVENTIONS ?? 200);
/** Acceptances in flight at once (each a transaction of the bench's own database pool). */
const MAX_IN_FLIGHT = 2;
const SECONDS = Number(process.env.SECONDS ?? 10);
const POLL_MS = Number(process.env.POLL_MS ?? 20);
const CONCURRENCY = process.env.WORKER_CONCURRENCY ?? "10"; // the production default (workers/index.ts)
/** Worker processes, each with the production's concurrency, on the same queues (a second process or machine). */
const WORKERS = Number(process.env.WORKERS ?? 1);
// Acceptances in the week before, staffed before the measure starts: the production worker runs for
// days, so its first pass after start (modules, JIT, prepared queries: ~0.7 s here) is not what partners meet.
const WARMUP = Number(process.env.WARMUP ?? 20);
// BREAKDOWN=0 leaves out where the time goes (read from the jobs after each load).
const BREAKDOWN = process.env.BREAKDOWN !== "0";
/** The worker's scheduling queue, for the breakdown. */
let benchQueue: Queue | undefined;
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

/** A no-op BullMQ job at `rate`: add -> completed as seen by the producer's process; then throughput. */
async function noopBaseline(count: number, rate: number) {
  const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const prefix = `noop-${randomBytes(3).toString("hex")}`;
  const queue = new Queue("noop", { connection, prefix });
  const addedAt = new Map<string, number>();
  const latencies: number[] = [];
  const worker = new Worker("noop", async () => {}, { connection: connection.duplicate(), prefix, concurrency: 50 });
  worker.on("completed", (job) => latencies.push(performance.now() - addedAt.get(job.id!)!));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
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

type World = Awaited<ReturnType<typeof world>>;

/** Two skills, two partners with a site each, 10 encadrants and 60 people (the same for every week). */
async function world() {
  const skills = [await f.createSkill(db()), await f.createSkill(db())];
  const prestations = await Promise.all(skills.map((skill) => f.createPrestation(db(), { skillId: skill.id })));
  const partners = [await f.createUser(db(), { role: "PARTNER_ADMIN" }), await f.createUser(db(), { role: "PARTNER_ADMIN" })];
  const actors = partners.map((u) => ({ userId: u.id, organisationId: u.membership!.organisationId, role: u.membership!.role }));
  const sites = await Promise.all(actors.map((a) => f.createSite(db(), { organisationId: a.organisationId })));
  for (let i = 0; i < 10; i++) await f.createSupervisor(db(), { skillIds: [skills[i % 2]!.id], maxTeamSize: 5 });
  for (let i = 0; i < 60; i++) await f.createParticipant(db(), { skillIds: [skills[i % 2]!.id], weeklyTargetMinutes: 600 });
  return { prestations, actors, sites };
}

/** `count` quotes to accept in `week` (one intervention each, teams of 1 or 2), created before the measure. */
async function quotes(w: World, week: string, count: number, status: "SUBMITTED" | "ACCEPTED" = "SUBMITTED") {
  const serviceRequests = [];
  for (let i = 0; i < count; i++) {
    const startsAt = fromParisLocal(`${addDays(week, i % 5)}T${String(8 + (i % 9)).padStart(2, "0")}:${["00", "15", "30", "45"][i % 4]}`);
    serviceRequests.push(
      await f.createServiceRequest(db(), {
        prestationId: w.prestations[i % 2]!.id,
        siteId: w.sites[i % 2]!.id,
        organisationId: w.sites[i % 2]!.organisationId,
        teamSize: 1 + (i % 2),
        interventions: [{ startsAt, durationMinutes: 60, participantsNeeded: 1 + (i % 2), status }],
      }),
    );
  }
  return serviceRequests;
}

/** acceptQuote, tried again when the bench's own database pool is too busy to start its transaction (a loaded machine). */
async function accept(actor: Parameters<typeof acceptQuote>[0], requestId: string): ReturnType<typeof acceptQuote> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await acceptQuote(actor, requestId);
    } catch (error) {
      if ((error as { code?: string }).code !== "P2028" || attempt === 5) throw error;
    }
  }
}

/**
 * Accepts the quotes at `rate` per second, each fired on time in its own
 * transaction, and watches the database until each is settled (or a minute
 * after the last). Latencies in ms, sorted; an unsettled one is Infinity.
 */
async function measure(w: World, serviceRequests: Awaited<ReturnType<typeof quotes>>, rate: number) {
  const acceptedAt = new Map<string, number>();
  const seen = new Map<string, { at: number; staffed: boolean; updatedAt: number }>();
  let accepting = true;
  let lastAccepted = Date.now();
  const watcher = (async () => {
    while (seen.size < serviceRequests.length && (accepting || Date.now() < lastAccepted + 60_000)) {
      if (accepting) lastAccepted = Date.now();
      const waiting = [...acceptedAt.keys()].filter((id) => !seen.has(id));
      if (waiting.length > 0) {
        const rows = await db().intervention.findMany({
          where: { id: { in: waiting }, OR: [{ status: "SCHEDULED" }, { unstaffedReason: { not: null } }] },
          select: { id: true, status: true, updatedAt: true },
        });
        const now = Date.now();
        for (const r of rows) seen.set(r.id, { at: now, staffed: r.status === "SCHEDULED", updatedAt: r.updatedAt.getTime() });
      }
      await sleep(POLL_MS);
    }
  })();
  const started = Date.now();
  const accepting_ = [];
  let inFlight = 0;
  for (const [i, r] of serviceRequests.entries()) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    while (inFlight >= MAX_IN_FLIGHT) await sleep(2); // within the database pool: late rather than refused
    inFlight++;
    accepting_.push(
      accept(w.actors[i % 2]!, r.id).then((result) => {
        inFlight--;
        if (!result.ok) throw new Error(`acceptance refused: ${result.message}`);
        acceptedAt.set(r.interventions[0]!.id, Date.now());
      }),
    );
  }
  await Promise.all(accepting_);
  const acceptSeconds = (Date.now() - started) / 1000;
  accepting = false;
  await watcher;
  const latencies = [...acceptedAt].map(([id, at]) => (seen.has(id) ? seen.get(id)!.at - at : Infinity)).sort((a, b) => a - b);
  const staffed = [...seen.values()].filter((s) => s.staffed).length;
  const steps = BREAKDOWN ? await breakdown(serviceRequests, acceptedAt, seen) : undefined;
  return { latencies, acceptSeconds, settled: seen.size, staffed, steps };
}

type PassTimings = { started: number; read: number; computed: number; locked: number; written: number; committed: number; optimistic: boolean };
type StaffTimings = { started: number; queried: number; passes: PassTimings[] };
const WAY_IN = ["commit -> relayed (job added)", "relayed -> job started", "job started -> its interventions read"] as const;
const PASS = [
  "commit -> the pass that staffs it starts",
  "pass: week read (no lock)",
  "pass: insertion computed (no lock)",
  "pass: week lock acquired",
  "pass: checked and written (locked)",
  "pass: committed",
  "committed -> seen by the poll",
] as const;

/**
 * Where each acceptance's time went. The way in, from its staff-request job
 * (added, started: BullMQ's timestamps; its read: the job's result). Then
 * the pass that staffed it (not always its job's own: a pass takes every
 * waiting intervention of the week), found by the intervention's updatedAt,
 * written under that pass's lock, among the passes the jobs return (epoch ms,
 * one machine's clock). Per step: p50 and p95 over the acceptances.
 */
async function breakdown(serviceRequests: Awaited<ReturnType<typeof quotes>>, acceptedAt: Map<string, number>, seen: Map<string, { at: number; updatedAt: number }>) {
  const { jobIdFor } = await import("~/queues/registry.ts");
  const wayIn: number[][] = WAY_IN.map(() => []);
  const inPass: number[][] = PASS.map(() => []);
  const passes = new Map<number, PassTimings>();
  const jobs = [];
  for (const r of serviceRequests) {
    const job = await benchQueue!.getJob(jobIdFor("scheduling", `request-accepted:${r.id}`));
    const t = (job?.returnvalue as { timings?: StaffTimings } | undefined)?.timings;
    jobs.push({ interventionId: r.interventions[0]!.id, job, t });
    for (const pass of t?.passes ?? []) passes.set(pass.started, pass);
  }
  const sortedPasses = [...passes.values()].sort((a, b) => a.started - b.started);
  let attributed = 0;
  for (const { interventionId, job, t } of jobs) {
    const accepted = acceptedAt.get(interventionId);
    const settled = seen.get(interventionId);
    if (accepted === undefined || !settled) continue;
    if (job?.processedOn && t) {
      const marks = [accepted, job.timestamp, job.processedOn, t.queried];
      for (let i = 0; i < WAY_IN.length; i++) wayIn[i]!.push(marks[i + 1]! - marks[i]!);
    }
    const pass = sortedPasses.find((p) => p.locked <= settled.updatedAt && settled.updatedAt <= p.written);
    if (!pass) continue;
    attributed++;
    const marks = [accepted, pass.started, pass.read, pass.computed, pass.locked, pass.written, pass.committed, settled.at];
    for (let i = 0; i < PASS.length; i++) inPass[i]!.push(marks[i + 1]! - marks[i]!);
  }
  const summary = (labels: readonly string[], durations: number[][]) =>
    labels.map((label, i) => {
      const sorted = durations[i]!.sort((a, b) => a - b);
      return { label, p50: pct(sorted, 50), p95: pct(sorted, 95) };
    });
  const recomputed = sortedPasses.filter((p) => !p.optimistic).length;
  return {
    passes: `${sortedPasses.length} passes, ${recomputed} of them computed again under the lock; ${attributed} acceptances traced to their pass`,
    steps: [...summary(WAY_IN, wayIn), ...summary(PASS, inPass)],
  };
}

async function main() {
  const week = (weeks: number) => parisWeekStart(new Date(Date.now() + weeks * 7 * 86_400_000));
  const w = await world();
  const total = RATE * SECONDS;
  const highTotal = HIGH_RATE * SECONDS;
  const besideWeekly = await quotes(w, week(3), total);
  const sustained = await quotes(w, week(4), highTotal);
  const warmups = await quotes(w, week(6), WARMUP);
  // The weekly optimisation's week: accepted interventions of the same people, not staffed yet.
  await quotes(w, week(5), WEEKLY_INTERVENTIONS, "ACCEPTED");
  const noop = await noopBaseline(total, RATE);
  const noopHigh = await noopBaseline(highTotal, HIGH_RATE);

  const prefix = `instant-${randomBytes(3).toString("hex")}`;
  // WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the worker.
  const nodeArgs = (process.env.WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const workers = Array.from({ length: WORKERS }, () =>
    spawn("node", [...nodeArgs, "--import", "tsx", "tests/support/worker-process.ts"], {
      cwd: root,
      env: { ...process.env, QUEUE_PREFIX: prefix, LOCK_MS: "30000", WORKER_CONCURRENCY: CONCURRENCY },
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.stdout!.once("data", resolve))));
  // Each worker's event-loop delay over a load (worker-process.ts answers SIGUSR2 with a line, and starts again).
  const loopLines: string[][] = workers.map(() => []);
  for (const [i, worker] of workers.entries()) {
    worker.stdout!.on("data", (chunk: Buffer) =>
      loopLines[i]!.push(
        ...String(chunk)
          .split("\n")
          .filter((l) => l.startsWith("event-loop ")),
      ),
    );
  }
  const eventLoop = async () => {
    const before = loopLines.map((lines) => lines.length);
    for (const worker of workers) worker.kill("SIGUSR2");
    for (let i = 0; i < 100 && loopLines.some((lines, w) => lines.length === before[w]); i++) await sleep(20);
    const reports = loopLines.map((lines, w) => {
      const line = lines.at(-1);
      if (lines.length === before[w] || !line) return "not reported";
      const { p50, p99, max, busy } = JSON.parse(line.slice("event-loop ".length)) as Record<string, number>;
      return `busy ${busy} % of the time, late by p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`;
    });
    return WORKERS === 1 ? `worker's event loop ${reports[0]}` : reports.map((r, w) => `worker ${w + 1}'s event loop ${r}`).join("; ");
  };
  const queue = new Queue("scheduling", { connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), prefix });
  benchQueue = queue;
  const warm = await measure(w, warmups, RATE);
  if (warm.settled < warmups.length) throw new Error("warm-up acceptances not settled in a minute");

  // 1. The weekly optimisation of another week, on the same worker, solving while partners accept.
  const weekly = await queue.add("optimise-week", { weekStart: week(5) }, { jobId: "bench-weekly" });
  const weeklyState = async () => `${await weekly.getState()} ${(await queue.getJob(weekly.id!))?.progress ?? 0} %`;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
    const job = await queue.getJob(weekly.id!);
    if (typeof job?.progress === "number" && job.progress >= 30) break; // solving (its thread busy), not still reading the week
  }
  const weeklyBefore = await weeklyState();
  const loadBeside = loadavg();
  await eventLoop();
  const beside = await measure(w, besideWeekly, RATE);
  const loopBeside = await eventLoop();
  const weeklyAfter = await weeklyState();

  // 2. The high rate, sustained (the weekly optimisation may still be running: its state is printed).
  const loadHigh = loadavg();
  const weeklyBeforeHigh = await weeklyState();
  await eventLoop();
  const high = await measure(w, sustained, HIGH_RATE);
  const loopHigh = await eventLoop();

  await queue.close();
  const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once("exit", resolve))));
  for (const worker of workers) worker.kill("SIGTERM"); // a clean stop (profiles written) unless the weekly job holds it past 10 s
  await Promise.race([exited, sleep(10_000)]);
  for (const worker of workers) worker.kill("SIGKILL");

  const figure = (label: string, run: Awaited<ReturnType<typeof measure>>, rate: number, target: number, baseline: number[], load: number[], note: string) => {
    const p95 = pct(run.latencies, 95)!;
    const noopP95 = pct(baseline, 95)!;
    const ok = p95 < target ? "met" : "NOT met";
    console.log(`\n${label}: ${run.latencies.length} quotes at ${rate}/s (accepted in ${run.acceptSeconds.toFixed(1)} s, so ${(run.latencies.length / run.acceptSeconds).toFixed(1)}/s achieved)`);
    console.log(`  load average at start ${load.map((l) => l.toFixed(2)).join(" ")}; ${note}`);
    console.log(`  settled ${run.settled}/${run.latencies.length} (${run.staffed} staffed, ${run.settled - run.staffed} unstaffed with a reason)`);
    console.log(`  accepted -> seen scheduled: p50 ${ms(pct(run.latencies, 50))}, p95 ${ms(p95)} (target < ${target} ms: ${ok}), p99 ${ms(pct(run.latencies, 99))}, max ${ms(run.latencies.at(-1))}`);
    console.log(`  no-op BullMQ job add -> completed at ${rate}/s, same run: p50 ${ms(pct(baseline, 50))}, p95 ${ms(noopP95)}`);
    console.log(`  ratio p95 instant / p95 no-op: ${Number.isFinite(p95) ? (p95 / noopP95).toFixed(1) : "∞"}; target / p95 no-op: ${(target / noopP95).toFixed(1)}`);
    if (run.steps) {
      console.log(`  where the time goes, p50 / p95 per acceptance (${run.steps.passes}):`);
      for (const step of run.steps.steps) console.log(`    ${step.label.padEnd(42)} ${ms(step.p50).padStart(8)} / ${ms(step.p95)}`);
    }
  };
  console.log(
    `\nInstant mode, ${WORKERS === 1 ? "one worker process" : `${WORKERS} worker processes`} (concurrency ${CONCURRENCY} each), after ${WARMUP} warm-up acceptances in another week; poll every ${POLL_MS} ms`,
  );
  console.log(`  no-op BullMQ throughput, same run: ${noop.throughput} jobs/s (at ${RATE}/s phase), ${noopHigh.throughput} jobs/s (at ${HIGH_RATE}/s phase)`);
  figure(
    `1. Beside a weekly optimisation (${WEEKLY_INTERVENTIONS} interventions, ${WORKERS === 1 ? "same worker" : "on one of the workers"})`,
    beside,
    RATE,
    250,
    noop.latencies,
    loadBeside,
    `weekly job ${weeklyBefore} at start, ${weeklyAfter} at end; ${loopBeside}`,
  );
  figure("2. Sustained high rate", high, HIGH_RATE, 500, noopHigh.latencies, loadHigh, `weekly job ${weeklyBeforeHigh} at start; ${loopHigh}`);
}

await main();
process.exit(0);
