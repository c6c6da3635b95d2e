// Compiles the web server, the worker and their threads to JavaScript in
// dist/ (part of `npm run build`, after `remix build`), so production runs
// `node dist/server.js` and `node dist/worker.js`, without tsx.
// Packages stay in node_modules; only our own code is bundled.
import path from "node:path";
import { build, type Plugin } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");

/** Every package import stays an import (esbuild 0.17's `packages: "external"` would take `~/` for one too). */
const packagesExternal: Plugin = {
  name: "packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("~/") || path.isAbsolute(args.path) ? undefined : { path: args.path, external: true }));
  },
};

export async function buildNode() {
  await build({
    absWorkingDir: root,
    entryPoints: {
      server: "server.ts",
      worker: "workers/index.ts",
      // Started by app/utils/worker-thread.ts from dist/threads/<name>.js.
      "threads/exact-worker": "app/domain/scheduling/exact-worker.ts",
      "threads/facturx-thread": "app/integrations/facturx-thread.ts",
    },
    outdir: "dist",
    bundle: true,
    plugins: [packagesExternal],
    platform: "node",
    format: "esm",
    target: "node20",
    tsconfig: "tsconfig.json",
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildNode();
