import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { closedReason, nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";

// The partner portal over HTTP: ordering, quotes, decisions, changes and
// messages, with every hostile input and every other partner's id.

const rules = resolveServiceRules({});
const openDay = (daysAhead: number) => nextOpenDay(addDays(parisParts(new Date()).date, daysAhead), rules);
/** The first open day from `daysAhead` whose next two weeks' same day are open too: a weekly series of 3 skips none (Christmas and New Year's Day fall a week apart). */
function openSeriesStart(daysAhead: number) {
  let day = openDay(daysAhead);
  while (closedReason(addDays(day, 7), rules) || closedReason(addDays(day, 14), rules)) day = nextOpenDay(addDays(day, 1), rules);
  return day;
}

let mjc: HttpClient; // Mon Jardin Chocolaté: no validation, no purchase order
let sncf: HttpClient; // SNCF: purchase order required
let recho: HttpClient; // La Table du RECHO: a coordinator validates
let coordinator: HttpClient;
let prestation: { id: string; minNoticeDays: number };
let ids: { mjcSite: string; sncfSite: string };

async function orderForm(client: HttpClient) {
  const html = await (await client.get("/requests/new")).text();
  const key = /name="submissionKey" value="([^"]+)"/.exec(html)?.[1];
  if (!key) throw new Error("no submission key on the order form");
  return key;
}

function order(overrides: Record<string, string> = {}) {
  return {
    siteId: ids.mjcSite,
    prestationId: prestation.id,
    date: openSeriesStart(prestation.minNoticeDays + 7),
    startTime: "09:00",
    durationMinutes: "120",
    teamSize: "2",
    recurrence: "NONE",
    ...overrides,
  };
}

async function submit(client: HttpClient, fields: Record<string, string>, key?: string) {
  const submissionKey = key ?? (await orderForm(client));
  const response = await client.post("/requests/new", { submissionKey, ...fields }, { from: "/requests/new" });
  return { response, submissionKey };
}

const requestIdOf = (response: Response) => /\/requests\/([^?/]+)/.exec(response.headers.get("location") ?? "")?.[1] ?? "";
const countRequests = async () => Number((await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "ServiceRequest"`))[0]!.n);

beforeAll(async () => {
  [mjc, sncf, recho, coordinator] = await Promise.all([
    new HttpClient().login("contact@monjardinchocolate.example"),
    new HttpClient().login("agent@sncf.example"),
    new HttpClient().login("cuisine@latabledurecho.example"),
    new HttpClient().login("coordination@conciergerie.example"),
  ]);
  [prestation] = (await queryApp<{ id: string; minNoticeDays: number }>(`SELECT id, "minNoticeDays" FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`)) as [typeof prestation];
  const sites = await queryApp<{ id: string; org: string }>(`SELECT s.id, o.slug AS org FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId"`);
  ids = { mjcSite: sites.find((s) => s.org === "mon-jardin-chocolate")!.id, sncfSite: sites.find((s) => s.org === "sncf-gares-connexions")!.id };
});

describe("ordering", () => {
  it("creates a weekly request with its dated interventions and the price in force, once however often it is sent", async () => {
    const fields = order({ recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "3", notes: "<script>alert('x')</script> & <b>gras</b>" });
    const { response, submissionKey } = await submit(mjc, fields);
    expect(response.status).toBe(302);
    const id = requestIdOf(response);
    // Resent (back button, double click): the same request, nothing new.
    const again = await submit(mjc, fields, submissionKey);
    expect(requestIdOf(again.response)).toBe(id);
    const [twice1, twice2] = await Promise.all([submit(mjc, fields, "concurrent-key-0123456789"), submit(mjc, fields, "concurrent-key-0123456789")]);
    expect(requestIdOf(twice1.response)).toBe(requestIdOf(twice2.response));
    const rows = await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "ServiceRequest" WHERE "submissionKey" IN ($1, $2)`, [submissionKey, "concurrent-key-0123456789"]);
    expect(rows[0]!.n).toBe("2");

    const interventions = await queryApp<{ status: string; startsAt: Date; endsAt: Date; durationMinutes: number; participantsNeeded: number }>(
      `SELECT status, "startsAt", "endsAt", "durationMinutes", "participantsNeeded" FROM "Intervention" WHERE "requestId" = $1 ORDER BY "startsAt"`,
      [id],
    );
    expect(interventions.length).toBeGreaterThanOrEqual(2);
    for (const i of interventions) {
      expect(i.status).toBe("SUBMITTED");
      expect(i.endsAt.getTime() - i.startsAt.getTime()).toBe(120 * 60_000);
      expect(i.participantsNeeded).toBe(2);
    }
    const [serviceRequest] = await queryApp<{ unitPriceCents: number; notes: string; reference: string }>(`SELECT "unitPriceCents", notes, reference FROM "ServiceRequest" WHERE id = $1`, [id]);
    expect(serviceRequest!.unitPriceCents).toBeGreaterThan(0);
    expect(serviceRequest!.reference).toMatch(/^DEM-\d{4}-\d{5}$/);
    expect(serviceRequest!.notes).toBe("<script>alert('x')</script> & <b>gras</b>"); // stored as typed
    const page = await (await mjc.get(`/requests/${id}?envoyee=1`)).text();
    expect(page).toContain("&lt;script&gt;alert(");
    expect(page).not.toContain("<script>alert(");
    expect(page).toContain("Accepter le devis");
  });

  it("refuses bad input with a French message next to each field, never a 500, and saves nothing", async () => {
    const before = await countRequests();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ siteId: "", prestationId: "", date: "", startTime: "", durationMinutes: "", teamSize: "" }, "date", /^Choisissez la date de l'intervention\.$/],
      [order({ date: "06/01/2027" }), "date", /Indiquez la date au format JJ\/MM\/AAAA/],
      [order({ date: "2020-01-06" }), "date", /Cette date est passée/],
      [order({ date: openDay(0) }), "date", /à l'avance au moins/],
      [order({ teamSize: "0" }), "teamSize", /Une personne au moins/],
      [order({ teamSize: "500" }), "teamSize", /20 personnes au plus/],
      [order({ notes: "x".repeat(10_000) }), "notes", /2 000 caractères au plus/],
      [order({ startTime: "06:00" }), "startTime", /au plus tôt/],
      [order({ date: `${Number(parisParts(new Date()).date.slice(0, 4)) + 1}-12-25` }), "date", /jour férié \(Noël\).*prochain jour ouvert/],
      [order({ siteId: "not-a-site" }), "siteId", /un de vos sites/],
      [order({ recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "60" }), "recurrenceCount", /Entre 1 et 52/],
    ];
    for (const [fields, field, message] of cases) {
      const { response } = await submit(mjc, fields);
      expect(response.status, field).toBe(400);
      const html = await response.text();
      const error = new RegExp(`id="field-${field}-error">([^<]*)<`).exec(html)?.[1] ?? "";
      expect(error.replace(/&#x27;/g, "'"), field).toMatch(message);
    }
    expect(await countRequests()).toBe(before);
  });

  it("refuses another partner's site as a field error and a missing purchase order for SNCF", async () => {
    const before = await countRequests();
    const { response } = await submit(mjc, order({ siteId: ids.sncfSite }));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Choisissez un de vos sites");
    const po = await submit(sncf, order({ siteId: ids.sncfSite }));
    expect(po.response.status).toBe(400);
    expect(await po.response.text()).toContain("bon de commande");
    expect(await countRequests()).toBe(before);
  });

  it("adds a new site inline, for the ordering partner only", async () => {
    const { response } = await submit(mjc, order({ siteId: "new", siteName: "Boutique Daguerre", siteAddress: "12 rue Daguerre", sitePostalCode: "75014", siteCity: "Paris" }));
    expect(response.status).toBe(302);
    const [site] = await queryApp<{ slug: string }>(`SELECT o.slug FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId" WHERE s.name = 'Boutique Daguerre'`);
    expect(site!.slug).toBe("mon-jardin-chocolate");
  });
});

describe("quote, decisions and tenant isolation", () => {
  it("accepts the quote into scheduling through the outbox; another partner gets a 404 and changes nothing", async () => {
    const { response } = await submit(mjc, order());
    const id = requestIdOf(response);
    const stranger = await sncf.post(`/requests/${id}`, { intent: "accept-quote" }, { from: "/requests" });
    expect(stranger.status).toBe(404);
    expect((await queryApp(`SELECT 1 FROM "ServiceRequest" WHERE id = $1 AND "quoteAcceptedAt" IS NOT NULL`, [id])).length).toBe(0);
    expect((await sncf.get(`/requests/${id}/devis.pdf`)).status).toBe(404);

    const pdf = await mjc.get(`/requests/${id}/devis.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    const accepted = await mjc.post(`/requests/${id}`, { intent: "accept-quote" }, { from: `/requests/${id}` });
    expect(accepted.status).toBe(200);
    const statuses = await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE "requestId" = $1`, [id]);
    expect(statuses.every((s) => s.status === "ACCEPTED" || s.status === "SCHEDULED")).toBe(true);
    const outbox = await queryApp<{ jobName: string; payload: { requestId: string } }>(`SELECT "jobName", payload FROM "OutboxEvent" WHERE queue = 'scheduling' AND "businessKey" = $1`, [
      `request-accepted:${id}`,
    ]);
    expect(outbox).toEqual([{ jobName: "staff-request", payload: { requestId: id } }]);
    const audit = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'request.quote_accepted' AND "entityId" = $1`, [id]);
    expect(audit.length).toBe(1);
  });

  it("waits for the coordination where the partner asks for it; the coordinator validates or declines with a reason", async () => {
    const [rechoSite] = await queryApp<{ id: string }>(`SELECT s.id FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId" WHERE o.slug = 'la-table-du-recho' LIMIT 1`);
    const first = requestIdOf((await submit(recho, order({ siteId: rechoSite!.id }))).response);
    const second = requestIdOf((await submit(recho, order({ siteId: rechoSite!.id, startTime: "10:00" }))).response);
    await recho.post(`/requests/${first}`, { intent: "accept-quote" }, { from: `/requests/${first}` });
    expect((await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE "requestId" = $1`, [first])).map((r) => r.status)).toEqual(["SUBMITTED"]);
    // A partner cannot decide.
    expect((await recho.post(`/requests/${first}`, { intent: "validate" }, { from: `/requests/${first}` })).status).toBe(403);
    expect((await coordinator.post(`/requests/${first}`, { intent: "validate" }, { from: `/requests/${first}` })).status).toBe(200);
    expect((await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE "requestId" = $1`, [first]))[0]!.status).toMatch(/ACCEPTED|SCHEDULED/);
    // Validated: refusing it is no longer offered, nor accepted (its dates are cancelled one by one instead).
    expect(await (await coordinator.get(`/requests/${first}`)).text()).not.toContain("Refuser la demande");
    const late = await coordinator.post(`/requests/${first}`, { intent: "decline", reason: "Trop tard." }, { from: `/requests/${first}` });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain("Cette demande est déjà validée");

    const noReason = await coordinator.post(`/requests/${second}`, { intent: "decline", reason: "" }, { from: `/requests/${second}` });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain("Indiquez le motif");
    await coordinator.post(`/requests/${second}`, { intent: "decline", reason: "Pas d'équipe de service ce jour-là." }, { from: `/requests/${second}` });
    expect((await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE "requestId" = $1`, [second]))[0]!.status).toBe("DECLINED");
    const page = await (await recho.get(`/requests/${second}`)).text();
    expect(page).toContain("Pas d&#x27;équipe de service ce jour-là.");
  });

  it("keeps the message thread between the partner and the coordination", async () => {
    const id = requestIdOf((await submit(mjc, order())).response);
    expect((await mjc.post(`/requests/${id}`, { intent: "message", body: "Le portail est fermé <i>le matin</i>." }, { from: `/requests/${id}` })).status).toBe(200);
    expect((await coordinator.post(`/requests/${id}`, { intent: "message", body: "Bien noté, nous passerons par la cour." }, { from: `/requests/${id}` })).status).toBe(200);
    expect((await mjc.post(`/requests/${id}`, { intent: "message", body: "x".repeat(3000) }, { from: `/requests/${id}` })).status).toBe(400);
    expect((await sncf.post(`/requests/${id}`, { intent: "message", body: "Intrus" }, { from: "/requests" })).status).toBe(404);
    const page = await (await mjc.get(`/requests/${id}`)).text();
    expect(page).toContain("Le portail est fermé &lt;i&gt;le matin&lt;/i&gt;.");
    expect(page).toContain("Bien noté, nous passerons par la cour.");
    expect(page).not.toContain("Intrus");
  });
});

describe("moving and cancelling", () => {
  it("moves and cancels before the deadline, asks scheduling again, and refuses other partners and late changes", async () => {
    const id = requestIdOf((await submit(mjc, order({ recurrence: "WEEKLY", recurrenceEnd: "count", recurrenceCount: "3" }))).response);
    await mjc.post(`/requests/${id}`, { intent: "accept-quote" }, { from: `/requests/${id}` });
    const interventions = await queryApp<{ id: string; startsAt: Date }>(`SELECT id, "startsAt" FROM "Intervention" WHERE "requestId" = $1 ORDER BY "startsAt"`, [id]);
    const [first, second, third] = interventions as [{ id: string; startsAt: Date }, { id: string; startsAt: Date }, { id: string; startsAt: Date } | undefined];
    const page = `/requests/${id}/interventions/${first.id}`;

    // Another partner: the page and its forms answer 404; nothing moves.
    expect((await sncf.get(page)).status).toBe(404);
    expect((await sncf.post(page, { intent: "cancel", scope: "one", reason: "Intrusion" }, { from: "/requests" })).status).toBe(404);
    // An intervention of another request in the URL of one's own request: 404 too.
    const [foreign] = await queryApp<{ id: string }>(`SELECT i.id FROM "Intervention" i JOIN "Organisation" o ON o.id = i."organisationId" WHERE o.slug = 'sncf-gares-connexions' LIMIT 1`);
    expect((await mjc.post(`/requests/${id}/interventions/${foreign!.id}`, { intent: "cancel", scope: "one", reason: "Intrusion" }, { from: `/requests/${id}` })).status).toBe(404);
    expect((await queryApp(`SELECT 1 FROM "Intervention" WHERE status = 'CANCELLED' AND "cancelReason" = 'Intrusion'`)).length).toBe(0);

    // Moved to a holiday: refused with the next open day.
    const christmas = `${Number(parisParts(new Date()).date.slice(0, 4)) + 1}-12-25`;
    const holiday = await mjc.post(page, { intent: "move", date: christmas, startTime: "09:00" }, { from: page });
    expect(holiday.status).toBe(400);
    expect(await holiday.text()).toContain("jour férié");
    const newDate = openDay(prestation.minNoticeDays + 3);
    const moved = await mjc.post(page, { intent: "move", date: newDate, startTime: "14:00" }, { from: page });
    expect(moved.status).toBe(302);
    const [after] = await queryApp<{ startsAt: Date; endsAt: Date }>(`SELECT "startsAt", "endsAt" FROM "Intervention" WHERE id = $1`, [first.id]);
    expect(parisParts(after!.startsAt)).toEqual({ date: newDate, minutes: 14 * 60 });
    expect(after!.endsAt.getTime() - after!.startsAt.getTime()).toBe(120 * 60_000);

    const cancelled = await mjc.post(`/requests/${id}/interventions/${second.id}`, { intent: "cancel", scope: "one", reason: "Atelier fermé pour inventaire" }, { from: page });
    expect(cancelled.status).toBe(302);
    const [row] = await queryApp<{ status: string; cancelledAt: Date | null; cancelReason: string }>(`SELECT status, "cancelledAt", "cancelReason" FROM "Intervention" WHERE id = $1`, [second.id]);
    expect(row).toMatchObject({ status: "CANCELLED", cancelReason: "Atelier fermé pour inventaire" });
    expect(row!.cancelledAt).not.toBeNull();
    expect(await queryApp(`SELECT 1 FROM "Assignment" WHERE "interventionId" = $1`, [second.id])).toEqual([]);
    const replans = await queryApp<{ payload: { interventionId: string } }>(`SELECT payload FROM "OutboxEvent" WHERE "jobName" = 'replan-intervention' AND "businessKey" LIKE $1`, [
      `intervention-changed:%`,
    ]);
    const replanned = replans.map((r) => r.payload.interventionId);
    expect(replanned).toEqual(expect.arrayContaining([first.id, second.id]));

    // Too close: the page says why and whom to call; the action refuses.
    if (third) {
      const soon = new Date(Date.now() + 24 * 3_600_000);
      // Moved as the app moves one: its team goes with the old time (the people stay booked on an assignment's own times).
      await queryApp(`DELETE FROM "Assignment" WHERE "interventionId" = $1`, [third.id]);
      await queryApp(`UPDATE "Intervention" SET "startsAt" = $2, "endsAt" = $3, "supervisorId" = NULL WHERE id = $1`, [third.id, soon, new Date(soon.getTime() + 120 * 60_000)]);
      const late = `/requests/${id}/interventions/${third.id}`;
      expect(await (await mjc.get(late)).text()).toContain("Appelez la coordination au 01 99 00 42 17"); // the demo's, from the service rules;
      const refused = await mjc.post(late, { intent: "cancel", scope: "one", reason: "Trop tard" }, { from: late });
      expect(refused.status).toBe(409);
      expect((await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE id = $1`, [third.id]))[0]!.status).not.toBe("CANCELLED");
    }
  });
});
