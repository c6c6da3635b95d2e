// The price of a prestation in force at a date for a partner: its negotiated
// price if any, else the list price; among versions, the latest validFrom ≤ date;
// with no version at all, the prestation's own priceCents.

export type PriceVersion = { organisationId: string | null; priceCents: number; validFrom: Date | string };

export type PriceInForce = { priceCents: number; negotiated: boolean };

export function priceInForce(prestation: { priceCents: number }, versions: readonly PriceVersion[], organisationId: string | null, at: Date): PriceInForce {
  const latest = (rows: readonly PriceVersion[]) =>
    rows.filter((v) => new Date(v.validFrom).getTime() <= at.getTime()).reduce<PriceVersion | null>((best, v) => (!best || new Date(v.validFrom) > new Date(best.validFrom) ? v : best), null);
  const negotiated = organisationId ? latest(versions.filter((v) => v.organisationId === organisationId)) : null;
  if (negotiated) return { priceCents: negotiated.priceCents, negotiated: true };
  const list = latest(versions.filter((v) => v.organisationId === null));
  return { priceCents: list?.priceCents ?? prestation.priceCents, negotiated: false };
}

/** A price rise is announced this many days before it applies: partners plan their budgets; a lower price may apply from today. */
export const PRICE_RISE_NOTICE_DAYS = 30;

/** The French reason a new price may not start on `validFrom` (YYYY-MM-DD, Paris), or null. */
export function priceNoticeProblem(input: { newPriceCents: number; currentPriceCents: number; validFrom: string; today: string }): string | null {
  if (input.newPriceCents <= input.currentPriceCents) return null;
  const earliest = new Date(Date.parse(`${input.today}T12:00:00Z`) + PRICE_RISE_NOTICE_DAYS * 86_400_000).toISOString().slice(0, 10);
  return input.validFrom < earliest
    ? `Une hausse de prix s'annonce aux partenaires au moins ${PRICE_RISE_NOTICE_DAYS} jours à l'avance : choisissez une date à partir du ${earliest.slice(8, 10)}/${earliest.slice(5, 7)}/${earliest.slice(0, 4)}.`
    : null;
}
