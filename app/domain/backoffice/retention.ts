// Retention of the data of people in insertion: pure rules, the data layer applies them.

/** What an anonymised person's identity becomes. Hours and assignments stay, unnamed. */
export const ANONYMISED_IDENTITY = { firstName: "Personne", lastInitial: "—" } as const;

/** The same calendar day `months` earlier (clamped to the month's last day), UTC. */
export function monthsBefore(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)));
}

/**
 * A person is anonymised once `months` full months have passed since the end
 * of their contract: contractEnd strictly before this cutoff date.
 */
export function retentionCutoff(now: Date, months: number): Date {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return monthsBefore(today, months);
}
