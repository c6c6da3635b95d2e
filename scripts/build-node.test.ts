import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { parseInstance } from "../app/domain/scheduling/instance.ts";
import { buildNode } from "./build-node.ts";

const root = path.resolve(import.meta.dirname, "..");
const dist = (file: string) => path.join(root, "dist", file);

// Production runs dist/ with plain node: the bundles and their threads must
// stand without tsx and without our TypeScript sources' `~/` paths.
describe("the compiled server, worker and threads", () => {
  it("are plain JavaScript that import packages only", { timeout: 120_000 }, async () => {
    await buildNode();
    for (const file of ["server.js", "worker.js", "threads/exact-worker.js", "threads/facturx-thread.js"]) {
      expect(existsSync(dist(file)), file).toBe(true);
      const code = readFileSync(dist(file), "utf8");
      expect(code, file).not.toMatch(/from "(~\/|\.{1,2}\/)/);
      expect(code, file).not.toMatch(/from "tsx/);
    }
    // The threads as app/utils/worker-thread.ts starts them from dist/: the exact solver plans a week…
    const parsed = parseInstance(JSON.parse(readFileSync(path.join(root, "app/domain/scheduling/fixtures/example-small.json"), "utf8")));
    if (!parsed.ok) throw new Error("fixture");
    const solver = new Worker(dist("threads/exact-worker.js"), { workerData: { instance: parsed.instance, options: { timeLimitSeconds: 20 }, mode: "exact" } });
    const [answer] = (await once(solver, "message")) as [{ ok: boolean; result?: { plan: unknown } }];
    await solver.terminate();
    expect(answer.ok).toBe(true);
    expect(answer.result?.plan).toBeDefined();
    // …and a Factur-X thread says it is ready.
    const renderer = new Worker(dist("threads/facturx-thread.js"));
    const [ready] = (await once(renderer, "message")) as [{ ready?: boolean }];
    await renderer.terminate();
    expect(ready.ready).toBe(true);
  });
});
