import { describe, expect, it } from "vitest";
import { findPrestationForOrder, listCatalogue } from "~/data/catalogue.server.ts";
import { db } from "~/data/db.server.ts";
import { acceptQuote, cancelInterventions, createRequest, decideRequest, getRequest } from "~/data/requests.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay, orderSchema } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { createOrganisation, createPrestation, createSite, createUser } from "../support/factories.ts";

const rules = resolveServiceRules({});
const DAY = 86_400_000;

async function partner(overrides: { requiresValidation?: boolean } = {}) {
  const organisation = await createOrganisation(db(), overrides);
  const user = await createUser(db(), { organisationId: organisation.id, role: "PARTNER_ADMIN" });
  const site = await createSite(db(), { organisationId: organisation.id });
  const actor: Actor = { userId: user.id, organisationId: organisation.id, role: "PARTNER_ADMIN" };
  return { organisation, actor, site };
}

function input(siteId: string, prestationId: string, over: Record<string, string> = {}) {
  return orderSchema.parse({
    submissionKey: `key-${Math.random().toString(36).slice(2)}-0123456789`,
    siteId,
    prestationId,
    date: nextOpenDay(addDays(parisParts(new Date()).date, 10), rules),
    startTime: "09:00",
    durationMinutes: "180",
    teamSize: "3",
    recurrence: "NONE",
    ...over,
  });
}

describe("price in force", () => {
  it("copies the partner's negotiated price onto the request, never another partner's or a future one", async () => {
    const a = await partner();
    const b = await partner();
    const prestation = await createPrestation(db(), { priceCents: 2000 });
    const now = new Date();
    await db().prestationPrice.createMany({
      data: [
        { prestationId: prestation.id, organisationId: null, priceCents: 2100, validFrom: new Date(now.getTime() - 30 * DAY) },
        { prestationId: prestation.id, organisationId: null, priceCents: 9900, validFrom: new Date(now.getTime() + 30 * DAY) },
        { prestationId: prestation.id, organisationId: a.organisation.id, priceCents: 1800, validFrom: new Date(now.getTime() - DAY) },
      ],
    });
    expect((await findPrestationForOrder(a.organisation.id, prestation.id))?.priceCents).toBe(1800);
    expect((await findPrestationForOrder(b.organisation.id, prestation.id))?.priceCents).toBe(2100);
    const catalogueB = await listCatalogue(b.actor);
    expect(catalogueB.find((p) => p.id === prestation.id)).toMatchObject({ priceCents: 2100, negotiated: false });

    const result = await createRequest(a.actor, input(a.site.id, prestation.id));
    expect(result.ok).toBe(true);
    const serviceRequest = await db().serviceRequest.findUniqueOrThrow({ where: { id: result.ok ? result.id : "" }, include: { interventions: true } });
    expect(serviceRequest.unitPriceCents).toBe(1800);
    expect(serviceRequest.interventions).toHaveLength(1);
    expect(serviceRequest.interventions[0]!.endsAt.getTime() - serviceRequest.interventions[0]!.startsAt.getTime()).toBe(180 * 60_000);
  });
});

describe("requests", () => {
  it("numbers concurrent requests without a gap or a clash, one request per submission key", async () => {
    const a = await partner();
    const prestation = await createPrestation(db());
    const orders = Array.from({ length: 5 }, () => input(a.site.id, prestation.id));
    const results = await Promise.all([...orders, orders[0]!].map((o) => createRequest(a.actor, o)));
    const ids = new Set(results.map((r) => (r.ok ? r.id : "")));
    expect(ids.size).toBe(5);
    const references = (await db().serviceRequest.findMany({ where: { id: { in: [...ids] } }, select: { reference: true } })).map((r) => Number(r.reference.split("-")[2])).sort((x, y) => x - y);
    expect(references[4]! - references[0]!).toBe(4);
  });

  it("never lets another partner see, accept or cancel a request", async () => {
    const a = await partner();
    const b = await partner();
    const prestation = await createPrestation(db());
    const created = await createRequest(a.actor, input(a.site.id, prestation.id));
    const id = created.ok ? created.id : "";
    expect(await getRequest(b.actor, id)).toBeNull();
    expect(await acceptQuote(b.actor, id)).toMatchObject({ ok: false, status: 404 });
    expect(await cancelInterventions(b.actor, id, { recurrence: true }, "Intrusion")).toMatchObject({ ok: false, status: 404 });
    expect(await decideRequest(b.actor, id, { accept: true })).toMatchObject({ ok: false, status: 404 });
    const statuses = await db().intervention.findMany({ where: { requestId: id }, select: { status: true } });
    expect(statuses.map((s) => s.status)).toEqual(["SUBMITTED"]);
  });

  it("waits for a coordinator where the partner asks for it, then writes one scheduling job", async () => {
    const a = await partner({ requiresValidation: true });
    const prestation = await createPrestation(db());
    const created = await createRequest(a.actor, input(a.site.id, prestation.id, { recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "2" }));
    const id = created.ok ? created.id : "";
    expect(await acceptQuote(a.actor, id)).toMatchObject({ ok: true });
    expect(await acceptQuote(a.actor, id)).toMatchObject({ ok: true, message: "Devis déjà accepté." });
    expect(await db().outboxEvent.count({ where: { businessKey: `request-accepted:${id}` } })).toBe(0);
    const coordinator = await createUser(db(), { role: "COORDINATOR" });
    const staff: Actor = { userId: coordinator.id, organisationId: coordinator.membership!.organisationId, role: "COORDINATOR" };
    expect(await decideRequest(staff, id, { accept: true })).toMatchObject({ ok: true });
    const statuses = await db().intervention.findMany({ where: { requestId: id }, select: { status: true } });
    expect(statuses.every((s) => s.status === "ACCEPTED")).toBe(true);
    expect(await db().outboxEvent.findMany({ where: { businessKey: `request-accepted:${id}` }, select: { queue: true, jobName: true, payload: true } })).toEqual([
      { queue: "scheduling", jobName: "staff-request", payload: { requestId: id } },
    ]);
    expect(await db().auditLog.count({ where: { entityId: id, action: { in: ["request.submitted", "request.quote_accepted", "request.accepted"] } } })).toBe(3);
  });
});
