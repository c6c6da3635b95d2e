// The weekly optimisation on one generated week, as the job runs it (not a
// test): served minutes, its bound, its time and its run report's notes.
//   npx tsx tests/bench/scheduling-weekly.ts 200 2 true [1800]
// arguments: requests, generator seed, time windows (true/false), and the
// time limit in seconds (default: WEEKLY_EXACT's).
import { weeklyIterations } from "../../app/domain/scheduling/engine";
import { chooseSolverFor, solveWeekSafely } from "../../app/domain/scheduling/exact";
import { parseInstance } from "../../app/domain/scheduling/instance";
import { WEEKLY_EXACT } from "../../app/domain/scheduling/weekly-solver";
import { generateInstance } from "../support/instance-generator";

const [size, seed, tw] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] === "true"];
const parsed = parseInstance(generateInstance({ requests: size, seed, timeWindows: tw }));
if (!parsed.ok) throw new Error(parsed.message);
const limits = process.argv[5] ? { ...WEEKLY_EXACT, timeLimitSeconds: Number(process.argv[5]) } : WEEKLY_EXACT;
const started = performance.now();
const { stats } = await solveWeekSafely(parsed.instance, chooseSolverFor(parsed.instance, limits), limits, weeklyIterations(size));
const served = stats.objective.servedParticipantMinutes;
const bound = stats.servedUpperBound;
console.log(
  `${size} seed ${seed} windows ${tw}: served ${served}, bound ${bound} (gap ${(((bound - served) / served) * 100).toFixed(2)} %), proven ${stats.servedOptimal}, ${((performance.now() - started) / 1000).toFixed(0)} s, time-limit stops ${stats.timeLimitStops}`,
);
for (const note of stats.notes) console.log(`  ${note}`);
