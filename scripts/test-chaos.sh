#!/usr/bin/env bash
# npm run test:chaos: the fault tests, many times over (outside npm test).
# RUNS=20 by default.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}; failed=0
for i in $(seq 1 "$runs"); do
  echo "── chaos run $i/$runs"
  bash scripts/test.sh tests/integration/outbox-worker.test.ts tests/http/faults.test.ts >/tmp/chaos-$i.log 2>&1 || { failed=$((failed + 1)); tail -20 /tmp/chaos-$i.log; }
done
# Invoicing: 20 rounds of a 300-partner run, the worker SIGKILLed at random points (one vitest run).
echo "── invoicing chaos: ${INVOICING_CHAOS_ROUNDS:-20} rounds of ${INVOICING_CHAOS_PARTNERS:-300} partners"
INVOICING_CHAOS_ROUNDS=${INVOICING_CHAOS_ROUNDS:-20} INVOICING_CHAOS_PARTNERS=${INVOICING_CHAOS_PARTNERS:-300} \
  bash scripts/test.sh tests/integration/invoicing-chaos.test.ts >/tmp/chaos-invoicing.log 2>&1 || { failed=$((failed + 1)); tail -20 /tmp/chaos-invoicing.log; }
runs=$((runs + 1))
echo "$((runs - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
