// Framework CPU per page with and without each patch of patches/ (see
// portal-patches.sh, which makes the checkouts and runs this): one portal
// server per checkout, side by side, loaded in turn ROUNDS times with the
// sign-in page (no SQL: what the framework itself costs, where the patches
// act); prints each one's median CPU per page and its ratio to "every patch".
//   node_modules checkouts: npx tsx tests/bench/portal-patches.ts name=dir ...
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import autocannon from "autocannon";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REQUESTS = Number(process.env.REQUESTS ?? 1500);
const variants = process.argv.slice(2).map((a, i) => ({ name: a.split("=")[0]!, dir: a.split("=")[1]!, port: 3300 + i }));
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const servers: ChildProcess[] = [];
for (const v of variants) {
  const child = spawn("node", ["--max-semi-space-size=64", "--preserve-symlinks", "--preserve-symlinks-main", "dist/server.js"], {
    cwd: v.dir,
    env: { ...process.env, NODE_ENV: "production", SECURE_COOKIES: "false", MAIL_TRANSPORT: "mailbox", SESSION_SECRET: "patch-bench-session-secret-0123456789abcdef", PORT: String(v.port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(child.stdout!, "data");
  servers.push(child);
}
const perPage: Record<string, number[]> = {};
const load = loadavg()[0]!.toFixed(1);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, v] of variants.entries()) {
    const url = `http://127.0.0.1:${v.port}/login`;
    await autocannon({ url, connections: 10, amount: 300 }); // warm-up
    const before = cpuMs(servers[i]!.pid!);
    const r = await autocannon({ url, connections: 10, amount: REQUESTS });
    (perPage[v.name] ??= []).push((cpuMs(servers[i]!.pid!) - before) / r.requests.total);
  }
}
for (const s of servers) s.kill("SIGTERM");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(perPage[variants[0]!.name]!);
console.log(`Sign-in page, ${REQUESTS} requests x ${ROUNDS} rounds per server, alternated; load average ${load} before, ${loadavg()[0]!.toFixed(1)} after`);
for (const v of variants) {
  const m = median(perPage[v.name]!);
  console.log(`${v.name.padEnd(40)} ${m.toFixed(2)} ms CPU per page (${perPage[v.name]!.map((x) => x.toFixed(2)).join(", ")}), ${(m / base).toFixed(2)} x ${variants[0]!.name}`);
}
process.exit(0);
