import { can, type Actor } from "~/domain/access/roles.ts";
import { priceInForce } from "~/domain/catalogue/price.ts";
import { db, type Tx } from "./db.server.ts";

const prestationSelect = {
  id: true,
  category: true,
  name: true,
  description: true,
  pricingUnit: true,
  priceCents: true,
  vatRateBasisPoints: true,
  minNoticeDays: true,
  defaultDurationMinutes: true,
  defaultTeamSize: true,
  skill: { select: { label: true } },
} as const;

/** Price versions the actor may see: the list prices and their own organisation's negotiated ones. */
function versionsScope(actor: Actor | null) {
  return actor && !can(actor.role, "requests.viewAll") ? { OR: [{ organisationId: null }, { organisationId: actor.organisationId }] } : { organisationId: null };
}

/**
 * The active catalogue with the price in force now for the viewer's
 * organisation (its negotiated price when it has one; staff see list prices).
 */
export async function listCatalogue(actor: Actor | null = null, now = new Date()) {
  const rows = await db().prestation.findMany({
    where: { active: true },
    orderBy: [{ category: "asc" }, { name: "asc" }],
    select: { ...prestationSelect, prices: { where: { ...versionsScope(actor), validFrom: { lte: now } }, select: { organisationId: true, priceCents: true, validFrom: true } } },
  });
  return rows.map(({ prices, ...p }) => {
    const price = priceInForce(p, prices, actor?.organisationId ?? null, now);
    return { ...p, priceCents: price.priceCents, negotiated: price.negotiated };
  });
}

/** One active prestation with its price in force for an organisation, or null. */
export async function findPrestationForOrder(organisationId: string, prestationId: string, now = new Date(), tx: Tx = db()) {
  const row = await tx.prestation.findFirst({
    where: { id: prestationId, active: true },
    select: {
      ...prestationSelect,
      prices: { where: { OR: [{ organisationId: null }, { organisationId }], validFrom: { lte: now } }, select: { organisationId: true, priceCents: true, validFrom: true } },
    },
  });
  if (!row) return null;
  const { prices, ...p } = row;
  const price = priceInForce(p, prices, organisationId, now);
  return { ...p, priceCents: price.priceCents, negotiated: price.negotiated };
}
