# Source this to run part of the suite by hand:
#   source scripts/test-env.sh && npx vitest run --project integration tests/integration/auth.test.ts
# It starts the test services (not the demo's), exports their URLs and, when
# the migrations changed since, migrates the template test databases copy.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
ensure_chromium
export SERVICES_PROFILE=test
unset DATABASE_URL REDIS_URL
use_services 2>/dev/null
generate_client
export TEST_ADMIN_DATABASE_URL=$DATABASE_URL

prepare_template() {
  local stamp=.data/test/template-migrations
  local current; current=$(cat prisma/migrations/*/migration.sql | sha1sum | cut -c1-12)
  [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$current" ] && return 0
  node --input-type=module -e '
    import pg from "pg";
    const c = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await c.connect();
    await c.query("DROP DATABASE IF EXISTS conciergerie_template WITH (FORCE)");
    await c.query("CREATE DATABASE conciergerie_template");
    await c.end();'
  local url; url=$(node -e 'const u = new URL(process.env.DATABASE_URL); u.pathname = "/conciergerie_template"; console.log(u.toString())')
  DATABASE_URL=$url npx tsx scripts/db/cli.ts migrate >/dev/null || { echo "migrations failed" >&2; return 1; }
  echo "$current" > "$stamp"
}
prepare_template
