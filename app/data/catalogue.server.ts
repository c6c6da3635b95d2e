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

/**
 * Per prestation, the largest team an active encadrant with its skill may
 * lead (scheduling rule H2, each encadrant's maxTeamSize): what the order form
 * offers at most. A prestation no active encadrant can lead is absent.
 */
export async function largestTeamsLed(prestationId?: string, tx: Tx = db()): Promise<Map<string, number>> {
  const rows = await tx.$queryRaw<{ id: string; largest: number }[]>`
    SELECT p.id, max(s."maxTeamSize")::int AS largest
    FROM "Prestation" p JOIN "SupervisorSkill" ss ON ss."skillId" = p."skillId" JOIN "Supervisor" s ON s.id = ss."supervisorId"
    WHERE s.active AND (${prestationId ?? null}::text IS NULL OR p.id = ${prestationId ?? null})
    GROUP BY p.id`;
  return new Map(rows.map((r) => [r.id, r.largest]));
}
