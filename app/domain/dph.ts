// The Dispositif Premières Heures (Paris): what a contract of a person in
// insertion may be. The one owner of these limits: the forms, the planning
// alerts, the field hours and the scheduling engine read them here.
import { addDays } from "~/utils/paris-time.ts";

/** 3 to 16 hours of work a week. */
export const DPH_MIN_WEEKLY_HOURS = 3;
export const DPH_MAX_WEEKLY_HOURS = 16;
export const DPH_MIN_MINUTES = DPH_MIN_WEEKLY_HOURS * 60;
export const DPH_MAX_MINUTES = DPH_MAX_WEEKLY_HOURS * 60;
/** A contract lasts 12 months at most. */
export const DPH_MAX_CONTRACT_MONTHS = 12;

/** The last day ("YYYY-MM-DD") a DPH contract that starts on `start` may run to: the day before the same date 12 months later. */
export function lastContractDay(start: string): string {
  const [y, m, d] = start.split("-").map(Number) as [number, number, number];
  const sameDayLater = new Date(Date.UTC(y, m - 1 + DPH_MAX_CONTRACT_MONTHS, d)).toISOString().slice(0, 10);
  return addDays(sameDayLater, -1);
}

/** A person's weekly ceiling: their own, never above the DPH's. */
export const weeklyCeilingMinutes = (personalMaxMinutes: number) => Math.min(DPH_MAX_MINUTES, personalMaxMinutes);
