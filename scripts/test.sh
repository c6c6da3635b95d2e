#!/usr/bin/env bash
# npm test: lint and format check (Biome, biome.json), type-check, db:check, then the unit, integration, HTTP and browser
# tests on real PostgreSQL, Redis and Chromium that this script starts itself.
# Ends with "N passed, N failed" alone on a line.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
source scripts/test-env.sh
set +e
mkdir -p .cache test-results/screenshots
passed=0; failed=0
step() { # name, command...
  local name=$1; shift
  echo "── $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "✗ $name failed"; fi
}

# Test databases of earlier runs go (those still in use by another run stay); the template is migrated afresh.
node --input-type=module -e '
  import pg from "pg";
  const c = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  await c.connect();
  const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2",
    ["t\\_%", "prisma_migrate_shadow_db_%"]);
  for (const { datname } of rows) await c.query(`DROP DATABASE "${datname}"`).catch(() => {});
  await c.end();'
prepare_template --force || exit 1
redis-cli -u "$REDIS_URL" flushall >/dev/null 2>&1 || true

step "lint" npm run -s lint
step "type-check" npx tsc --noEmit
step "db:check" npx tsx scripts/db/cli.ts check
step "build" npm run -s build

npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json "$@"
vitest_status=$?
counts=$(node -e '
  try {
    const r = require("./.cache/vitest.json");
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorCount ?? 0) + (r.success || r.numFailedTests ? 0 : 1));
  } catch { console.log("0 1"); }')
passed=$((passed + ${counts% *}))
failed=$((failed + ${counts#* }))
[ $vitest_status -ne 0 ] && [ "${counts#* }" = 0 ] && failed=$((failed + 1))

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
