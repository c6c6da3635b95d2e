#!/usr/bin/env bash
# npm run db:<command>: generate | migrate | new NAME | check | seed | reset
# Starts the local services when DATABASE_URL is not set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
cmd=${1:-}; shift || true
case "$cmd" in
  generate) generate_client ;;
  migrate|new|check) use_services; npx tsx scripts/db/cli.ts "$cmd" "$@" ;;
  seed) use_services; generate_client; npx tsx prisma/seed.ts ;;
  reset)
    [ "${NODE_ENV:-}" = production ] && { echo "db:reset refuses to run with NODE_ENV=production." >&2; exit 1; }
    use_services; generate_client; npx tsx scripts/db/cli.ts reset; npx tsx prisma/seed.ts ;;
  *) echo "usage: scripts/db.sh generate|migrate|new NAME|check|seed|reset" >&2; exit 2 ;;
esac
