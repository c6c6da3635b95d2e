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
# The demo runs over plain http: secure cookies and HSTS are off (said at the end).
export NODE_ENV=production DEMO=true SECURE_COOKIES=false MAIL_TRANSPORT=mailbox
# Reachable from this machine only, unless HOST says otherwise.
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-3000} APP_URL=${APP_URL:-http://localhost:${PORT:-3000}}

# Seeds an empty database; on one that has data, only lists the demo logins.
logins=$(npx tsx prisma/seed.ts)

# The app runs compiled (remix build, then scripts/build-node.ts: dist/server.js, dist/worker.js).
npm run -s build >/dev/null 2>&1 || npm run -s build

pids=()
cleanup() { trap - INT TERM EXIT; kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
# Each process runs under scripts/supervise.sh: one that crashes (or is killed
# with kill -9) is logged and started again with a growing delay, and the
# others keep serving meanwhile.
supervised() { bash scripts/supervise.sh "$@" & pids+=($!); }
# Invoicing goes through Stripe's API as the local Stripe double serves it (no
# internet needed): Stripe invoices, hosted pages with a "Payer" button, and
# signed webhooks back to the app. Its state is kept in .data/dev/stripe-double.json.
export STRIPE_DOUBLE_PORT=${STRIPE_DOUBLE_PORT:-12111}
export STRIPE_SECRET_KEY=sk_test_demo_conciergerie STRIPE_WEBHOOK_SECRET=whsec_demo_conciergerie
export STRIPE_API_HOST=127.0.0.1 STRIPE_API_PORT=$STRIPE_DOUBLE_PORT STRIPE_API_PROTOCOL=http
STRIPE_DOUBLE_WEBHOOK_URL=http://127.0.0.1:$PORT/webhooks/stripe STRIPE_DOUBLE_STATE=.data/dev/stripe-double.json \
  supervised stripe-double node --import tsx scripts/stripe-double.ts
# E-invoices go to a local accredited-platform double speaking the AFNOR XP Z12-013
# Flow and Directory APIs (token, flows, directory, signed webhooks back). It
# rejects the invoices of the buyers in PA_DOUBLE_REJECT_SIRENS and has their
# buyer refuse those in PA_DOUBLE_REFUSE_SIRENS, so every path shows in the demo
# (La Table du RECHO's invoices are rejected by default). See README, E-invoicing.
export PA_DOUBLE_PORT=${PA_DOUBLE_PORT:-12112}
export PA_FLOW_URL=http://127.0.0.1:$PA_DOUBLE_PORT/flow-service PA_DIRECTORY_URL=http://127.0.0.1:$PA_DOUBLE_PORT/directory-service
export PA_TOKEN_URL=http://127.0.0.1:$PA_DOUBLE_PORT/oauth/token PA_NAME="Plateforme agréée (double local)"
export PA_CLIENT_ID=conciergerie-demo PA_CLIENT_SECRET=demo-pa-client-secret PA_WEBHOOK_SECRET=demo-pa-webhook-secret-0123456789
PA_DOUBLE_WEBHOOK_URL=http://127.0.0.1:$PORT/webhooks/einvoicing PA_DOUBLE_REJECT_SIRENS=${PA_DOUBLE_REJECT_SIRENS-834612970} \
  supervised pa-double node --import tsx scripts/pa-double.ts
supervised worker node dist/worker.js
supervised web node --max-semi-space-size=64 dist/server.js

node -e '
  const url = `http://localhost:${process.env.PORT}/healthcheck`;
  const deadline = Date.now() + 60000;
  (async () => { while (Date.now() < deadline) { try { if ((await fetch(url)).ok) return; } catch {} await new Promise(r => setTimeout(r, 300)); } })();' 
cat <<MSG

$logins

  La Conciergerie Solidaire runs at $APP_URL
  Mail sent by the app is readable at $APP_URL/mailbox (signed in as staff)
  It listens on $HOST only, over plain http: secure cookies and HSTS are OFF
  (SECURE_COOKIES=false). A demo, not a deployment (README, Production notes).
  Invoices go to the local Stripe double at http://127.0.0.1:$STRIPE_DOUBLE_PORT (Facturation, as finance@)
  A process that crashes is restarted (logged as [supervise]).
  E-invoices go to the local accredited-platform double at http://127.0.0.1:$PA_DOUBLE_PORT (Factures électroniques)
  Ctrl-C stops the app; npm run services:stop stops PostgreSQL and Redis;
  npm run db:reset starts over with fresh demo data.

MSG
# Until Ctrl-C: the supervisors end only when told.
wait "${pids[@]}"
