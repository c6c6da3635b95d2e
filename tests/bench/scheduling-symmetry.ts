// Interchangeable people in the generated 200-request weeks with time windows
// (the weekly job's two unproven weeks are among seeds 1 to 3; issue 23):
// people with the same columns in the exact model (eligible for the same
// request and start everywhere), the same cap and target and no pin. Symmetry
// breaking between them would only cut the search where such classes exist.
//   npx tsx tests/bench/scheduling-symmetry.ts [seeds, default 1,2,3]
import { compileProblem } from "../../app/domain/scheduling/problem";
import { parseInstance } from "../../app/domain/scheduling/instance";
import { generateInstance } from "../support/instance-generator";
for (const seed of (process.argv[2] ?? "1,2,3").split(",").map(Number)) {
  const parsed = parseInstance(generateInstance({ requests: 200, seed, timeWindows: true }));
  if (!parsed.ok) throw new Error();
  const p = compileProblem(parsed.instance);
  const sig = new Map<number, string[]>();
  for (const r of p.requests) {
    r.starts.forEach((_, k) => {
      for (const s of p.eligibleSupervisors[r.index][k]) (sig.get(s) ?? sig.set(s, []).get(s)!).push(`${r.index}:${k}`);
      for (const w of p.eligibleParticipants[r.index][k]) (sig.get(w) ?? sig.set(w, []).get(w)!).push(`${r.index}:${k}`);
    });
  }
  const pinned = new Set(p.requests.flatMap((r) => [r.pinnedSupervisor, ...r.pinnedParticipants]));
  const classes = new Map<string, number[]>();
  for (const person of p.people) {
    const key = `${person.isSupervisor}|${person.capMinutes}|${person.targetMinutes}|${pinned.has(person.index) ? person.index : ""}|${(sig.get(person.index) ?? []).join(",")}`;
    (classes.get(key) ?? classes.set(key, []).get(key)!).push(person.index);
  }
  const multi = [...classes.values()].filter((c) => c.length > 1);
  // Looser: same eligibility only (cap/target may differ).
  const loose = new Map<string, number>();
  for (const person of p.people) {
    const k = `${person.isSupervisor}|${(sig.get(person.index) ?? []).join(",")}`;
    loose.set(k, (loose.get(k) ?? 0) + 1);
  }
  console.log(
    `seed ${seed}: ${p.participantCount} workers, ${p.people.length - p.participantCount} supervisors; interchangeable classes (same columns, cap, target): ${multi.length} holding ${multi.reduce((s, c) => s + c.length, 0)} people, sizes ${multi.map((c) => c.length).join(",")}; same eligibility only: ${[...loose.values()].filter((n) => n > 1).reduce((s, n) => s + n, 0)} people`,
  );
}
