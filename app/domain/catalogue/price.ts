// The price of a prestation in force at a date for a partner: its negotiated
// price if any, else the list price; among versions, the latest validFrom ≤ date;
// with no version at all, the prestation's own priceCents.

export type PriceVersion = { organisationId: string | null; priceCents: number; validFrom: Date | string };

export type PriceInForce = { priceCents: number; negotiated: boolean };

export function priceInForce(
  prestation: { priceCents: number },
  versions: readonly PriceVersion[],
  organisationId: string | null,
  at: Date,
): PriceInForce {
  const latest = (rows: readonly PriceVersion[]) =>
    rows
      .filter((v) => new Date(v.validFrom).getTime() <= at.getTime())
      .reduce<PriceVersion | null>((best, v) => (!best || new Date(v.validFrom) > new Date(best.validFrom) ? v : best), null);
  const negotiated = organisationId ? latest(versions.filter((v) => v.organisationId === organisationId)) : null;
  if (negotiated) return { priceCents: negotiated.priceCents, negotiated: true };
  const list = latest(versions.filter((v) => v.organisationId === null));
  return { priceCents: list?.priceCents ?? prestation.priceCents, negotiated: false };
}
