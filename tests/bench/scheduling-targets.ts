// Every figure of issue 23 beside its target, in one run (not a test; hours at
// the default sizes, each part also runs alone with its own options):
//
//   source scripts/test-env.sh && nice npx tsx tests/bench/scheduling-targets.ts [--quick]
//
// 1. exact mode never crashes: `npm run -s schedule -- --exact --time-limit 300
//    --stats` on a generated 300-request week (about 30 % of requests with time
//    windows, 6 % pinned), the shape that aborted inside HiGHS;
// 2. closer to the optimum: tests/bench/scheduling.ts on weeks of 150 and 300
//    requests (the default CLI against the proven optimum or the bound; the
//    weekly job proven or within 0.3 %);
// 3. city scale: tests/bench/scheduling-city.ts, 5,000 and 20,000 requests
//    (time, memory, validity, gap to the person-week bound, --lp columns:
//    some 15 minutes and an hour of pricing, and to the exact bound);
// 4. instant mode under load: tests/bench/scheduling-instant.ts.
// It ends with every line of theirs that states a target. --quick runs small
// settings (minutes, not hours) to check the chain, not to quote.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateInstance } from "../support/instance-generator";
import { validatePlan } from "../support/plan-validator";
import { runScheduleCli } from "./schedule-cli";

const quick = process.argv.includes("--quick");
const root = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "scheduling-targets-"));
const lines: string[] = [];

/** Runs a benchmark script, its output shown as it comes and kept for the summary. */
function bench(script: string, args: string[]): Promise<void> {
  console.log(`\n════ ${script} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      lines.push(`[${script}]`, ...output.split("\n").filter((line) => /target|\bmet\b/i.test(line) && !line.startsWith("|---")));
      if (code === 0) resolve();
      else reject(new Error(`${script} exited ${code}`));
    });
  });
}

async function exactModeOnAHardWeek() {
  const size = quick ? 100 : 300;
  const week = generateInstance({ requests: size, seed: 7, timeWindowShare: 0.3, pinnedShare: 0.06 });
  const weekPath = join(scratch, "week.json");
  const planPath = join(scratch, "plan.json");
  writeFileSync(weekPath, JSON.stringify(week));
  const limit = quick ? 30 : 300;
  console.log(`════ npm run -s schedule -- --in week.json --out plan.json --exact --time-limit ${limit} --stats (a generated ${size}-request week, 30 % with time windows, 6 % pinned)`);
  const run = await runScheduleCli(["--in", weekPath, "--out", planPath, "--exact", "--time-limit", String(limit), "--stats"]);
  let verdict: string;
  try {
    const stats = JSON.parse(run.stderr) as { servedOptimal: boolean; servedUpperBound: number; servedGapPercent: number | null; boundSource: string; peakMemoryMB: number };
    const validation = validatePlan(week, JSON.parse(readFileSync(planPath, "utf8")));
    verdict =
      `exit ${run.code}, ${validation.violations.length === 0 ? "a valid plan" : `${validation.violations.length} violations`}, ${run.seconds.toFixed(0)} s, ${stats.peakMemoryMB} MB, ` +
      `served ${validation.objective.servedParticipantMinutes} (${stats.servedOptimal ? "proven optimal" : `bound ${stats.servedUpperBound} from the ${stats.boundSource}, gap ${stats.servedGapPercent} %`}) ` +
      `(target: exit 0, a valid plan, no stack trace: ${run.code === 0 && validation.violations.length === 0 ? "met" : "NOT met"})`;
  } catch {
    verdict = `exit ${run.code}, no stats: ${run.stderr.slice(0, 400)} (target: exit 0, a valid plan, no stack trace: NOT met)`;
  }
  console.log(verdict);
  lines.push("[exact mode]", `exact mode on a generated ${size}-request week: ${verdict}`);
}

console.log(
  `# Issue 23's figures beside their targets${quick ? " (--quick: small settings, not to quote)" : ""}; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
await exactModeOnAHardWeek();
await bench(
  "tests/bench/scheduling.ts",
  quick ? ["--sizes", "50", "--seeds", "1", "--runs", "1", "--exact-limit", "30"] : ["--sizes", "150,300", "--seeds", "3", "--runs", "1", "--exact-limit", "600"],
);
await bench(
  "tests/bench/scheduling-city.ts",
  quick ? ["--sizes", "400", "--exact-groups", "1", "--exact-seconds", "60", "--baseline-jobs", "200"] : ["--sizes", "5000,20000", "--lp", "columns", "--exact-groups", "10"],
);
await bench("tests/bench/scheduling-instant.ts", []);
console.log(
  `\n════ Summary: every figure beside its target (load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")})`,
);
for (const line of lines) console.log(line);
