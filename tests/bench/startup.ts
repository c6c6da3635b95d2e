// Start time and memory of the web server and the worker, compiled (dist/,
// npm start / npm run worker) against the TypeScript sources under tsx (how
// they ran before), alternated RUNS times (default 5) so both meet the same
// load on a shared machine; prints the medians.
//
//   source scripts/test-env.sh && npm run build && npx tsx tests/bench/startup.ts
//
// Start: process spawned -> first 200 from /healthcheck (web), -> its
// "worker started" line (worker). Memory: resident set (VmRSS) at that moment
// and 3 s later, idle.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const RUNS = Number(process.env.RUNS ?? 5);
const PORT = 3390;
const env = {
  ...process.env,
  NODE_ENV: "production" as const,
  SECURE_COOKIES: "false",
  MAIL_TRANSPORT: "mailbox",
  SESSION_SECRET: "startup-bench-session-secret-0123456789abcdef",
  PORT: String(PORT),
  QUEUE_PREFIX: `startup-bench-${process.pid}`,
};
const variants = {
  "web, compiled": { args: ["--max-semi-space-size=64", "dist/server.js"], web: true },
  "web, tsx": { args: ["--max-semi-space-size=64", "--import", "tsx", "server.ts"], web: true },
  "worker, compiled": { args: ["dist/worker.js"], web: false },
  "worker, tsx": { args: ["--import", "tsx", "workers/index.ts"], web: false },
};
type Name = keyof typeof variants;

const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function measure(name: Name) {
  const { args, web } = variants[name];
  const started = performance.now();
  const child = spawn("node", args, { cwd: root, env, stdio: ["ignore", "pipe", "ignore"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode})`);
    if (
      web
        ? await fetch(`http://127.0.0.1:${PORT}/healthcheck`).then(
            (r) => r.status === 200,
            () => false,
          )
        : output.includes("worker started")
    )
      break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - started;
  const rssReady = rssMB(child.pid!);
  await new Promise((r) => setTimeout(r, 3000));
  const rssIdle = rssMB(child.pid!);
  child.kill("SIGTERM");
  await once(child, "exit");
  return { ms, rssReady, rssIdle };
}

const results: Record<string, { ms: number; rssReady: number; rssIdle: number }[]> = {};
const load = loadavg()[0]!.toFixed(1);
for (let run = 0; run < RUNS; run++) {
  for (const name of Object.keys(variants) as Name[]) (results[name] ??= []).push(await measure(name));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`${RUNS} runs each, alternated; load average ${load} before, ${loadavg()[0]!.toFixed(1)} after. Medians:`);
for (const [name, rows] of Object.entries(results)) {
  console.log(
    `${name.padEnd(18)} start ${Math.round(median(rows.map((r) => r.ms)))} ms (${rows.map((r) => Math.round(r.ms)).join(", ")}), RSS ${Math.round(median(rows.map((r) => r.rssReady)))} MB when ready, ${Math.round(median(rows.map((r) => r.rssIdle)))} MB 3 s later`,
  );
}
process.exit(0);
