import type { Actor } from "~/domain/access/roles.ts";
import { slugify } from "~/utils/format.ts";
import type { PartnerInput, SiteInput } from "~/domain/backoffice/forms.ts";
import { audit } from "./audit.server.ts";
import { assertCan } from "./backoffice-access.server.ts";
import { db } from "./db.server.ts";
import { listOrganisationInvitations } from "./users.server.ts";

// Partner organisations (and Aurore's internal sites) and their sites, for the
// back office. Archiving sets archivedAt and deletes nothing: requests,
// interventions and invoices stay readable.

export async function listPartners(actor: Actor, options: { archived?: boolean } = {}) {
  assertCan(actor, "backoffice.sites");
  const rows = await db().organisation.findMany({
    where: { kind: { in: ["PARTNER", "INTERNAL"] }, archivedAt: options.archived ? { not: null } : null },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      kind: true,
      siret: true,
      billingEmail: true,
      requiresValidation: true,
      archivedAt: true,
      _count: { select: { sites: { where: { archivedAt: null } }, memberships: true } },
    },
  });
  return rows.map(({ _count, ...o }) => ({ ...o, siteCount: _count.sites, userCount: _count.memberships }));
}

export async function getPartner(actor: Actor, id: string, now = new Date()) {
  assertCan(actor, "backoffice.sites");
  const organisation = await db().organisation.findFirst({
    where: { id, kind: { in: ["PARTNER", "INTERNAL"] } },
    select: {
      id: true,
      name: true,
      kind: true,
      siret: true,
      vatNumber: true,
      billingEmail: true,
      billingAddress: true,
      paymentTermsDays: true,
      requiresValidation: true,
      requiresPurchaseOrder: true,
      archivedAt: true,
      createdAt: true,
    },
  });
  if (!organisation) return null;
  const [sites, users, requestCount, invoiceCount, invitations] = await Promise.all([
    db().site.findMany({
      where: { organisationId: id },
      orderBy: [{ archivedAt: { sort: "asc", nulls: "first" } }, { name: "asc" }],
      select: { id: true, name: true, address: true, postalCode: true, city: true, accessNotes: true, archivedAt: true },
    }),
    db().user.findMany({
      where: { membership: { organisationId: id } },
      orderBy: { name: "asc" },
      select: { id: true, name: true, email: true, deactivatedAt: true, membership: { select: { role: true } } },
    }),
    db().serviceRequest.count({ where: { organisationId: id } }),
    db().invoice.count({ where: { organisationId: id } }),
    listOrganisationInvitations(id, now),
  ]);
  return { ...organisation, sites, users, requestCount, invoiceCount, invitations };
}

async function uniqueSlug(name: string) {
  const base = slugify(name, "organisation");
  for (let i = 0; i < 50; i++) {
    const slug = i === 0 ? base : `${base}-${i + 1}`;
    if (!(await db().organisation.findUnique({ where: { slug }, select: { id: true } }))) return slug;
  }
  return `${base}-${Date.now().toString(36)}`;
}

export type SaveResult = { ok: true; id: string } | { ok: false; field: string; message: string };

async function nameTaken(name: string, exceptId?: string) {
  const same = await db().organisation.findFirst({
    where: { name: { equals: name, mode: "insensitive" }, id: exceptId ? { not: exceptId } : undefined },
    select: { id: true },
  });
  return !!same;
}

export async function createPartner(actor: Actor, input: PartnerInput): Promise<SaveResult> {
  assertCan(actor, "backoffice.partners");
  if (await nameTaken(input.name)) return { ok: false, field: "name", message: "Une organisation porte déjà ce nom." };
  const slug = await uniqueSlug(input.name);
  const id = await db().$transaction(async (tx) => {
    const organisation = await tx.organisation.create({ data: { ...input, slug }, select: { id: true } });
    await audit({ action: "partner.created", outcome: "ok", actorUserId: actor.userId, organisationId: organisation.id, entityType: "Organisation", entityId: organisation.id }, tx);
    return organisation.id;
  });
  return { ok: true, id };
}

export async function updatePartner(actor: Actor, id: string, input: PartnerInput): Promise<SaveResult | null> {
  assertCan(actor, "backoffice.partners");
  const before = await db().organisation.findFirst({ where: { id, kind: { in: ["PARTNER", "INTERNAL"] } } });
  if (!before) return null;
  if (await nameTaken(input.name, id)) return { ok: false, field: "name", message: "Une organisation porte déjà ce nom." };
  const changed = (Object.keys(input) as (keyof PartnerInput)[]).filter((k) => before[k] !== input[k]);
  await db().$transaction(async (tx) => {
    await tx.organisation.update({ where: { id }, data: input });
    await audit({ action: "partner.updated", outcome: "ok", actorUserId: actor.userId, organisationId: id, entityType: "Organisation", entityId: id, details: { changed } }, tx);
  });
  return { ok: true, id };
}

/** Archives (or restores) a partner: no new request or invitation; history, users' past and invoices stay. */
export async function setPartnerArchived(actor: Actor, id: string, archived: boolean, now = new Date()) {
  assertCan(actor, "backoffice.partners");
  return db().$transaction(async (tx) => {
    const updated = await tx.organisation.updateMany({
      where: { id, kind: { in: ["PARTNER", "INTERNAL"] }, archivedAt: archived ? null : { not: null } },
      data: { archivedAt: archived ? now : null },
    });
    if (updated.count !== 1) return false;
    await audit({ action: archived ? "partner.archived" : "partner.restored", outcome: "ok", actorUserId: actor.userId, organisationId: id, entityType: "Organisation", entityId: id }, tx);
    return true;
  });
}

export async function createSite(actor: Actor, organisationId: string, input: SiteInput) {
  assertCan(actor, "backoffice.sites");
  const organisation = await db().organisation.findFirst({
    where: { id: organisationId, kind: { in: ["PARTNER", "INTERNAL"] }, archivedAt: null },
    select: { id: true },
  });
  if (!organisation) return null;
  return db().$transaction(async (tx) => {
    const site = await tx.site.create({ data: { ...input, organisationId }, select: { id: true } });
    await audit({ action: "site.created", outcome: "ok", actorUserId: actor.userId, organisationId, entityType: "Site", entityId: site.id }, tx);
    return site.id;
  });
}

export async function updateSite(actor: Actor, organisationId: string, siteId: string, input: SiteInput) {
  assertCan(actor, "backoffice.sites");
  return db().$transaction(async (tx) => {
    const updated = await tx.site.updateMany({ where: { id: siteId, organisationId }, data: input });
    if (updated.count !== 1) return false;
    await audit({ action: "site.updated", outcome: "ok", actorUserId: actor.userId, organisationId, entityType: "Site", entityId: siteId }, tx);
    return true;
  });
}

export async function setSiteArchived(actor: Actor, organisationId: string, siteId: string, archived: boolean, now = new Date()) {
  assertCan(actor, "backoffice.sites");
  return db().$transaction(async (tx) => {
    const updated = await tx.site.updateMany({
      where: { id: siteId, organisationId, archivedAt: archived ? null : { not: null } },
      data: { archivedAt: archived ? now : null },
    });
    if (updated.count !== 1) return false;
    await audit({ action: archived ? "site.archived" : "site.restored", outcome: "ok", actorUserId: actor.userId, organisationId, entityType: "Site", entityId: siteId }, tx);
    return true;
  });
}
