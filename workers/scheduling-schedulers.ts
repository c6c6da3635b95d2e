// The scheduling queue's recurring work: the weekly optimisation (at the day
// and time of the service rule) and the daily expansion of recurring requests.
// Registered by startWorkers; the weekly one again whenever the rule changes
// (outbox job "reschedule-optimisation"), so no restart is needed.
import type { Queue } from "bullmq";
import { getServiceRules } from "~/data/settings.server.ts";
import type { ServiceRules } from "~/domain/settings/rules.ts";

export const WEEKLY_OPTIMISATION = "weekly-optimisation";
export const SERIES_HORIZON = "series-horizon";
const TZ = "Europe/Paris";

/** The cron pattern of the rule: ISO weekday (1 = Monday … 7 = Sunday) and HH:MM, Paris. */
export function weeklyOptimisationPattern(rule: ServiceRules["weeklyOptimisation"]) {
  const [hour, minute] = rule.time.split(":").map(Number);
  return `${minute} ${hour} * * ${rule.day % 7}`;
}

/** Upserts the weekly scheduler from the rule as stored now: the same id replaces the previous one. */
export async function registerWeeklyOptimisation(queue: Queue) {
  const rules = await getServiceRules().catch(() => null);
  const pattern = weeklyOptimisationPattern(rules?.weeklyOptimisation ?? { day: 4, time: "14:00" });
  await queue.upsertJobScheduler(WEEKLY_OPTIMISATION, { pattern, tz: TZ }, { name: "optimise-week", data: {} });
  return { pattern };
}

/** Every night at 02:30 (Paris), series are expanded up to the horizon. */
export async function registerSeriesHorizon(queue: Queue) {
  await queue.upsertJobScheduler(SERIES_HORIZON, { pattern: "30 2 * * *", tz: TZ }, { name: "expand-series", data: {} });
}
