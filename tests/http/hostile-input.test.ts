import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { DEMO_ACCOUNTS as ACCOUNTS, type DemoAccount as Who } from "../support/demo-accounts.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { shownErrors } from "../support/page-messages.ts";

// The inputs an attacker and a clumsy user sent that answered HTTP 500 (issue 22):
// a NUL byte in a text or an id, dates and numbers out of any sane range, a
// signed webhook that is not an event. Each now gets a 4xx, with a French
// message where a person reads it. tests/http/fuzz.test.ts then throws random
// inputs of the same kinds at every route.

const clients = {} as Record<Who, HttpClient>;
const ids = { participant: "", sncfSite: "", prestation: "", sncfRequest: "", sncfIntervention: "", orderDate: "" };
const one = async (sql: string, params: unknown[] = []) => Object.values((await queryApp<Record<string, string>>(sql, params))[0] ?? {})[0] ?? "";

beforeAll(async () => {
  for (const who of ["anonymous", "sncfAdmin", "coordinator", "admin", "finance"] as Who[]) {
    const email = ACCOUNTS[who];
    clients[who] = email ? await new HttpClient().login(email) : new HttpClient();
  }
  const sncfOrg = await one(`SELECT id FROM "Organisation" WHERE slug = 'sncf-gares-connexions'`);
  ids.participant = await one(`SELECT id FROM "Participant" WHERE "anonymisedAt" IS NULL ORDER BY "createdAt" LIMIT 1`);
  ids.sncfSite = await one(`SELECT id FROM "Site" WHERE "organisationId" = $1 ORDER BY name LIMIT 1`, [sncfOrg]);
  ids.prestation = await one(`SELECT id FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`);
  ids.sncfRequest = await one(
    `SELECT r.id FROM "ServiceRequest" r WHERE r."organisationId" = $1 AND EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id AND i."startsAt" > now() + interval '10 days' AND i.status IN ('ACCEPTED', 'SCHEDULED')) ORDER BY r.reference LIMIT 1`,
    [sncfOrg],
  );
  ids.sncfIntervention = await one(
    `SELECT id FROM "Intervention" WHERE "requestId" = $1 AND "startsAt" > now() + interval '10 days' AND status IN ('ACCEPTED', 'SCHEDULED') ORDER BY "startsAt" LIMIT 1`,
    [ids.sncfRequest],
  );
  ids.orderDate = nextOpenDay(addDays(parisParts(new Date()).date, 30), resolveServiceRules({}));
});

const FRENCH = /[àâçéèêëîïôûù]|Choisissez|Indiquez|invalide|introuvable/i;

describe("GET with hostile parameters: never a server error", () => {
  const cases: [Who, string | (() => string)][] = [
    ["anonymous", "/mailbox/%00"],
    ["sncfAdmin", "/requests?site=%00"],
    ["sncfAdmin", "/requests?from=0000-01-01"],
    ["sncfAdmin", "/requests?from=275760-09-13"],
    ["sncfAdmin", "/requests?from=-1"],
    ["sncfAdmin", "/requests?to=275760-09-13"],
    ["sncfAdmin", "/requests?after=8640000000000000_zz"],
    ["sncfAdmin", "/requests/%00"],
    ["coordinator", "/people/%00"],
    ["coordinator", "/planning?week=9999-12-31"],
    ["coordinator", "/planning?week=0000-01-01"],
    ["coordinator", () => `/people/${ids.participant}/planning.pdf?week=0000-01-01`],
    ["coordinator", () => `/people/${ids.participant}/planning.pdf?week=9999-12-31`],
    ["coordinator", "/people/export.csv?what=payroll&month=0000-01"],
    ["admin", "/admin/audit?person=%00"],
    ["admin", "/admin/audit?before=9999999999999999999"],
    ["admin", "/admin/audit?from=0000-01-01&to=9999-12-31"],
    ["admin", "/admin/audit.csv?before=9999999999999999999"],
    // The ZIP is streamed: an error once it has begun closed the connection mid-download.
    ["finance", "/finance/documents.zip?month=9999-12"],
    ["finance", "/finance/documents?month=9999-12"],
    ["finance", "/finance/invoices?month=9999-12"],
    ["coordinator", "/people?month=9999-12"],
  ];
  for (const [who, target] of cases) {
    it(`${who} ${typeof target === "string" ? target : "planning sheet"}`, async () => {
      const path = typeof target === "string" ? target : target();
      const response = await clients[who].get(path);
      const body = await response.text();
      expect(response.status, `${path}: ${body.slice(0, 200)}`).toBeLessThan(500);
      if (response.status >= 400) expect(body).toMatch(FRENCH);
    });
  }
});

describe("forms with hostile values: a French message, never a server error", () => {
  const order = (fields: Record<string, string>) => ({
    submissionKey: `hostile-${Math.random().toString(36).slice(2)}-key`,
    siteId: ids.sncfSite,
    prestationId: ids.prestation,
    date: ids.orderDate,
    startTime: "09:00",
    durationMinutes: "120",
    teamSize: "2",
    recurrence: "NONE",
    purchaseOrderNumber: "BC-1",
    ...fields,
  });

  for (const [label, fields] of [
    ["a NUL byte in the site id", { siteId: "site\u0000" }],
    ["a NUL byte in the prestation id", { prestationId: "\u0000" }],
    ["an impossible date, re-shown", { date: "2026-13-01" }],
    ["a duration past the safe integers, re-shown", { durationMinutes: "9007199254740993" }],
    ["a date in year 9999", { date: "9999-12-31" }],
    ["a series until year 9999", { recurrence: "WEEKLY", recurrenceEnd: "until", recurrenceUntil: "9999-12-31" }],
  ] as [string, Record<string, string>][]) {
    it(`an order with ${label}`, async () => {
      const response = await clients.sncfAdmin.post("/requests/new", order(fields), { from: "/requests/new" });
      const body = await response.text();
      expect(response.status, body.slice(0, 300)).toBe(400);
      expect(shownErrors(body).join(" ")).toMatch(FRENCH);
    });
  }

  it("an order whose purchase-order number holds a NUL byte is taken without it", async () => {
    const key = `hostile-nul-${Date.now()}-purchase-order`;
    const response = await clients.sncfAdmin.post("/requests/new", { ...order({ purchaseOrderNumber: "BC\u0000-42" }), submissionKey: key }, { from: "/requests/new" });
    expect(response.status, await response.text()).toBe(302);
    const [created] = await queryApp<{ purchaseOrderNumber: string }>(`SELECT "purchaseOrderNumber" FROM "ServiceRequest" WHERE "submissionKey" = $1`, [key]);
    expect(created?.purchaseOrderNumber).toBe("BC-42");
  });

  it("a partner moving an intervention to 9999-12-31 is refused in French, and nothing moves", async () => {
    const [before] = await queryApp<{ startsAt: Date }>(`SELECT "startsAt" FROM "Intervention" WHERE id = $1`, [ids.sncfIntervention]);
    const path = `/requests/${ids.sncfRequest}/interventions/${ids.sncfIntervention}`;
    const response = await clients.sncfAdmin.post(path, { intent: "move", date: "9999-12-31", startTime: "09:00" }, { from: path });
    const body = await response.text();
    expect(response.status).toBe(400);
    expect(shownErrors(body).join(" ")).toMatch(/Choisissez une date entre le 01\/01\/2000 et le \d\d\/\d\d\/\d{4}\./);
    const [after] = await queryApp<{ startsAt: Date }>(`SELECT "startsAt" FROM "Intervention" WHERE id = $1`, [ids.sncfIntervention]);
    expect(after!.startsAt).toEqual(before!.startsAt);
  });

  it("an absence starting 0000-01-01 is refused in French", async () => {
    const path = `/people/${ids.participant}`;
    const response = await clients.coordinator.post(path, { intent: "absence", firstDay: "0000-01-01", lastDay: "0000-01-02" }, { from: path });
    const body = await response.text();
    expect(response.status).toBe(400);
    expect(shownErrors(body).join(" ")).toMatch(/Choisissez une date entre/);
  });

  it("a message whose body holds a NUL byte is kept without it", async () => {
    const path = `/requests/${ids.sncfRequest}`;
    const text = `Bonjour\u0000, une question ${Date.now()}`;
    const response = await clients.sncfAdmin.post(path, { intent: "message", body: text }, { from: path });
    expect(response.status).toBeLessThan(500);
    await response.text();
    const rows = await queryApp<{ body: string }>(`SELECT body FROM "RequestMessage" WHERE body = $1`, [text.replace("\u0000", "")]);
    expect(rows).toHaveLength(1);
  });
});

describe("Stripe webhooks", () => {
  it("a signed body that is not an event (null) is a 400, not a crash", async () => {
    const payload = "null";
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_app_tests_0123456789" });
    const response = await fetch(`${clients.anonymous.baseUrl}/webhooks/stripe`, {
      method: "POST",
      body: payload,
      headers: { "Content-Type": "application/json", "Stripe-Signature": header },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Stripe/);
  });
});

describe("finance runs only months that are over and have hours", () => {
  let finance: HttpClient;
  const run = (fields: Record<string, string>) =>
    finance.post("/finance", { intent: "prepare", organisationId: "", runKey: `hostile-${Math.random().toString(36).slice(2)}`, ...fields }, { from: "/finance" });
  const monthOf = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit" }).format(d).slice(0, 7);
  beforeAll(async () => {
    finance = await new HttpClient().login("finance@conciergerie.example");
  });

  it("refuses a month not yet begun, even when asked to prepare early, and queues nothing", async () => {
    const next = new Date();
    next.setUTCDate(1);
    next.setUTCMonth(next.getUTCMonth() + 2);
    const before = await queryApp(`SELECT 1 FROM "OutboxEvent" WHERE queue = 'invoicing'`);
    const response = await run({ month: monthOf(next), early: "on" });
    const body = await response.text();
    expect(response.status).toBe(400);
    expect(shownErrors(body).join(" ")).toMatch(/n'a pas commencé : il n'y a rien à facturer/);
    expect(await queryApp(`SELECT 1 FROM "OutboxEvent" WHERE queue = 'invoicing'`)).toHaveLength(before.length);
  });

  it("refuses the month in progress unless « préparer ce mois avant sa fin » is ticked", async () => {
    const response = await run({ month: monthOf(new Date()) });
    expect(response.status).toBe(400);
    expect(shownErrors(await response.text()).join(" ")).toMatch(/n'est pas terminé\. Cochez « Préparer ce mois avant sa fin »/);
    const page = await (await finance.get("/finance")).text();
    expect(page).toContain("Préparer ce mois avant sa fin");
  });

  it("refuses a month without any hours recorded", async () => {
    const response = await run({ month: "2001-03" });
    expect(response.status).toBe(400);
    expect(shownErrors(await response.text()).join(" ")).toMatch(/Aucune heure n'est enregistrée en mars 2001 : il n'y a rien à facturer/);
  });
});
