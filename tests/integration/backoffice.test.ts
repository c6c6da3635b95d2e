import { describe, expect, it } from "vitest";
import { startSession, getSessionUser } from "~/auth/session.server.ts";
import { auditLogForExport, listAuditLog } from "~/data/audit.server.ts";
import { db } from "~/data/db.server.ts";
import { createPartner, getPartner, setPartnerArchived, setSiteArchived, createSite } from "~/data/organisations.server.ts";
import { addPriceVersion, createPrestation, updatePrestation } from "~/data/prestations.server.ts";
import { getServiceRules, setServiceRule } from "~/data/settings.server.ts";
import { changeRole, deactivateUser } from "~/data/users.server.ts";
import { anonymiseDueParticipants, eraseParticipant, exportParticipantData, impactTotals } from "~/data/participants-admin.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { partnerSchema, prestationCreateSchema } from "~/domain/backoffice/forms.ts";
import { priceInForce } from "~/domain/catalogue/price.ts";
import { formatDate, formatEuros } from "~/utils/format.ts";
import { parseForm } from "~/utils/validation.ts";
import { deliverNotification } from "~/data/notifications.server.ts";
import { createOrganisation, createPrestation as makePrestation, createServiceRequest, createSkill, createUser, createParticipant } from "../support/factories.ts";

const DAY = 86_400_000;

async function adminActor(): Promise<Actor> {
  const admin = await createUser(db(), { role: "ADMIN" });
  return { userId: admin.id, organisationId: admin.membership!.organisationId, role: "ADMIN" };
}

const formOf = (fields: Record<string, string>) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
};

describe("partners", () => {
  it("creates a partner from its form, refuses a duplicate name in French, archives it keeping its history", async () => {
    const actor = await adminActor();
    const parsed = parseForm(
      formOf({ name: `Gare du Nord ${Date.now()}`, kind: "PARTNER", siret: "73282932000074", billingEmail: "factures@gdn.example", paymentTermsDays: "45", requiresValidation: "on" }),
      partnerSchema,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const created = await createPartner(actor, parsed.data);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(await createPartner(actor, { ...parsed.data, name: parsed.data.name.toUpperCase() })).toEqual({ ok: false, field: "name", message: "Une organisation porte déjà ce nom." });

    const serviceRequest = await createServiceRequest(db(), { organisationId: created.id });
    expect(await setPartnerArchived(actor, created.id, true)).toBe(true);
    expect(await setPartnerArchived(actor, created.id, true)).toBe(false); // already archived
    const partner = await getPartner(actor, created.id);
    expect(partner?.archivedAt).not.toBeNull();
    expect(partner?.requestCount).toBe(1);
    expect(await db().serviceRequest.findUnique({ where: { id: serviceRequest.id } })).not.toBeNull();
    expect((await listAuditLog({ entityId: created.id })).rows.map((r) => r.action)).toEqual(["partner.archived", "partner.created"]);
  });

  it("refuses a SIRET that fails its Luhn check with a French message (no exception)", () => {
    const parsed = parseForm(formOf({ name: "X", kind: "PARTNER", siret: "73282932000075", billingEmail: "a@b.example", paymentTermsDays: "30" }), partnerSchema);
    expect(parsed).toMatchObject({ ok: false, errors: { siret: "Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle)." } });
  });

  it("archives a site without deleting it; a coordinator may, a partner may not", async () => {
    const actor = await adminActor();
    const org = await createOrganisation(db());
    const siteId = await createSite(actor, org.id, { name: "Quai A", address: "1 rue X", postalCode: "75012", city: "Paris", accessNotes: null });
    const coordinator = await createUser(db(), { role: "COORDINATOR" });
    const coordActor: Actor = { userId: coordinator.id, organisationId: coordinator.membership!.organisationId, role: "COORDINATOR" };
    expect(await setSiteArchived(coordActor, org.id, siteId!, true)).toBe(true);
    expect((await db().site.findUnique({ where: { id: siteId! } }))?.archivedAt).not.toBeNull();
    const partnerUser = await createUser(db(), { role: "PARTNER_ADMIN", organisationId: org.id });
    await expect(setSiteArchived({ userId: partnerUser.id, organisationId: org.id, role: "PARTNER_ADMIN" }, org.id, siteId!, false)).rejects.toThrow();
  });

  it("changes a partner user's role (audited) and a deactivated user's sessions end at once", async () => {
    const actor = await adminActor();
    const org = await createOrganisation(db());
    const user = await createUser(db(), { role: "PARTNER_MEMBER", organisationId: org.id });
    expect(await changeRole(actor, user.id, "PARTNER_ADMIN")).toEqual({ ok: true });
    expect(await changeRole(actor, user.id, "FINANCE")).toMatchObject({ ok: false });
    const [entry] = (await listAuditLog({ entityId: user.id, action: "user.role_changed" })).rows;
    expect(entry?.details).toEqual({ from: "PARTNER_MEMBER", to: "PARTNER_ADMIN" });

    const response = await startSession(user.id, "/", new Request("http://localhost/login"));
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0]!;
    const signedIn = new Request("http://localhost/", { headers: { Cookie: cookie } });
    expect(await getSessionUser(signedIn)).not.toBeNull();
    expect(await deactivateUser(actor, user.id)).toBe(true);
    expect(await getSessionUser(signedIn)).toBeNull();
  });
});

describe("catalogue and prices", () => {
  const fields = (skillId: string, name: string) => ({
    category: "Nettoyage",
    name,
    description: "L'équipe nettoie et trie les déchets du site.",
    skillId,
    pricingUnit: "PER_PARTICIPANT_HOUR",
    price: "24,50",
    vatMode: "rate",
    vatRate: "20",
    minNoticeDays: "2",
    defaultDurationMinutes: "180",
    defaultTeamSize: "3",
    active: "on",
  });

  it("creates a prestation with its first price version; a duplicate name gets a French field error", async () => {
    const actor = await adminActor();
    const skill = await createSkill(db());
    const name = `Nettoyage des quais ${Date.now()}`;
    const parsed = parseForm(formOf(fields(skill.id, name)), prestationCreateSchema);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const created = await createPrestation(actor, parsed.data);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const versions = await db().prestationPrice.findMany({ where: { prestationId: created.id } });
    expect(versions.map((v) => v.priceCents)).toEqual([2450]);
    expect(await createPrestation(actor, { ...parsed.data, name: name.toLowerCase() })).toEqual({
      ok: false,
      field: "name",
      message: "Une prestation porte déjà ce nom : choisissez-en un autre.",
    });
    const other = await makePrestation(db());
    const { priceCents: _, ...update } = parsed.data;
    expect(await updatePrestation(actor, other.id, update)).toMatchObject({ ok: false, field: "name" });
  });

  it("a price cut made today (a rise needs notice) leaves yesterday's quotes and issued invoices unchanged", async () => {
    const actor = await adminActor();
    const now = new Date();
    // Priced before versions existed (as the seed's prestations are): no PrestationPrice row yet.
    const prestation = await makePrestation(db(), { priceCents: 2000, createdAt: new Date(now.getTime() - 30 * DAY) });
    // Yesterday's quote copied the price in force.
    const quote = await createServiceRequest(db(), { prestationId: prestation.id, createdAt: new Date(now.getTime() - DAY) });
    expect(quote.unitPriceCents).toBe(2000);
    const invoice = await db().invoice.create({
      data: {
        organisationId: quote.organisationId,
        status: "OPEN",
        periodStart: new Date(now.getTime() - 31 * DAY),
        periodEnd: new Date(now.getTime() - DAY),
        number: `F-TEST-${Date.now()}`,
        provider: "local",
        totalExclVatCents: 6000,
        vatCents: 1200,
        totalInclVatCents: 7200,
        issuedAt: new Date(now.getTime() - DAY),
        lines: {
          create: {
            description: prestation.name,
            quantity: 180,
            unitPriceCents: 2000,
            vatRateBasisPoints: 2000,
            amountExclVatCents: 6000,
            vatCents: 1200,
          },
        },
      },
      include: { lines: true },
    });

    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(now);
    expect(await addPriceVersion(actor, prestation.id, { price: 1800, validFrom: today, organisationId: null }, now)).toEqual({ ok: true });

    expect((await db().serviceRequest.findUniqueOrThrow({ where: { id: quote.id } })).unitPriceCents).toBe(2000);
    const after = await db().invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { lines: true } });
    expect(after.totalInclVatCents).toBe(7200);
    expect(after.lines.map((l) => l.unitPriceCents)).toEqual([2000]);
    const versions = await db().prestationPrice.findMany({ where: { prestationId: prestation.id } });
    const current = await db().prestation.findUniqueOrThrow({ where: { id: prestation.id } });
    expect(priceInForce(current, versions, null, new Date(now.getTime() - DAY)).priceCents).toBe(2000);
    expect(priceInForce(prestation, versions, null, new Date(now.getTime() + 1000)).priceCents).toBe(1800);
    expect((await db().prestation.findUniqueOrThrow({ where: { id: prestation.id } })).priceCents).toBe(1800);
  });

  it("a negotiated price applies to its partner only", async () => {
    const actor = await adminActor();
    const now = new Date();
    const prestation = await makePrestation(db(), { priceCents: 2000 });
    const partner = await createOrganisation(db());
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(now);
    await addPriceVersion(actor, prestation.id, { price: 1800, validFrom: today, organisationId: partner.id }, now);
    const versions = await db().prestationPrice.findMany({ where: { prestationId: prestation.id } });
    const later = new Date(now.getTime() + 1000);
    expect(priceInForce(prestation, versions, partner.id, later)).toEqual({ priceCents: 1800, negotiated: true });
    expect(priceInForce(prestation, versions, "someone-else", later)).toEqual({ priceCents: 2000, negotiated: false });
    expect((await db().prestation.findUniqueOrThrow({ where: { id: prestation.id } })).priceCents).toBe(2000);
  });
});

describe("a new price is announced before it applies", () => {
  it("refuses a rise less than 30 days ahead, and tells by mail the partners who order the prestation at the list price", async () => {
    const actor = await adminActor();
    const now = new Date();
    const prestation = await makePrestation(db(), { priceCents: 2000, name: `Désherbage (prix ${Date.now()})` });
    const ordering = await createOrganisation(db(), { name: "Partenaire qui commande" });
    const orderer = await createUser(db(), { role: "PARTNER_ADMIN", organisationId: ordering.id });
    await createServiceRequest(db(), { organisationId: ordering.id, prestationId: prestation.id });
    const negotiating = await createOrganisation(db(), { name: "Partenaire au prix négocié" });
    await createServiceRequest(db(), { organisationId: negotiating.id, prestationId: prestation.id });
    await db().prestationPrice.create({ data: { prestationId: prestation.id, organisationId: negotiating.id, priceCents: 1900, validFrom: new Date(now.getTime() - DAY) } });
    const stranger = await createOrganisation(db(), { name: "Partenaire sans commande" });
    await createUser(db(), { role: "PARTNER_ADMIN", organisationId: stranger.id });
    const day = (days: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date(now.getTime() + days * DAY));

    const early = await addPriceVersion(actor, prestation.id, { price: 2400, validFrom: day(10), organisationId: null }, now);
    expect(early).toEqual({ ok: false, field: "validFrom", message: expect.stringContaining("au moins 30 jours à l'avance") });
    expect(await db().prestationPrice.count({ where: { prestationId: prestation.id, priceCents: 2400 } })).toBe(0);

    expect(await addPriceVersion(actor, prestation.id, { price: 2400, validFrom: day(31), organisationId: null }, now)).toEqual({ ok: true });
    const version = await db().prestationPrice.findFirstOrThrow({ where: { prestationId: prestation.id, priceCents: 2400 } });
    const told = await db().notification.findMany({ where: { kind: "price.changed", key: { startsWith: `price.changed:${version.id}:` } } });
    // Only the partner that orders it at the list price: not the one with its own price, not one that never ordered it.
    expect(told.map((n) => n.groupKey)).toEqual([`partner:price:${version.id}:${ordering.id}`]);
    const payload = told[0]!.payload as Parameters<typeof deliverNotification>[0];
    expect(await deliverNotification(payload, new Date(Date.now() + 30 * 60_000))).toMatchObject({ written: 1 });
    const [mail] = await db().mail.findMany({ where: { dedupeKey: { startsWith: payload.key } } });
    expect(mail!.to).toBe(orderer.email);
    expect(mail!.text).toContain(`sera de ${formatEuros(2400)} HT l'heure par personne à partir du ${formatDate(version.validFrom)}`);
    expect(mail!.text).toContain("gardent le prix en vigueur");

    // A cut may apply today; the negotiated partner is told of its own new price.
    expect(await addPriceVersion(actor, prestation.id, { price: 1700, validFrom: day(0), organisationId: negotiating.id }, now)).toEqual({ ok: true });
    expect(await db().notification.count({ where: { kind: "price.changed", groupKey: { endsWith: `:${negotiating.id}` } } })).toBe(1);
  });
});

describe("retention", () => {
  it("anonymises people 24 months after their contract, idempotently, and leaves impact totals unchanged to the minute", async () => {
    const now = new Date("2027-06-15T01:00:00Z"); // frozen clock
    const skill = await createSkill(db());
    const old = await createParticipant(db(), {
      firstName: "Tesfaye",
      contractStart: new Date("2024-06-01"),
      contractEnd: new Date("2025-06-13"), // 24 months and 2 days before
      skillIds: [skill.id],
      absences: [{ startsAt: new Date("2025-01-01"), endsAt: new Date("2025-01-02") }],
    });
    const recent = await createParticipant(db(), { firstName: "Awa", contractStart: new Date("2024-07-01"), contractEnd: new Date("2025-06-16") });
    // The day itself: 24 full months have passed only for a contract that ended the day before.
    const dayBefore = await createParticipant(db(), { firstName: "Yonas", contractStart: new Date("2024-07-01"), contractEnd: new Date("2025-06-14") });
    const sameDay = await createParticipant(db(), { firstName: "Mariam", contractStart: new Date("2024-07-01"), contractEnd: new Date("2025-06-15") });
    const serviceRequest = await createServiceRequest(db(), { interventions: [{ startsAt: new Date("2025-03-03T08:00:00Z"), participantIds: [old.id, recent.id] }] });
    const interventionId = serviceRequest.interventions[0]!.id;
    await db().timeEntry.createMany({
      data: [
        { interventionId, participantId: old.id, minutesWorked: 173 },
        { interventionId, participantId: recent.id, minutesWorked: 181 },
      ],
    });
    const before = await impactTotals();

    const first = await anonymiseDueParticipants(now);
    expect(first.anonymised).toBeGreaterThanOrEqual(1);
    const anonymised = await db().participant.findUniqueOrThrow({ where: { id: old.id }, include: { skills: true, availability: true, absences: true, timeEntries: true, assignments: true } });
    expect(anonymised).toMatchObject({ firstName: "Personne", lastInitial: "—", anonymisedAt: now });
    expect([anonymised.skills, anonymised.availability, anonymised.absences].map((r) => r.length)).toEqual([0, 0, 0]);
    expect(anonymised.timeEntries.map((t) => t.minutesWorked)).toEqual([173]);
    expect(anonymised.assignments).toHaveLength(1);
    expect((await db().participant.findUniqueOrThrow({ where: { id: recent.id } })).firstName).toBe("Awa");
    expect((await db().participant.findUniqueOrThrow({ where: { id: dayBefore.id } })).firstName).toBe("Personne");
    expect((await db().participant.findUniqueOrThrow({ where: { id: sameDay.id } })).firstName).toBe("Mariam");

    expect((await anonymiseDueParticipants(now)).anonymised).toBe(0); // idempotent
    expect(await impactTotals()).toEqual(before);
    const logged = await db().auditLog.findMany({ where: { entityId: old.id } });
    expect(logged.map((l) => l.action)).toEqual(["worker.anonymised"]);
    expect(JSON.stringify(logged.map(({ id: _, ...l }) => l))).not.toContain("Tesfaye");
  });

  it("follows the retention period of the service rules", async () => {
    const actor = await adminActor();
    const now = new Date("2030-01-10T02:00:00Z");
    const participant = await createParticipant(db(), { contractStart: new Date("2027-01-01"), contractEnd: new Date("2028-06-01") });
    await setServiceRule(actor, "retentionMonths", 36);
    expect((await getServiceRules()).retentionMonths).toBe(36);
    await anonymiseDueParticipants(now);
    expect((await db().participant.findUniqueOrThrow({ where: { id: participant.id } })).anonymisedAt).toBeNull();
    await setServiceRule(actor, "retentionMonths", 18);
    await anonymiseDueParticipants(now);
    expect((await db().participant.findUniqueOrThrow({ where: { id: participant.id } })).anonymisedAt).not.toBeNull();
    await setServiceRule(actor, "retentionMonths", 24);
  });

  it("exports one person's data and erases it on request, audited by id only", async () => {
    const actor = await adminActor();
    const participant = await createParticipant(db(), { firstName: "Fatoumata" });
    const exported = await exportParticipantData(actor, participant.id);
    expect(exported?.person.firstName).toBe("Fatoumata");
    expect(exported?.availability.length).toBeGreaterThan(0);
    expect(await eraseParticipant(actor, participant.id)).toBe(true);
    expect(await eraseParticipant(actor, participant.id)).toBe(false);
    expect((await exportParticipantData(actor, participant.id))?.person.firstName).toBe("Personne");
    const logged = await db().auditLog.findMany({ where: { entityId: participant.id }, orderBy: { id: "asc" } });
    expect(logged.map((l) => l.action)).toEqual(["worker.exported", "worker.erased", "worker.exported"]);
    expect(JSON.stringify(logged.map(({ id: _, ...l }) => l))).not.toContain("Fatoumata");
  });
});

describe("audit log", () => {
  it("filters by person, action and period; refuses any edit or deletion", async () => {
    const actor = await adminActor();
    const admin = await db().user.findUniqueOrThrow({ where: { id: actor.userId } });
    await setServiceRule(actor, "disputeWindowDays", 6);
    const byPerson = await listAuditLog({ actorEmail: admin.email.slice(0, 20) });
    expect(byPerson.rows.every((r) => r.actorUserId === actor.userId || r.actorEmail?.includes(admin.email.slice(0, 20)))).toBe(true);
    expect(byPerson.rows.map((r) => r.action)).toContain("settings.changed");
    expect((await listAuditLog({ actorEmail: admin.email, action: "settings." })).rows).toHaveLength(1);
    expect((await listAuditLog({ actorEmail: admin.email, from: new Date(Date.now() + DAY) })).rows).toHaveLength(0);
    expect((await auditLogForExport({ actorEmail: admin.email })).length).toBe(1);
    const [row] = byPerson.rows;
    await expect(db().$executeRawUnsafe(`UPDATE "AuditLog" SET action = 'x' WHERE id = ${row!.id}`)).rejects.toThrow();
    await expect(db().$executeRawUnsafe(`DELETE FROM "AuditLog" WHERE id = ${row!.id}`)).rejects.toThrow();
  });
});

describe("overdue invoices: one rule for the admin and finance dashboards", () => {
  it("counts what is still due past the due date, uncollectible included, payments and credit notes deducted", async () => {
    const { adminFigures } = await import("~/data/backoffice-dashboard.server.ts");
    const { invoicesForDashboard } = await import("~/data/invoicing.server.ts");
    const { summarise } = await import("~/domain/invoicing/dashboard.ts");
    const actor = await adminActor();
    const now = new Date("2031-03-15T12:00:00Z");
    const since = new Date("2031-01-01T00:00:00Z");
    const before = await adminFigures(actor, now);
    const partner = await createOrganisation(db(), { name: "Partenaire en retard" });
    const invoice = async (month: number, status: "OPEN" | "UNCOLLECTIBLE", total: number, dueAt: string, paid = 0, credited = 0) => {
      const row = await db().invoice.create({
        data: {
          organisationId: partner.id,
          status,
          provider: "local",
          periodStart: new Date(Date.UTC(2031, month - 1, 1)),
          periodEnd: new Date(Date.UTC(2031, month, 0)),
          totalInclVatCents: total,
          dueAt: new Date(dueAt),
          issuedAt: new Date("2031-01-05"),
        },
      });
      if (paid) await db().payment.create({ data: { invoiceId: row.id, amountCents: paid, method: "transfer", receivedAt: new Date("2031-02-01") } });
      if (credited) await db().creditNote.create({ data: { invoiceId: row.id, number: `A-RETARD-${month}`, amountCents: credited, reason: "Geste commercial" } });
    };
    await invoice(1, "OPEN", 100_00, "2031-02-01", 30_00, 20_00); // 50,00 € overdue
    await invoice(2, "UNCOLLECTIBLE", 40_00, "2031-03-01"); // 40,00 € overdue
    await invoice(3, "OPEN", 60_00, "2031-03-01", 60_00); // paid in full: nothing overdue
    await invoice(4, "OPEN", 25_00, "2031-04-01"); // not yet due
    const after = await adminFigures(actor, now);
    expect(after.overdueInvoices - before.overdueInvoices).toBe(2);
    expect(after.overdueCents - before.overdueCents).toBe(90_00);
    const finance = summarise(
      (await invoicesForDashboard(since)).filter((i) => i.organisationId === partner.id),
      now,
    );
    expect(finance.total.overdueCents).toBe(90_00);
  });
});
