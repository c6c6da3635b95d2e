// The CLI, spawned as a user would run it (npm's "schedule" script is `tsx scripts/schedule.ts`).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateCity } from "../tests/support/city-generator";
import { generateInstance } from "../tests/support/instance-generator";
import { validatePlan } from "../tests/support/plan-validator";
import { solve } from "../app/domain/scheduling/engine";
import { parseInstance } from "../app/domain/scheduling/instance";
import { compareObjectives } from "../app/domain/scheduling/objective";
import { mergePlans, splitWeek, unservablePlan } from "../app/domain/scheduling/split";

const root = fileURLToPath(new URL("..", import.meta.url));
const examplePath = fileURLToPath(new URL("../app/domain/scheduling/fixtures/example-small.json", import.meta.url));
const example = JSON.parse(readFileSync(examplePath, "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "schedule-cli-"));

/** Runs the CLI like `npm run -s schedule -- ...args` does. */
function schedule(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/schedule.ts", ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    // Decoded as a stream: a plan of thousands of lines comes in chunks that can split an accented letter.
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

function writeInstance(name: string, change: (instance: any) => void = () => {}): string {
  const copy = structuredClone(example);
  change(copy);
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(copy));
  return path;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

// Spawning tsx takes a second or more per run on a busy machine.
describe("npm run schedule", { timeout: 90_000 }, () => {
  it("writes a valid plan on standard output and exits 0", async () => {
    const { code, stdout, stderr } = await schedule(["--in", examplePath]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    const validation = validatePlan(example, plan);
    expect(validation.violations).toEqual([]);
    expect(validation.objective).toEqual({ pinnedKept: 1, servedParticipantMinutes: 1050, shortfall: 1170, travel: 0 });
  });

  it("writes the plan to --out, and reads the instance from standard input with --in -", async () => {
    const out = join(scratch, "plan.json");
    const { code, stdout } = await schedule(["--in", "-", "--out", out], JSON.stringify(example));
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).assignments).toHaveLength(4);
  });

  it("solves exactly with --exact and reports stats with --stats", async () => {
    const { code, stdout, stderr } = await schedule(["--in", examplePath, "--exact", "--time-limit", "10", "--stats"]);
    expect(code).toBe(0);
    expect(
      JSON.parse(stdout)
        .unassigned.map((u: { requestId: string }) => u.requestId)
        .sort(),
    ).toEqual(["r-005", "r-006"]);
    expect(JSON.parse(stderr)).toMatchObject({ solver: "exact", optimal: true, gap: 0 });
  });

  // Issue 23: on such a week --exact gave HiGHS the whole week as one model,
  // which grew to 1.6 GB and aborted (a stack trace, exit 1, no plan).
  it("plans a generated 300-request week with --exact as the weekly job does: exit 0, a valid plan, what is proven and the bound", { timeout: 150_000 }, async () => {
    const week = generateInstance({ requests: 300, seed: 5, timeWindowShare: 0.3, pinnedShare: 0.06 });
    const path = join(scratch, "week-300.json");
    writeFileSync(path, JSON.stringify(week));
    // A short search and time limit: the test checks the way, not the quality.
    const { code, stdout, stderr } = await schedule(["--in", path, "--exact", "--time-limit", "8", "--iterations", "1500", "--stats"]);
    noStackTrace(stderr);
    expect(code, stderr).toBe(0);
    const plan = JSON.parse(stdout);
    const validation = validatePlan(week, plan);
    expect(validation.violations).toEqual([]);
    expect(plan.assignments.length + plan.unassigned.length).toBe(300);
    const stats = JSON.parse(stderr);
    // One group of 300 interventions: over the exact solver's 80, so the heuristic then day windows, as the weekly job.
    expect(stats).toMatchObject({ solver: "exact", method: "heuristic+windows", optimal: false, boundSource: "capacity" });
    expect(stats.report[0]).toMatch(/^Semaine trop grande pour le solveur exact \(300 interventions/);
    expect(stats.objective.servedParticipantMinutes).toBe(validation.objective.servedParticipantMinutes);
    expect(stats.servedUpperBound).toBeGreaterThanOrEqual(stats.objective.servedParticipantMinutes);
    expect(stats.servedGapPercent).toBeCloseTo(((stats.servedUpperBound - stats.objective.servedParticipantMinutes) / stats.objective.servedParticipantMinutes) * 100, 1);
  });

  it("exits 2 naming the JSON path of the first problem in a malformed instance", async () => {
    const cases = [
      { path: "participants[3].weeklyTargetHours", change: (i: any) => (i.participants[3].weeklyTargetHours = 20) },
      { path: "requests[1].siteId", change: (i: any) => (i.requests[1].siteId = "nulle-part") },
      { path: "requests[0].start", change: (i: any) => (i.requests[0].start = "2026-12-20T09:00") },
      { path: "participants[2].contractEnd", change: (i: any) => (i.participants[2].contractEnd = "2027-06-30") },
    ];
    const runs = await Promise.all(cases.map(({ path, change }) => schedule(["--in", writeInstance(`${path}.json`, change)])));
    runs.forEach(({ code, stdout, stderr }, i) => {
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`instance invalide, ${cases[i].path} :`);
      noStackTrace(stderr);
    });
  });

  it("exits 2 for invalid JSON, an unreadable file, an unknown flag or a missing --in", async () => {
    const invalid = join(scratch, "invalid.json");
    writeFileSync(invalid, '{ "weekStart": "2026-12-07",\n  "sites": [ }');
    const cases = [
      { args: ["--in", invalid], message: /pas du JSON valide \(ligne 2, colonne 14\)/ },
      { args: ["--in", join(scratch, "missing.json")], message: /fichier introuvable/ },
      { args: ["--in", examplePath, "--fast"], message: /option inconnue « --fast »/ },
      { args: ["--out", "-"], message: /--in est obligatoire/ },
      { args: ["--in", examplePath, "--time-limit", "soon"], message: /--time-limit attend un nombre/ },
    ];
    const runs = await Promise.all(cases.map(({ args }) => schedule(args)));
    runs.forEach(({ code, stderr }, i) => {
      expect(code, cases[i].args.join(" ")).toBe(2);
      expect(stderr).toMatch(cases[i].message);
      noStackTrace(stderr);
    });
  });

  it("searches longer by default on a week of up to 300 requests, from several seeds, keeps the best plan, and gives the same plan on every run", { timeout: 300_000 }, async () => {
    const week = generateInstance({ requests: 15, seed: 21, timeWindows: true });
    const path = join(scratch, "week-15.json");
    writeFileSync(path, JSON.stringify(week));
    const runs = [
      { seed: 1, iterations: 900 },
      { seed: 1, iterations: 20_000 },
      { seed: 2, iterations: 20_000 },
    ];
    const first = await schedule(["--in", path, "--stats"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stderr)).toMatchObject({ solver: "heuristic", runs });
    const plan = JSON.parse(first.stdout);
    expect(validatePlan(week, plan).violations).toEqual([]);
    // The same plan as the best of those searches run here (the first on a tie), never below the engine's default.
    const parsed = parseInstance(week);
    if (!parsed.ok) throw new Error(parsed.message);
    const results = runs.map((run) => solve(parsed.instance, run));
    const best = results.reduce((kept, result) => (compareObjectives(result.stats.objective, kept.stats.objective) > 0 ? result : kept));
    expect(plan).toEqual(best.plan);
    expect(compareObjectives(best.stats.objective, solve(parsed.instance).stats.objective)).toBeGreaterThanOrEqual(0);
    // Whichever worker thread ends first: a second run gives the same plan.
    const second = await schedule(["--in", path]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it("plans a city's week of 2,500 requests or more part by part (one per structure), each with its own budget: a valid plan, above one search over the whole week, the same on every run", {
    timeout: 300_000,
  }, async () => {
    const { instance: week } = generateCity({ requests: 2600, seed: 3 });
    const path = join(scratch, "city-2600.json");
    writeFileSync(path, JSON.stringify(week));
    const first = await schedule(["--in", path, "--stats"]);
    expect(first.code).toBe(0);
    const stats = JSON.parse(first.stderr);
    const split = splitWeek(week, { minRequests: 0, maxParts: Number.MAX_SAFE_INTEGER })!;
    expect(stats.parts).toBe(split.parts.length);
    expect(split.parts.length).toBeGreaterThan(10);
    const plan = JSON.parse(first.stdout);
    const validation = validatePlan(week, plan);
    expect(validation.violations).toEqual([]);
    expect(validation.objective.servedParticipantMinutes).toBe(stats.objective.servedParticipantMinutes);
    // One search over the whole week with the engine's default budget (the CLI's plan before parts) serves less.
    const parsed = parseInstance(week);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(stats.objective.servedParticipantMinutes).toBeGreaterThan(solve(parsed.instance).stats.objective.servedParticipantMinutes);
    const second = await schedule(["--in", path]);
    expect(second.stdout).toBe(first.stdout);
    // Whichever thread took which part: the plan is each part's own search (the same budget a request), merged.
    const cliSplit = splitWeek(parsed.instance, { minRequests: 0, maxParts: Number.MAX_SAFE_INTEGER })!;
    const partRequests = cliSplit.parts.reduce((sum, part) => sum + part.requests.length, 0);
    const perRequest = stats.runs[0].iterations / partRequests;
    expect(Number.isInteger(perRequest)).toBe(true);
    const parts = cliSplit.parts.map((part) => solve(part, { seed: 1, iterations: perRequest * part.requests.length }).plan);
    expect(plan).toEqual(mergePlans([...parts, unservablePlan(parsed.instance, cliSplit.unservable)]));
  });
});
