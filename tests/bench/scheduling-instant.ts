// Benchmark of the instant mode (not a test): requests accepted at 20 per
// second for 10 s, staffed by one real worker process through the outbox and
// BullMQ; prints the accepted -> scheduled time (p50, p95), beside a no-op
// BullMQ throughput measured in the same run for scale.
//
//   source scripts/test-env.sh && npx tsx tests/bench/scheduling-instant.ts
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createTestDatabase } from "../support/databases.ts";
import { applyTestEnv } from "../support/test-env.ts";

const RATE = Number(process.env.RATE ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 10);
const root = path.resolve(import.meta.dirname, "../..");
applyTestEnv({ DATABASE_URL: await createTestDatabase("bench_instant") });

const { db } = await import("~/data/db.server.ts");
const { addToOutbox } = await import("~/data/outbox.server.ts");
const { addDays, fromParisLocal, parisWeekStart } = await import("~/utils/paris-time.ts");
const f = await import("../support/factories.ts");

async function noopThroughput(): Promise<number> {
  const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const prefix = `noop-${randomBytes(3).toString("hex")}`;
  const queue = new Queue("noop", { connection, prefix });
  const jobs = 5000;
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: "noop", data: { i } })));
  const started = performance.now();
  let done = 0;
  await new Promise<void>((resolve) => {
    const worker = new Worker("noop", async () => {}, { connection, prefix, concurrency: 50 });
    worker.on("completed", () => {
      if (++done === jobs) void worker.close().then(resolve);
    });
  });
  const rate = Math.round(jobs / ((performance.now() - started) / 1000));
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return rate;
}

async function main() {
  const week = parisWeekStart(new Date(Date.now() + 21 * 86_400_000));
  const skills = [await f.createSkill(db()), await f.createSkill(db())];
  const prestations = await Promise.all(skills.map((skill) => f.createPrestation(db(), { skillId: skill.id })));
  const sites = [await f.createSite(db()), await f.createSite(db())];
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
        interventions: [{ startsAt, durationMinutes: 60, workersNeeded: 1 + (i % 2), status: "ACCEPTED" }],
      }),
    );
  }
  const noop = await noopThroughput();

  const prefix = `instant-${randomBytes(3).toString("hex")}`;
  const worker = spawn("node", ["--import", "tsx", "tests/support/worker-process.ts"], {
    cwd: root,
    env: { ...process.env, QUEUE_PREFIX: prefix, LOCK_MS: "30000", WORKER_CONCURRENCY: "4" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => worker.stdout!.once("data", resolve));

  // Accept at RATE per second, as the portal does: one transaction writes the outbox row.
  const acceptedAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const r = requests[i]!;
    await db().$transaction((tx) => addToOutbox(tx, "scheduling", "staff-request", `request-accepted:${r.id}`, { requestId: r.id }));
    acceptedAt.set(r.interventions[0]!.id, Date.now());
  }
  const latencies: number[] = [];
  const deadline = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < deadline) {
    const settled = await db().intervention.findMany({
      where: { id: { in: [...acceptedAt.keys()] }, OR: [{ status: "SCHEDULED" }, { unstaffedReason: { not: null } }] },
      select: { id: true, updatedAt: true },
    });
    latencies.length = 0;
    for (const s of settled) latencies.push(s.updatedAt.getTime() - acceptedAt.get(s.id)!);
    await new Promise((r) => setTimeout(r, 200));
  }
  worker.kill("SIGTERM");
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const scheduled = await db().intervention.count({ where: { id: { in: [...acceptedAt.keys()] }, status: "SCHEDULED" } });
  console.log(`\nInstant mode: ${total} requests accepted at ${RATE}/s, one worker process`);
  console.log(`  settled ${latencies.length}/${total} (${scheduled} staffed, the rest with a reason)`);
  console.log(`  accepted -> scheduled: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${latencies.at(-1)} ms   (target p95 < 500 ms)`);
  console.log(`  for scale, no-op BullMQ throughput in the same run: ${noop} jobs/s`);
}

await main();
process.exit(0);
