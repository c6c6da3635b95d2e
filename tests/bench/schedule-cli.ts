// The scheduling CLI as a user runs it (npm's "schedule" script is `tsx
// scripts/schedule.ts`), for the benchmarks: a new process, its wall time, and
// what it printed on stderr (the --stats JSON, or its error).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export function runScheduleCli(args: string[]): Promise<{ code: number | null; seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/schedule.ts", ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, seconds: (performance.now() - started) / 1000, stderr }));
  });
}
