// Column generation on person-weeks (app/domain/scheduling/columns.ts) on one
// generated week (not a test): the heuristic's plan, the relaxation's bound,
// then the compact model cut to the relaxation's support, from that plan,
// repeated ROUNDS times (each time from the plan it found).
//   NODES=50 ROUNDS=1 npx tsx tests/bench/scheduling-columns.ts 150 11 false
// arguments: requests, generator seed, time windows (true/false).
// ITERS (20,000) and HSEEDS (1,2): the heuristic's searches, the best kept.
import highsLoader from "highs";
import { generateColumns, supportProblem } from "../../app/domain/scheduling/columns";
import { solveProblem } from "../../app/domain/scheduling/engine";
import { buildModelWithinBudget } from "../../app/domain/scheduling/exact-model";
import { planWithOutcome, solveModel } from "../../app/domain/scheduling/exact-solve";
import { parseInstance } from "../../app/domain/scheduling/instance";
import { compileProblem } from "../../app/domain/scheduling/problem";
import { generateInstance } from "../support/instance-generator";

const [size, seed, tw] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] === "true"];
const parsed = parseInstance(generateInstance({ requests: size, seed, timeWindows: tw }));
if (!parsed.ok) throw new Error(parsed.message);
const problem = compileProblem(parsed.instance);
const iterations = Number(process.env.ITERS ?? 20_000);
const hseeds = (process.env.HSEEDS ?? "1,2").split(",").map(Number);
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
let t = performance.now();
let plan = hseeds.map((h) => solveProblem(problem, { seed: h, iterations }).state).reduce((a, b) => (a.served >= b.served ? a : b));
console.log(`heuristic (${hseeds.join(",")} x ${iterations}): served ${plan.served} in ${seconds(t)} s`);
const highs = await highsLoader();
const requests = problem.requests.map((r) => r.index);
const pinned = () => requests.filter((r) => problem.requests[r].pinned && plan.isAssigned(r)).length;
for (let round = 1; round <= Number(process.env.ROUNDS ?? 1); round++) {
  t = performance.now();
  const columns = generateColumns(highs, problem, requests, plan, pinned(), { maxRounds: 200, deadline: Infinity });
  console.log(
    `columns: ${columns.rounds} rounds, ${columns.columns} columns, converged ${columns.converged}, bound ${columns.servedBound} (${(((columns.servedBound - plan.served) / plan.served) * 100).toFixed(2)} % above the plan) in ${seconds(t)} s`,
  );
  t = performance.now();
  const small = supportProblem(problem, columns.support, plan);
  const model = buildModelWithinBudget(small, requests, 0, "support");
  if (typeof model === "string") throw new Error(model);
  const stops = { time: 0, nodes: 0 };
  const outcome = solveModel(highs, small, model, plan, 3600, Number(process.env.NODES ?? 50), stops, { gap: 0.05, nodeLimit: 1 });
  if (outcome) plan = planWithOutcome(problem, plan, requests, outcome);
  console.log(`support model (${model.numCols} columns, ${model.rowLower.length} rows): served ${plan.served}, proven in the support ${outcome?.provenServed}, in ${seconds(t)} s`);
}
