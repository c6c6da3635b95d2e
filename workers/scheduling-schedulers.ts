// The scheduling queue's recurring work: the weekly optimisation (at the day
// and time of the service rule) and the daily expansion of recurring requests.
// Registered by startWorkers; the weekly one again whenever the rule changes
// (outbox job "reschedule-optimisation"), so no restart is needed.
import type { Queue } from "bullmq";
import { getServiceRules } from "~/data/settings.server.ts";
import type { ServiceRules } from "~/domain/settings/rules.ts";
import { logError } from "~/utils/log.server.ts";

export const WEEKLY_OPTIMISATION = "weekly-optimisation";
export const SERIES_HORIZON = "series-horizon";
const TZ = "Europe/Paris";

/** The cron pattern of the rule: ISO weekday (1 = Monday … 7 = Sunday) and HH:MM, Paris. */
export function weeklyOptimisationPattern(rule: ServiceRules["weeklyOptimisation"]) {
  const [hour, minute] = rule.time.split(":").map(Number);
  return `${minute} ${hour} * * ${rule.day % 7}`;
}

/**
 * Upserts the weekly scheduler from the rule as stored now: the same id
 * replaces the previous one. When the rule cannot be read, it throws and
 * changes nothing: the default must never replace the schedule an admin chose.
 */
export async function registerWeeklyOptimisation(queue: Queue) {
  const rules = await getServiceRules();
  const pattern = weeklyOptimisationPattern(rules.weeklyOptimisation);
  await queue.upsertJobScheduler(WEEKLY_OPTIMISATION, { pattern, tz: TZ }, { name: "optimise-week", data: {} });
  return { pattern };
}

/**
 * At the worker's start: with the rules unreadable (database away), the
 * schedule Redis holds stays, and a job registers the rule once it can be read
 * (retried with a growing delay).
 */
export async function registerWeeklyOptimisationAtStart(queue: Queue) {
  try {
    await registerWeeklyOptimisation(queue);
  } catch (error) {
    logError("scheduling.weekly_rule_unreadable", error);
    await queue.add("reschedule-optimisation", {}, { jobId: "reschedule-optimisation-at-start", attempts: 20, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: true });
  }
}

/** Every night at 02:30 (Paris), series are expanded up to the horizon. */
export async function registerRecurrenceHorizon(queue: Queue) {
  await queue.upsertJobScheduler(SERIES_HORIZON, { pattern: "30 2 * * *", tz: TZ }, { name: "expand-series", data: {} });
}
