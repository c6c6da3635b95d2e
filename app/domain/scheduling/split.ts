// A big week split into parts that can be planned apart, on several workers
// at once: interventions that no one person (encadrant or salarié) could both
// serve, even in part, are in different parts. A city's week splits by
// insertion structure (each has its own people); a site served by two
// structures joins them. Days do not split a week: a person's hours are capped
// per week. Pure: no I/O.
import { insertIntoPlan } from "./engine";
import { compileProblem, type Problem } from "./problem";
import type { Instance, Plan } from "./instance";

/** When the weekly optimisation splits a week (tests pass smaller ones). */
export interface SplitLimits {
  /** Below this many interventions the week is planned whole, as one job. */
  minRequests: number;
  /** At most this many parts (child jobs): independent groups are packed into them. */
  maxParts: number;
}

/**
 * Weeks of a few hundred interventions are planned whole in minutes; a city's
 * week of thousands splits. Eight parts keep a few machines' workers busy
 * without flooding the queue with tiny jobs.
 */
export const WEEKLY_SPLIT: SplitLimits = { minRequests: 400, maxParts: 8 };

export interface WeekParts {
  /** Each part: the interventions of some independent groups, with only their people and sites. */
  parts: Instance[];
  /** Interventions nobody could ever serve: left unstaffed whatever the plan (explained apart). */
  unservable: string[];
  /** The whole week compiled (the split reads it): for what is computed on the merged plan. */
  problem: Problem;
}

/**
 * The independent parts of a week, or null when it should be planned whole
 * (too small, or one group). Deterministic: the same week gives the same parts.
 */
export function splitWeek(instance: Instance, limits: SplitLimits = WEEKLY_SPLIT): WeekParts | null {
  if (instance.requests.length < limits.minRequests || limits.maxParts < 2) return null;
  const groups = independentGroups(instance);
  if (groups.groups.length < 2) return null;
  // Largest groups first, each into the lightest part so far: parts of similar size.
  const count = Math.min(limits.maxParts, groups.groups.length);
  const bins = Array.from({ length: count }, () => ({ size: 0, requests: [] as number[] }));
  const bySize = [...groups.groups].sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  for (const group of bySize) {
    const lightest = bins.reduce((best, bin) => (bin.size < best.size ? bin : best));
    lightest.size += group.length;
    lightest.requests.push(...group);
  }
  const parts = bins.map((bin) =>
    partOf(
      instance,
      groups.peopleOf,
      bin.requests.sort((a, b) => a - b),
    ),
  );
  return { parts, unservable: groups.unservable.map((r) => instance.requests[r]!.id), problem: groups.problem };
}

/**
 * Requests joined by any person who could serve both (eligible at some start,
 * or pinned to both); each group sorted by request index. A request nobody
 * could serve is in no group.
 */
function independentGroups(instance: Instance) {
  const problem = compileProblem(instance);
  const parent = problem.requests.map((r) => r.index);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const firstRequestOf = new Map<number, number>();
  const peopleOf: string[][] = [];
  for (const request of problem.requests) {
    const r = request.index;
    const people = new Set<number>([...problem.eligibleSupervisors[r]!.flat(), ...problem.eligibleParticipants[r]!.flat(), ...request.pinnedParticipants]);
    if (request.pinnedSupervisor >= 0) people.add(request.pinnedSupervisor);
    for (const p of people) {
      const first = firstRequestOf.get(p);
      if (first === undefined) firstRequestOf.set(p, r);
      else parent[find(r)] = find(first);
    }
    peopleOf.push([...people].map((p) => problem.people[p]!.id));
  }
  const groups = new Map<number, number[]>();
  const unservable: number[] = [];
  for (const request of problem.requests) {
    if (peopleOf[request.index]!.length === 0) {
      unservable.push(request.index);
      continue;
    }
    const root = find(request.index);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(request.index);
  }
  return { groups: [...groups.values()], unservable, peopleOf, problem };
}

/** The instance of some requests: only the people who could serve them (or are pinned on them) and their sites. */
function partOf(instance: Instance, peopleOf: string[][], requestIndexes: number[]): Instance {
  const requests = requestIndexes.map((r) => instance.requests[r]!);
  const people = new Set(requestIndexes.flatMap((r) => peopleOf[r]!));
  const siteIds = new Set(requests.map((r) => r.siteId));
  return {
    ...instance,
    sites: instance.sites.filter((s) => siteIds.has(s.id)).map((s) => ({ ...s, travelMinutes: Object.fromEntries(Object.entries(s.travelMinutes).filter(([to]) => siteIds.has(to))) })),
    participants: instance.participants.filter((w) => people.has(w.id)),
    supervisors: instance.supervisors.filter((s) => people.has(s.id)),
    requests,
  };
}

/** The plans of a week's parts, and of its unservable interventions, as one plan of the week. */
export function mergePlans(plans: Plan[]): Plan {
  return { assignments: plans.flatMap((p) => p.assignments), unassigned: plans.flatMap((p) => p.unassigned) };
}

/** The plan of the interventions nobody could serve (in no part), each with its reason, read on the whole week's people. */
export function unservablePlan(instance: Instance, unservable: string[]): Plan {
  if (unservable.length === 0) return { assignments: [], unassigned: [] };
  const ids = new Set(unservable);
  return insertIntoPlan({ ...instance, requests: instance.requests.filter((r) => ids.has(r.id)) }).plan;
}
