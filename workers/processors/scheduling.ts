import type { Job } from "bullmq";
import { finishPlanningRun, getIntervention, interventionsToStaff, planWeek, staffWaitingInWeek, startPlanningRun } from "~/data/scheduling.server.ts";
import { getServiceRules } from "~/data/settings.server.ts";
import { insertIntoPlan, solve, type SolveOptions } from "~/domain/scheduling/engine.ts";
import { parseInstance, type Instance, type Plan } from "~/domain/scheduling/instance.ts";
import type { JobPayload } from "~/queues/registry.ts";
import { addDays, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { sharePasses } from "~/utils/share-passes.ts";

// The scheduling jobs: one engine (app/domain/scheduling), three uses.

/** Checks an instance built from the database: a malformed one is a data problem, named. */
function parsed(instance: Instance): Instance {
  const result = parseInstance(instance);
  if (!result.ok) throw new Error(`Données de planning invalides (${result.path}) : ${result.message}`);
  return result.instance;
}

const solveInstance = (instance: Instance, options: SolveOptions = {}): Plan => solve(parsed(instance), options).plan;

// Instant mode inserts the waiting interventions among the staffed ones, left
// as they are; re-optimising the week is the weekly job's work.
const instantInsert = (instance: Instance) => insertIntoPlan(parsed(instance)).plan;

function byWeek<T extends { id: string; startsAt: Date }>(items: T[]) {
  const weeks = new Map<string, string[]>();
  for (const item of items) {
    const week = parisWeekStart(item.startsAt);
    weeks.set(week, [...(weeks.get(week) ?? []), item.id]);
  }
  return weeks;
}

/** The jobs of a week share a pass that has not read the week yet (see sharePasses). */
const staffWeek = sharePasses((week, closed) => staffWaitingInWeek(week, instantInsert, closed));

/**
 * Instant mode: staffs the request's interventions that still wait, in the
 * current plan, without moving anything already staffed. Requests accepted
 * together are staffed together: a pass takes every waiting intervention of
 * its week. Running it twice finds nothing left to staff.
 */
export async function staffRequest({ requestId }: JobPayload<"scheduling", "staff-request">) {
  const waiting = await interventionsToStaff(requestId);
  let staffed = 0;
  for (const [week, ids] of byWeek(waiting)) {
    const { scheduled } = await staffWeek(week);
    staffed += ids.filter((id) => scheduled.has(id)).length;
  }
  return { interventions: waiting.length, staffed };
}

/** An intervention changed: re-staff it alone, the rest of its week kept. */
export async function replanIntervention({ interventionId }: JobPayload<"scheduling", "replan-intervention">, now = new Date()) {
  const intervention = await getIntervention(interventionId);
  if (!intervention || !["ACCEPTED", "SCHEDULED"].includes(intervention.status)) return { skipped: true };
  const week = parisWeekStart(intervention.startsAt);
  // Within the notice period only the absent people's places change (see PinPolicy).
  const lockedBefore = new Date(now.getTime() + (await getServiceRules()).scheduleChangeNoticeDays * DAY_MS);
  const result = await planWeek(week, { kind: "keep-staffed", free: [interventionId], lockedBefore }, instantInsert, [interventionId]);
  return { staffed: result.staffed, moved: result.moved.length };
}

/**
 * Weekly optimisation: re-plans a whole week, keeping what is confirmed
 * within the notice period (the people are told their schedule in advance).
 */
export async function optimiseWeek(payload: JobPayload<"scheduling", "optimise-week">, job?: Job, now = new Date()) {
  const week = payload.weekStart ?? addDays(parisWeekStart(now), 7);
  const run = payload.runId ? { id: payload.runId } : await startPlanningRun(week, "schedule");
  try {
    const rules = await getServiceRules();
    await job?.updateProgress(10);
    const started = performance.now();
    const result = await planWeek(week, { kind: "notice", lockedBefore: new Date(now.getTime() + rules.scheduleChangeNoticeDays * DAY_MS) }, (instance) => {
      void job?.updateProgress(30);
      return solveInstance(instance);
    });
    await job?.updateProgress(90);
    const stats = {
      week,
      interventions: result.instance.requests.length,
      staffed: result.staffed,
      unstaffed: result.unstaffed,
      moved: result.moved.length,
      milliseconds: Math.round(performance.now() - started),
    };
    await finishPlanningRun(run.id, "done", stats);
    await job?.updateProgress(100);
    return stats;
  } catch (error) {
    await finishPlanningRun(run.id, "failed", { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
