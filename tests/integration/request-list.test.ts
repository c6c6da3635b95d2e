import { describe, expect, it } from "vitest";
import { getSessionUser, getSessionUserOnce, startSession } from "~/auth/session.server.ts";
import { db } from "~/data/db.server.ts";
import { listRequests, listSitesForFilter, PAGE_SIZE } from "~/data/requests.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import type { InterventionStatus } from "~/domain/requests/status.ts";
import { createOrganisation, createPrestation, createSite, createUser } from "../support/factories.ts";

// "My requests" reads its page in one SQL query (app/data/hot-queries.ts):
// the same rows, order, scope and filters as the Prisma query it replaced.
const HOUR = 3_600_000;
const base = new Date("2026-03-02T08:00:00.000Z");

async function partnerWithRequests(count: number, prefix: string) {
  const organisation = await createOrganisation(db());
  const user = await createUser(db(), { organisationId: organisation.id, role: "PARTNER_ADMIN" });
  const [siteA, siteB] = [await createSite(db(), { organisationId: organisation.id, name: `${prefix} A` }), await createSite(db(), { organisationId: organisation.id, name: `${prefix} B` })];
  const prestation = await createPrestation(db());
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    // Two requests share each creation time: the id breaks the tie, as in the keyset.
    const createdAt = new Date(base.getTime() - Math.floor(n / 2) * HOUR);
    const site = n % 3 === 0 ? siteB : siteA;
    const statuses: InterventionStatus[] = n % 4 === 0 ? ["DONE", "SCHEDULED"] : n % 4 === 1 ? ["CANCELLED"] : ["SUBMITTED"];
    const serviceRequest = await db().serviceRequest.create({
      data: {
        reference: `${prefix}-${String(n).padStart(4, "0")}`,
        organisationId: organisation.id,
        siteId: site.id,
        prestationId: prestation.id,
        durationMinutes: 120,
        teamSize: 2,
        recurrence: statuses.length > 1 ? "WEEKLY" : "NONE",
        unitPriceCents: 2000,
        vatRateBasisPoints: 2000,
        createdAt,
        interventions: {
          create: statuses.map((status, k) => ({
            organisationId: organisation.id,
            siteId: site.id,
            // The later date first: the first date is the earliest, not the first written.
            startsAt: new Date(createdAt.getTime() + (statuses.length - k) * 7 * 24 * HOUR),
            endsAt: new Date(createdAt.getTime() + (statuses.length - k) * 7 * 24 * HOUR + 2 * HOUR),
            durationMinutes: 120,
            participantsNeeded: 2,
            status,
          })),
        },
      },
    });
    ids.push(serviceRequest.id);
  }
  const actor: Actor = { userId: user.id, organisationId: organisation.id, role: "PARTNER_ADMIN" };
  return { organisation, user, actor, siteA, siteB, ids };
}

async function allPages(actor: Actor, filters: Parameters<typeof listRequests>[1] = {}) {
  const seen: Awaited<ReturnType<typeof listRequests>>["serviceRequests"] = [];
  let cursor: { createdAt: Date; id: string } | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await listRequests(actor, filters, cursor);
    expect(page.serviceRequests.length).toBeLessThanOrEqual(PAGE_SIZE);
    seen.push(...page.serviceRequests);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return seen;
}

describe("my requests", () => {
  it("pages through the partner's requests newest first, each once, with their status, first date and count", async () => {
    const a = await partnerWithRequests(45, "LA");
    await partnerWithRequests(5, "LB");
    const all = await allPages(a.actor);
    expect(all).toHaveLength(45);
    expect(new Set(all.map((r) => r.id)).size).toBe(45);
    const expected = await db().serviceRequest.findMany({ where: { organisationId: a.organisation.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], include: { interventions: true } });
    expect(all.map((r) => r.id)).toEqual(expected.map((r) => r.id));

    const weekly = all.find((r) => r.reference === "LA-0004")!;
    const stored = expected.find((r) => r.id === weekly.id)!;
    const earliest = Math.min(...stored.interventions.map((i) => i.startsAt.getTime()));
    expect(weekly).toMatchObject({ status: "SCHEDULED", dates: 2, recurrence: "WEEKLY", teamSize: 2, site: { name: "LA A" } });
    expect(weekly.firstDate?.getTime()).toBe(earliest);
    expect(weekly.createdAt.getTime()).toBe(stored.createdAt.getTime());
    expect(all.find((r) => r.reference === "LA-0001")).toMatchObject({ status: "CANCELLED", dates: 1 });
    expect(all.find((r) => r.reference === "LA-0002")).toMatchObject({ status: "SUBMITTED", organisation: { name: a.organisation.name } });
  });

  it("filters by status, site and period, and never shows another partner's requests", async () => {
    const a = await partnerWithRequests(12, "FA");
    const b = await partnerWithRequests(4, "FB");
    const cancelled = await allPages(a.actor, { status: "CANCELLED" });
    expect(cancelled.map((r) => r.reference).sort()).toEqual(["FA-0001", "FA-0005", "FA-0009"]);
    // A status filter lists what the list shows: a series with one date done and one planned is planned, not done.
    expect(await allPages(a.actor, { status: "DONE" })).toEqual([]);
    expect((await allPages(a.actor, { status: "SCHEDULED" })).map((r) => [r.reference, r.status]).sort()).toEqual([
      ["FA-0000", "SCHEDULED"],
      ["FA-0004", "SCHEDULED"],
      ["FA-0008", "SCHEDULED"],
    ]);
    const onB = await allPages(a.actor, { siteId: a.siteB.id });
    expect(onB.map((r) => r.reference).sort()).toEqual(["FA-0000", "FA-0003", "FA-0006", "FA-0009"]);
    // Another partner's site as a filter: nothing, not their requests.
    expect(await allPages(a.actor, { siteId: b.siteA.id })).toEqual([]);
    // A period holds a request when one of its dates falls in it.
    const from = new Date(base.getTime() + 7 * 24 * HOUR - 30 * 60_000);
    const to = new Date(base.getTime() + 7 * 24 * HOUR + 30 * 60_000);
    expect((await allPages(a.actor, { from, to })).map((r) => r.reference).sort()).toEqual(["FA-0000", "FA-0001"]);
    expect((await allPages(a.actor, { from: new Date(base.getTime() + 365 * 24 * HOUR) })).length).toBe(0);
  });

  it("shows staff every partner's requests, and each partner only its own sites to filter on", async () => {
    const a = await partnerWithRequests(3, "SA");
    const b = await partnerWithRequests(3, "SB");
    const coordinator = await createUser(db(), { organisationId: (await createOrganisation(db(), { kind: "CONCIERGERIE" })).id, role: "COORDINATOR" });
    const staff: Actor = { userId: coordinator.id, organisationId: "", role: "COORDINATOR" };
    const seen = new Set((await allPages(staff)).map((r) => r.reference));
    for (const ref of ["SA-0000", "SA-0002", "SB-0000", "SB-0002"]) expect(seen.has(ref)).toBe(true);
    expect((await listSitesForFilter(a.actor)).map((s) => s.name)).toEqual(["SA A", "SA B"]);
    const staffSites = await listSitesForFilter(staff);
    expect(staffSites.some((s) => s.name === "SB A" && s.organisation.name === b.organisation.name)).toBe(true);
  });
});

describe("searching by reference and going back a page", () => {
  it("finds a request by its reference or part of it, whatever the case, dashes and spaces, and never another partner's", async () => {
    const a = await partnerWithRequests(12, "RQ");
    const b = await partnerWithRequests(3, "RZ");
    const refs = async (actor: Actor, reference: string) => (await allPages(actor, { reference })).map((r) => r.reference).sort();
    expect(await refs(a.actor, "RQ-0011")).toEqual(["RQ-0011"]);
    expect(await refs(a.actor, "rq0011")).toEqual(["RQ-0011"]);
    expect(await refs(a.actor, " q-001 ")).toEqual(["RQ-0010", "RQ-0011"]);
    expect(await refs(a.actor, "RQ-00%")).toHaveLength(12);
    // Another partner's reference: nothing, even typed exactly.
    expect(await refs(a.actor, "RZ-0001")).toEqual([]);
    expect(await refs(b.actor, "RZ-0001")).toEqual(["RZ-0001"]);
    // With another filter: both apply.
    expect((await allPages(a.actor, { reference: "RQ-000", status: "CANCELLED" })).map((r) => r.reference).sort()).toEqual(["RQ-0001", "RQ-0005", "RQ-0009"]);
  });

  it("reads the previous page back from a cursor: the same requests as going forward, newest first", async () => {
    const a = await partnerWithRequests(2 * PAGE_SIZE + 5, "PV");
    const first = await listRequests(a.actor, {});
    expect(first.prevCursor).toBeNull();
    const second = await listRequests(a.actor, {}, first.nextCursor!);
    const third = await listRequests(a.actor, {}, second.nextCursor!);
    expect(third.serviceRequests).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
    // Back from the third page: the second, then the first, which has nothing newer.
    const backToSecond = await listRequests(a.actor, {}, { ...third.prevCursor!, direction: "before" });
    expect(backToSecond.serviceRequests.map((r) => r.id)).toEqual(second.serviceRequests.map((r) => r.id));
    expect(backToSecond.nextCursor).toEqual(second.nextCursor);
    const backToFirst = await listRequests(a.actor, {}, { ...backToSecond.prevCursor!, direction: "before" });
    expect(backToFirst.serviceRequests.map((r) => r.id)).toEqual(first.serviceRequests.map((r) => r.id));
    expect(backToFirst.prevCursor).toBeNull();
    // Filters hold going back too.
    const cancelled = await allPages(a.actor, { status: "CANCELLED" });
    const forward = await listRequests(a.actor, { status: "CANCELLED" }, { createdAt: cancelled[3]!.createdAt, id: cancelled[3]!.id });
    const back = await listRequests(a.actor, { status: "CANCELLED" }, { ...forward.prevCursor!, direction: "before" });
    expect(back.serviceRequests.map((r) => r.reference)).toEqual(cancelled.slice(0, 4).map((r) => r.reference));
  });
});

describe("the session of one page", () => {
  it("is read once for the loaders that share a load context, and again for the next request", async () => {
    const a = await partnerWithRequests(0, "SE");
    const signIn = await startSession(a.user.id, "/", new Request("http://localhost/"));
    const cookie = signIn.headers.get("Set-Cookie")!.split(";")[0]!;
    const request = () => new Request("http://localhost/requests", { headers: { Cookie: cookie } });
    const context = {};
    const [first, second] = await Promise.all([getSessionUserOnce(request(), context), getSessionUserOnce(request(), context)]);
    expect(first).toMatchObject({ userId: a.user.id, organisationId: a.organisation.id, role: "PARTNER_ADMIN", organisationKind: "PARTNER" });
    expect(second).toBe(first);
    // Ended between two requests: the next page (a new context) sees it.
    await db().session.deleteMany({ where: { userId: a.user.id } });
    expect(await getSessionUserOnce(request(), {})).toBeNull();
    expect(await getSessionUser(request())).toBeNull();
  });
});
