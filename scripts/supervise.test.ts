import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// The demo's supervisor (scripts/supervise.sh): a process killed with kill -9
// is logged and started again, with a growing delay; SIGTERM stops both.
const script = path.resolve(import.meta.dirname, "supervise.sh");
let supervisor: ChildProcess | undefined;

afterEach(() => {
  if (supervisor?.exitCode === null) supervisor.kill("SIGKILL");
});

function start() {
  const child = spawn("bash", [script, "sleeper", "node", "-e", "setInterval(() => {}, 1000)"], {
    env: { ...process.env, SUPERVISE_FIRST_DELAY: "1", SUPERVISE_MAX_DELAY: "2" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  /** Waits for a log line matching `pattern` after the `skip` first ones; returns its match. */
  const next = async (pattern: RegExp, skip = 0, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...log.matchAll(new RegExp(pattern, "g"))][skip];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no line ${pattern} (#${skip + 1}) in:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, next, log: () => log };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("scripts/supervise.sh", () => {
  it("restarts a process killed with kill -9, logged, with a growing delay, and stops it on SIGTERM", async () => {
    const s = start();
    supervisor = s.child;
    const first = Number((await s.next(/sleeper started \(pid (\d+)\)/))[1]);
    process.kill(first, "SIGKILL");
    await s.next(/sleeper exited \(code 137\); restarting in 1s/);
    const second = Number((await s.next(/sleeper started \(pid (\d+)\)/, 1))[1]);
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);

    process.kill(second, "SIGKILL");
    await s.next(/sleeper exited \(code 137\); restarting in 2s/);
    const third = Number((await s.next(/sleeper started \(pid (\d+)\)/, 2))[1]);
    expect(alive(third)).toBe(true);

    s.child.kill("SIGTERM");
    const [code] = await once(s.child, "exit");
    expect(code).toBe(0);
    expect(s.log()).toMatch(/sleeper stopped/);
    expect(alive(third)).toBe(false);
  }, 30_000);
});
