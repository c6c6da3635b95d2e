// The heuristic on small city weeks (not a test): for each seed, the week of
// generateCity({ requests: SIZE, seed }), the served participant-minutes of
// the construction (the encadrants' weeks, supervisor-weeks.ts), of the whole
// heuristic, and with --bound the person-week bound of column generation
// (columns.ts; a few seconds each) and the gap to it.
//   npx tsx tests/bench/scheduling-city-structures.ts [--seeds 1,2,3,4,5] [--size 200] [--iterations 1000] [--bound]
import highsLoader from "highs";
import { generateColumns } from "../../app/domain/scheduling/columns";
import { solveProblem } from "../../app/domain/scheduling/engine";
import { compileProblem } from "../../app/domain/scheduling/problem";
import { parsed } from "../../app/domain/scheduling/test-builders";
import { generateCity } from "../support/city-generator";

const flag = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const seeds = flag("--seeds", "1,2,3,4,5").split(",").map(Number);
const size = Number(flag("--size", "200"));
const iterations = Number(flag("--iterations", "1000"));
const highs = process.argv.includes("--bound") ? await highsLoader() : null;

console.log("| seed | construction | heuristic | seconds | person-week bound | gap |");
console.log("|---:|---:|---:|---:|---:|---:|");
for (const seed of seeds) {
  const problem = compileProblem(parsed(generateCity({ requests: size, seed }).instance));
  const started = performance.now();
  const { state, stats } = solveProblem(problem, { seed: 1, iterations });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  let bound = "—";
  let gap = "—";
  if (highs) {
    const requests = problem.requests.map((r) => r.index);
    const pinnedKept = requests.filter((r) => problem.requests[r].pinned && state.isAssigned(r)).length;
    const columns = generateColumns(highs, problem, requests, state, pinnedKept, { maxRounds: 300, deadline: Number.POSITIVE_INFINITY });
    bound = columns.servedBound.toLocaleString("en");
    gap = `${(((columns.servedBound - state.served) / columns.servedBound) * 100).toFixed(2)} %`;
  }
  console.log(`| ${seed} | ${stats.greedyObjective.servedParticipantMinutes.toLocaleString("en")} | ${state.served.toLocaleString("en")} | ${seconds} | ${bound} | ${gap} |`);
}
