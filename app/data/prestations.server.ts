import type { Actor } from "~/domain/access/roles.ts";
import { slugify } from "~/utils/format.ts";
import { parisInstant, parisParts } from "~/domain/calendar/paris.ts";
import { priceInForce, priceNoticeProblem } from "~/domain/catalogue/price.ts";
import type { PrestationCreateInput, PrestationUpdateInput, PriceVersionInput } from "~/domain/backoffice/forms.ts";
import { audit } from "./audit.server.ts";
import { assertCan } from "./backoffice-access.server.ts";
import { db, type Tx } from "./db.server.ts";
import { queueNotifications } from "./notifications.server.ts";

// Editing the catalogue and its price versions (the portal reads them through
// catalogue.server.ts). A price is never edited in place: each change is a new
// PrestationPrice row from a date, so quotes (which copy the price) and
// invoices keep what was in force when they were made.

export async function listPrestationsAdmin(actor: Actor) {
  assertCan(actor, "backoffice.catalogue");
  return db().prestation.findMany({
    orderBy: [{ active: "desc" }, { category: "asc" }, { name: "asc" }],
    select: {
      id: true,
      category: true,
      name: true,
      pricingUnit: true,
      priceCents: true,
      vatRateBasisPoints: true,
      vatExemptionMention: true,
      active: true,
      skill: { select: { label: true } },
    },
  });
}

export async function listSkills() {
  return db().skill.findMany({ orderBy: { label: "asc" }, select: { id: true, code: true, label: true } });
}

export async function getPrestationAdmin(actor: Actor, id: string) {
  assertCan(actor, "backoffice.catalogue");
  const prestation = await db().prestation.findUnique({
    where: { id },
    select: {
      id: true,
      code: true,
      category: true,
      name: true,
      description: true,
      skillId: true,
      pricingUnit: true,
      priceCents: true,
      vatRateBasisPoints: true,
      vatExemptionMention: true,
      minNoticeDays: true,
      defaultDurationMinutes: true,
      defaultTeamSize: true,
      active: true,
      prices: {
        orderBy: [{ validFrom: "desc" }, { createdAt: "desc" }],
        select: { id: true, priceCents: true, validFrom: true, createdAt: true, organisation: { select: { id: true, name: true } } },
      },
    },
  });
  return prestation;
}

export type PrestationResult = { ok: true; id: string } | { ok: false; field: string; message: string };

const DUPLICATE_NAME = "Une prestation porte déjà ce nom : choisissez-en un autre.";

async function nameTaken(name: string, exceptId?: string) {
  return !!(await db().prestation.findFirst({
    where: { name: { equals: name, mode: "insensitive" }, id: exceptId ? { not: exceptId } : undefined },
    select: { id: true },
  }));
}

/** A unique-constraint race on the name still ends as the field's French message, not a 500. */
const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

export async function createPrestation(actor: Actor, input: PrestationCreateInput, now = new Date()): Promise<PrestationResult> {
  assertCan(actor, "backoffice.catalogue");
  if (await nameTaken(input.name)) return { ok: false, field: "name", message: DUPLICATE_NAME };
  if (!(await db().skill.findUnique({ where: { id: input.skillId }, select: { id: true } }))) {
    return { ok: false, field: "skillId", message: "Choisissez une compétence de la liste." };
  }
  let code = slugify(input.name, "prestation");
  if (await db().prestation.findUnique({ where: { code }, select: { id: true } })) code = `${code}-${now.getTime().toString(36)}`;
  try {
    const id = await db().$transaction(async (tx) => {
      const prestation = await tx.prestation.create({ data: { ...input, code }, select: { id: true } });
      // The first price version, from its creation: the history starts here.
      await tx.prestationPrice.create({
        data: { prestationId: prestation.id, priceCents: input.priceCents, validFrom: now, createdById: actor.userId },
      });
      await audit(
        {
          action: "prestation.created",
          outcome: "ok",
          actorUserId: actor.userId,
          entityType: "Prestation",
          entityId: prestation.id,
          details: { priceCents: input.priceCents, vatRateBasisPoints: input.vatRateBasisPoints },
        },
        tx,
      );
      return prestation.id;
    });
    return { ok: true, id };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, field: "name", message: DUPLICATE_NAME };
    throw error;
  }
}

/** Everything but the price (which changes through a new version). */
export async function updatePrestation(actor: Actor, id: string, input: PrestationUpdateInput): Promise<PrestationResult | null> {
  assertCan(actor, "backoffice.catalogue");
  const before = await db().prestation.findUnique({ where: { id } });
  if (!before) return null;
  if (await nameTaken(input.name, id)) return { ok: false, field: "name", message: DUPLICATE_NAME };
  if (!(await db().skill.findUnique({ where: { id: input.skillId }, select: { id: true } }))) {
    return { ok: false, field: "skillId", message: "Choisissez une compétence de la liste." };
  }
  const changed = (Object.keys(input) as (keyof PrestationUpdateInput)[]).filter((k) => before[k] !== input[k]);
  try {
    await db().$transaction(async (tx) => {
      await tx.prestation.update({ where: { id }, data: input });
      await audit({ action: "prestation.updated", outcome: "ok", actorUserId: actor.userId, entityType: "Prestation", entityId: id, details: { changed } }, tx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, field: "name", message: DUPLICATE_NAME };
    throw error;
  }
  return { ok: true, id };
}

export type PriceResult = { ok: true } | { ok: false; field: string; message: string } | null;

/**
 * A new price from a date (Paris midnight of `validFrom`), for everyone or for
 * one partner (a negotiated price). Rows before it stay as they were. When
 * the public price starts today, the prestation's current price follows.
 */
export async function addPriceVersion(actor: Actor, prestationId: string, input: PriceVersionInput, now = new Date()): Promise<PriceResult> {
  assertCan(actor, "backoffice.catalogue");
  const prestation = await db().prestation.findUnique({ where: { id: prestationId }, select: { id: true, priceCents: true, createdAt: true } });
  if (!prestation) return null;
  if (input.organisationId) {
    const partner = await db().organisation.findFirst({
      where: { id: input.organisationId, kind: { in: ["PARTNER", "INTERNAL"] }, archivedAt: null },
      select: { id: true },
    });
    if (!partner) return { ok: false, field: "organisationId", message: "Choisissez un partenaire de la liste." };
  }
  const validFrom = parisInstant(input.validFrom, 0);
  const effectiveFrom = validFrom < now ? now : validFrom; // "today" starts now: earlier today stays as it was
  // What the partners would otherwise pay from that date: a rise must be announced ahead.
  const versions = await db().prestationPrice.findMany({
    where: { prestationId, OR: [{ organisationId: null }, ...(input.organisationId ? [{ organisationId: input.organisationId }] : [])] },
    select: { organisationId: true, priceCents: true, validFrom: true },
  });
  const current = priceInForce(prestation, versions, input.organisationId, new Date(effectiveFrom.getTime() - 1));
  const problem = priceNoticeProblem({ newPriceCents: input.price, currentPriceCents: current.priceCents, validFrom: input.validFrom, today: parisParts(now).date });
  if (problem) return { ok: false, field: "validFrom", message: problem };
  await db().$transaction(async (tx) => {
    // A prestation priced before versions existed: its price so far becomes the first version,
    // from its creation, so the days before the change keep reading it.
    if (!(await tx.prestationPrice.findFirst({ where: { prestationId, organisationId: null }, select: { id: true } }))) {
      await tx.prestationPrice.create({ data: { prestationId, organisationId: null, priceCents: prestation.priceCents, validFrom: prestation.createdAt } });
    }
    const version = await tx.prestationPrice.create({
      data: { prestationId, organisationId: input.organisationId, priceCents: input.price, validFrom: effectiveFrom, createdById: actor.userId },
      select: { id: true },
    });
    if (!input.organisationId && effectiveFrom <= now) {
      await tx.prestation.update({ where: { id: prestationId }, data: { priceCents: input.price } });
    }
    if (input.price !== current.priceCents) await tellPartnersOfPrice(tx, prestationId, version.id, input.organisationId);
    await audit(
      {
        action: "prestation.price_changed",
        outcome: "ok",
        actorUserId: actor.userId,
        organisationId: input.organisationId,
        entityType: "Prestation",
        entityId: prestationId,
        details: { versionId: version.id, priceCents: input.price, validFrom: effectiveFrom.toISOString(), negotiated: !!input.organisationId },
      },
      tx,
    );
  });
  return { ok: true };
}

/**
 * The partners a new price concerns, told by mail (through the outbox, by their
 * preferences): for a negotiated price its partner; for a list price every
 * partner that has ordered the prestation and pays the list price (no
 * negotiated price of its own).
 */
async function tellPartnersOfPrice(tx: Tx, prestationId: string, priceVersionId: string, organisationId: string | null) {
  const organisationIds = organisationId
    ? [organisationId]
    : (
        await tx.organisation.findMany({
          where: { archivedAt: null, kind: { in: ["PARTNER", "INTERNAL"] }, serviceRequests: { some: { prestationId } }, prices: { none: { prestationId } } },
          select: { id: true },
        })
      ).map((o) => o.id);
  await queueNotifications(
    tx,
    organisationIds.map((id) => ({ kind: "price.changed" as const, subject: { priceVersionId, organisationId: id }, version: id })),
  );
}
