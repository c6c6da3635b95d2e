#!/usr/bin/env bash
# npm test: type-check, db:check, then the unit, integration, HTTP and browser
# tests on real PostgreSQL, Redis and Chromium that this script starts itself.
# Ends with "N passed, N failed" alone on a line.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
set -e
ensure_node_modules
ensure_chromium
export SERVICES_PROFILE=test
unset DATABASE_URL REDIS_URL
use_services
generate_client
set +e

export TEST_ADMIN_DATABASE_URL=$DATABASE_URL
mkdir -p .cache
passed=0; failed=0
step() { # name, command...
  local name=$1; shift
  echo "── $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "✗ $name failed"; fi
}

# Test databases of earlier runs go; the template is migrated afresh.
drop_test_databases() {
  node --input-type=module -e '
    import pg from "pg";
    const c = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await c.connect();
    const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2 OR datname = $3",
      ["t\\_%", "prisma_migrate_shadow_db_%", "conciergerie_template"]);
    for (const { datname } of rows) await c.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    await c.query("CREATE DATABASE conciergerie_template");
    await c.end();'
}
drop_test_databases
template_url=$(node -e 'const u = new URL(process.env.DATABASE_URL); u.pathname = "/conciergerie_template"; console.log(u.toString())')
DATABASE_URL=$template_url npx tsx scripts/db/cli.ts migrate >/dev/null || { echo "migrations failed"; exit 1; }
redis-cli -u "$REDIS_URL" flushall >/dev/null 2>&1 || true

step "type-check" npx tsc --noEmit
step "db:check" npx tsx scripts/db/cli.ts check
step "build" npx remix build

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
