import path from "node:path";
import { defineConfig } from "vitest/config";

// Three projects, all run by `npm test`:
// - unit: pure code (domain, utils, scripts), no services;
// - integration: data layer, queues and workers on real PostgreSQL and Redis,
//   one database per test file (cloned from a migrated template) so files run in parallel;
// - app: the built server with a seeded database, walked over HTTP and in Chromium.
const alias = { "~": path.resolve(import.meta.dirname, "app") };
const failOnConsoleError = "tests/support/fail-on-console-error.ts";

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["app/**/*.test.ts", "scripts/**/*.test.ts"],
          setupFiles: [failOnConsoleError],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          setupFiles: ["tests/support/integration-env.ts", failOnConsoleError],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "app",
          include: ["tests/http/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/support/app-server.ts"],
          setupFiles: [failOnConsoleError],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
