#!/usr/bin/env bash
# npm run test:chaos: the fault-injection tests, many times over (outside npm test).
#   RUNS=20 by default; CHAOS_REQUESTS=200 requests per scheduling run.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
source scripts/test-env.sh
runs=${RUNS:-20}; failed=0
mkdir -p .cache # a fresh clone has none: npm test is not the only one to write logs there
files=(tests/integration/scheduling-chaos.test.ts tests/integration/outbox-worker.test.ts)
for extra in tests/integration/*chaos*.test.ts; do
  [[ " ${files[*]} " == *" $extra "* ]] || files+=("$extra")
done
for i in $(seq 1 "$runs"); do
  echo "── chaos run $i/$runs"
  npx vitest run --project integration "${files[@]}" >".cache/chaos-$i.log" 2>&1 || { failed=$((failed + 1)); tail -30 ".cache/chaos-$i.log"; }
done
echo "$((runs - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
