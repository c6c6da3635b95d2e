// One way to start a worker thread on a TypeScript module, from the sources
// (tsx: tests, the scheduling CLI) or from the compiled build (npm start,
// npm run worker: scripts/build-node.ts puts each thread in dist/threads/).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** True when this code runs compiled (dist/), not from its TypeScript source. */
const compiled = !import.meta.url.endsWith(".ts");

/**
 * Starts a thread on `entry`, the URL of a .ts module beside the caller
 * (`new URL("./exact-worker.ts", import.meta.url)`). Compiled, it runs
 * dist/threads/<name>.js. From the sources, `--import tsx` does not reach a
 * thread's entry on Node 20, so a small bootstrap registers tsx's loader in
 * the thread, then imports the entry; both are resolved from here, so the
 * current directory does not matter. Throws when the thread cannot be made.
 */
export function startThread(entry: URL, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  if (compiled) return new Worker(new URL(`./threads/${path.basename(fileURLToPath(entry), ".ts")}.js`, import.meta.url), options);
  const bootstrap = `(async () => {
    const tsx = await import(${JSON.stringify(tsxEsmApiUrl())});
    (tsx.register ?? tsx.default.register)();
    await import(${JSON.stringify(entry.href)});
  })().catch((error) => { throw error; });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** URL of tsx's ESM API (its `import` export), found through tsx's package.json. */
function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("tsx/package.json");
  const manifest = require(manifestPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(manifest.exports["./esm/api"].import.default, pathToFileURL(manifestPath)).href;
}
