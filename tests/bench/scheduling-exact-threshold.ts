// Where the exact solver pays for the weekly optimisation: solves generated
// weeks of growing size with the job's limits (workers/processors/scheduling.ts)
// and prints time, proof, gap and whether the plan is reproducible (the same
// week solved twice gives the same plan). Not a timed test.
//   npx tsx tests/bench/scheduling-exact-threshold.ts [sizes] [seeds]
//   e.g. npx tsx tests/bench/scheduling-exact-threshold.ts 50,75,100 1,2
// NODE_LIMIT and TIME_LIMIT override the job's limits; TWICE=0 skips the second solve.
import { loadavg } from "node:os";
import { solve } from "../../app/domain/scheduling/engine";
import { solveExact } from "../../app/domain/scheduling/exact";
import { servedGapPercent, WEEKLY_EXACT } from "../../app/domain/scheduling/weekly-solver";
import { parseInstance } from "../../app/domain/scheduling/instance";
import { generateInstance } from "../support/instance-generator";

const sizes = (process.argv[2] ?? "50,75,100").split(",").map(Number);
const seeds = (process.argv[3] ?? "1,2").split(",").map(Number);
const nodeLimit = Number(process.env.NODE_LIMIT ?? WEEKLY_EXACT.nodeLimit);
const timeLimitSeconds = Number(process.env.TIME_LIMIT ?? WEEKLY_EXACT.timeLimitSeconds);

console.log(`node limit ${nodeLimit}, time limit ${timeLimitSeconds} s, load average ${loadavg()[0].toFixed(1)} (2 cores)`);
console.log("requests\ttw\tcolumns\tseconds\toptimal\tserved-opt\tserved gap %\tserved exact/heur\ttime-stops\tnode-stops\tsame plan twice");
for (const requests of sizes) {
  for (const timeWindows of [false, true]) {
    for (const seed of seeds) {
      const parsed = parseInstance(generateInstance({ requests, seed, timeWindows }));
      if (!parsed.ok) throw new Error(parsed.message);
      const heuristic = solve(parsed.instance);
      const first = await solveExact(parsed.instance, { nodeLimit, timeLimitSeconds });
      // TWICE=0 skips the reproducibility check (halves the run).
      const second = process.env.TWICE === "0" ? null : await solveExact(parsed.instance, { nodeLimit, timeLimitSeconds });
      const s = first.stats;
      console.log(
        [
          requests,
          timeWindows ? "yes" : "no",
          s.columns,
          s.seconds.toFixed(1),
          s.optimal,
          s.servedOptimal,
          s.servedOptimal ? "0" : (servedGapPercent(s.objective.servedParticipantMinutes, s.servedUpperBound) ?? "-"),
          `${s.objective.servedParticipantMinutes}/${heuristic.stats.objective.servedParticipantMinutes}`,
          s.timeLimitStops,
          s.nodeLimitStops,
          second ? JSON.stringify(first.plan) === JSON.stringify(second.plan) : "-",
        ].join("\t"),
      );
    }
  }
}
