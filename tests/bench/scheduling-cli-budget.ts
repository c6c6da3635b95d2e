// The default CLI's local-search budget on one generated week (not a test):
// served participant-minutes, shortfall and CPU seconds (CPU, not wall time: the
// shared machine's load makes wall time say little) per budget and seed.
//   ITERS=5000,20000 HSEEDS=1 npx tsx tests/bench/scheduling-cli-budget.ts 150 11 false
// arguments: requests, generator seed, time windows (true/false). The default
// CLI keeps the best of its searches (cliRuns in scripts/schedule.ts): up to
// 200 requests ITERS=5000,20000 HSEEDS=3 covers them (5000 from seed 1 only).
// WEEK_OUT=week.json also writes the week, for `npm run -s schedule -- --in
// week.json --exact --time-limit 600 --stats` (the optimum, or a bound).
import { writeFileSync } from "node:fs";
import { solveProblem } from "../../app/domain/scheduling/engine";
import { compileProblem } from "../../app/domain/scheduling/problem";
import { parseInstance } from "../../app/domain/scheduling/instance";
import { generateInstance } from "../support/instance-generator";
const [size, seed, tw] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] === "true"];
const iters = (process.env.ITERS ?? "10000").split(",").map(Number);
const hseeds = Number(process.env.HSEEDS ?? 4);
const week = generateInstance({ requests: size, seed, timeWindows: tw });
if (process.env.WEEK_OUT) writeFileSync(process.env.WEEK_OUT, JSON.stringify(week));
const parsed = parseInstance(week);
if (!parsed.ok) throw new Error(parsed.message);
const problem = compileProblem(parsed.instance);
for (const it of iters)
  for (let h = 1; h <= hseeds; h++) {
    const c0 = process.cpuUsage();
    const { state } = solveProblem(problem, { seed: h, iterations: it });
    const c = process.cpuUsage(c0);
    console.log(`${size} tw=${tw} seed=${seed} iters=${it} hseed=${h}: served ${state.served} shortfall ${state.objective().shortfall} cpu ${((c.user + c.system) / 1e6).toFixed(1)}`);
  }
