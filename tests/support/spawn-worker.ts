import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Starts tests/support/worker-process.ts (the real workers, under the test's
 * Redis prefix, a 2 s lock so stalled jobs come back fast) and resolves once
 * it is ready. The child is added to `children` at once, so that the test's
 * afterAll can kill every one it started (SIGKILL is a crash).
 */
export function startWorkerProcess(prefix: string, children: ChildProcess[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn("node", ["--import", "tsx", "tests/support/worker-process.ts"], {
    cwd: root,
    env: { ...process.env, QUEUE_PREFIX: prefix, LOCK_MS: "2000", WORKER_CONCURRENCY: "4", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.on("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
