#!/usr/bin/env bash
# npm run demo: from a fresh clone to the running app with demo data.
# Installs what is missing, starts PostgreSQL and Redis (project-local),
# migrates, seeds an empty database, builds, then runs the web server and the
# worker until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
export SERVICES_PROFILE=dev
use_services
generate_client
npx tsx scripts/db/cli.ts migrate

# A stable secret for this checkout's demo, made once.
mkdir -p .data/dev
[ -s .data/dev/session-secret ] || head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > .data/dev/session-secret
export SESSION_SECRET=${SESSION_SECRET:-$(cat .data/dev/session-secret)}
export NODE_ENV=production DEMO=true SECURE_COOKIES=false MAIL_TRANSPORT=mailbox
export PORT=${PORT:-3000} APP_URL=${APP_URL:-http://localhost:${PORT:-3000}}

if [ "$(psql_scalar 'SELECT count(*) FROM "Organisation"')" = 0 ]; then
  echo "Seeding demo data…"
  npx tsx prisma/seed.ts
else
  echo "Demo data already there (npm run db:reset starts over)."
fi

npx remix build >/dev/null 2>&1 || npx remix build

pids=()
cleanup() { trap - INT TERM EXIT; kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
node --import tsx workers/index.ts & pids+=($!)
node --import tsx server.ts & pids+=($!)

for _ in $(seq 1 60); do curl -fs "http://localhost:$PORT/healthcheck" >/dev/null 2>&1 && break; sleep 0.5; done
cat <<MSG

  La Conciergerie Solidaire runs at $APP_URL
  Mail sent by the app is readable at $APP_URL/mailbox
  Demo logins (password: demo-conciergerie-2026):
    admin@conciergerie.example          Administration
    coordination@conciergerie.example   Coordination
    finance@conciergerie.example        Finance
    encadrant@conciergerie.example      Encadrant technique
    gare-de-lyon@sncf.example           Partenaire (administrateur), SNCF
    agent@sncf.example                  Partenaire, SNCF
    contact@monjardinchocolate.example  Partenaire (administrateur), Mon Jardin Chocolaté
    cuisine@latabledurecho.example      Partenaire (administrateur), La Table du RECHO
  Ctrl-C stops the app; npm run services:stop stops PostgreSQL and Redis.

MSG
wait -n "${pids[@]}"
