import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { DEMO_ACCOUNTS as ACCOUNTS, type DemoAccount as Who } from "../support/demo-accounts.ts";

// Walks every page as every role and as a user of another partner: each gets
// exactly what their role allows, and nothing of another organisation leaks.

const LOGIN = 302; // redirected to the sign-in page
const ALL_SIGNED_IN: Who[] = ["sncfMember", "sncfAdmin", "otherPartner", "coordinator", "encadrant", "finance", "admin"];

// Each route file and, per person, the status expected (not listed: 403 for a signed-in person).
type Case = { path: (ids: Ids) => string; ok: Who[]; anonymous?: number; notFor?: Who[]; everyone?: number; sentOn?: Who[] };
type Ids = { invoiceId: string; sncfInvoice: string; sncfRequest: string; sncfIntervention: string; sncfReference: string; otherReference: string; mailId: string };

const ROUTES: Record<string, Case> = {
  // The encadrant's home is their day: sent on to /my-day.
  "_index.tsx": { path: () => "/", ok: ALL_SIGNED_IN.filter((w) => w !== "encadrant"), sentOn: ["encadrant"] },
  "login.tsx": { path: () => "/login", ok: [], anonymous: 200 },
  "logout.tsx": { path: () => "/logout", ok: [], anonymous: 302 },
  "forgot-password.tsx": { path: () => "/forgot-password", ok: [...ALL_SIGNED_IN], anonymous: 200 },
  "reset-password.$token.tsx": { path: () => "/reset-password/not-a-real-token", ok: [...ALL_SIGNED_IN], anonymous: 200 },
  "invitations.$token.tsx": { path: () => "/invitations/not-a-real-token", ok: [...ALL_SIGNED_IN], anonymous: 200 },
  "requests._index.tsx": { path: () => "/requests", ok: ["sncfMember", "sncfAdmin", "otherPartner", "coordinator", "finance", "admin"] },
  "requests.$id.tsx": {
    path: (ids) => `/requests/${ids.sncfRequest}`,
    ok: ["sncfMember", "sncfAdmin", "coordinator", "finance", "admin"],
    notFor: ["otherPartner"],
  },
  "requests.new.tsx": { path: () => "/requests/new", ok: ["sncfMember", "sncfAdmin", "otherPartner"] },
  "requests.$id.devis[.]pdf.ts": {
    path: (ids) => `/requests/${ids.sncfRequest}/devis.pdf`,
    ok: ["sncfMember", "sncfAdmin", "coordinator", "finance", "admin"],
    notFor: ["otherPartner"],
  },
  "requests.$id_.interventions.$interventionId.tsx": {
    path: (ids) => `/requests/${ids.sncfRequest}/interventions/${ids.sncfIntervention}`,
    ok: ["sncfMember", "sncfAdmin", "coordinator", "admin"],
    notFor: ["otherPartner"],
  },
  "catalogue.tsx": { path: () => "/catalogue", ok: ALL_SIGNED_IN },
  // Coordination's inbox: those who answer partners.
  "inbox.tsx": { path: () => "/inbox", ok: ["coordinator", "admin"] },
  "people.tsx": { path: () => "/people", ok: ["coordinator", "encadrant", "admin"] },
  "users.tsx": { path: () => "/users", ok: ["sncfAdmin", "otherPartner", "admin"] },
  "admin.audit.tsx": { path: () => "/admin/audit", ok: ["admin"] },
  // Back office: the administration everywhere; coordination for partners' sites and the service rules.
  "admin._index.tsx": { path: () => "/admin", ok: ["admin"] },
  "admin.audit[.]csv.ts": { path: () => "/admin/audit.csv?action=auth.login", ok: ["admin"] },
  "admin.partners._index.tsx": { path: () => "/admin/partners", ok: ["coordinator", "admin"] },
  "admin.partners.$id.tsx": { path: () => `/admin/partners/${backoffice.sncfOrganisation}`, ok: ["coordinator", "admin"] },
  "admin.catalogue._index.tsx": { path: () => "/admin/catalogue", ok: ["admin"] },
  "admin.catalogue.$id.tsx": { path: () => `/admin/catalogue/${backoffice.prestation}`, ok: ["admin"] },
  "admin.rules.tsx": { path: () => "/admin/rules", ok: ["coordinator", "admin"] },
  "admin.workers._index.tsx": { path: () => "/admin/workers", ok: ["admin"] },
  "admin.workers.$id.export.ts": { path: () => `/admin/workers/${backoffice.participant}/export`, ok: ["admin"] },
  // Reset and invitation links are in the demo's mailbox: staff only, anonymous visitors sign in first.
  "mailbox._index.tsx": { path: () => "/mailbox", ok: ["coordinator", "encadrant", "finance", "admin"], notFor: ["sncfMember", "sncfAdmin", "otherPartner"] },
  "mailbox.$id.tsx": { path: (ids) => `/mailbox/${ids.mailId}`, ok: ["coordinator", "encadrant", "finance", "admin"], notFor: ["sncfMember", "sncfAdmin", "otherPartner"] },
  "healthcheck.ts": { path: () => "/healthcheck", ok: [...ALL_SIGNED_IN], anonymous: 200 },
  "account.tsx": { path: () => "/account", ok: ALL_SIGNED_IN },
  // A made-up token: the feed is found by its secret only, whoever asks.
  "calendar.$token[.]ics.ts": { path: () => "/calendar/not-a-real-token.ics", ok: [], everyone: 404 },
  // Scheduling: the coordinator's board and people screens, the encadrant's day and feed.
  "planning.tsx": { path: () => "/planning", ok: ["coordinator", "admin"] },
  "planning_.interventions.$id.tsx": { path: (ids) => `/planning/interventions/${ids.sncfIntervention}`, ok: ["coordinator", "admin"] },
  "planning_.runs.$runId.ts": { path: () => `/planning/runs/${scheduling.runId}`, ok: ["coordinator", "admin"] },
  "planning_.week[.]pdf.ts": { path: () => "/planning/week.pdf", ok: ["coordinator", "admin"] },
  "people_.$id.tsx": { path: () => `/people/${scheduling.participant}`, ok: ["coordinator", "encadrant", "admin"] },
  "people_.$id.planning[.]pdf.ts": { path: () => `/people/${scheduling.participant}/planning.pdf`, ok: ["coordinator", "encadrant", "admin"] },
  "people_.new.tsx": { path: () => "/people/new", ok: ["coordinator", "admin"] },
  "people_.encadrants.new.tsx": { path: () => "/people/encadrants/new", ok: ["coordinator", "admin"] },
  "people_.export[.]csv.ts": { path: () => "/people/export.csv?what=payroll", ok: ["coordinator", "admin"] },
  "my-day.tsx": { path: () => "/my-day", ok: ["encadrant"] },
  "my-day_.$id.tsx": { path: () => `/my-day/${scheduling.encadrantIntervention}`, ok: ["encadrant"] },
  "calendar.encadrant.$token.ts": { path: () => "/calendar/encadrant/not-a-real-token-0123456789.ics", ok: [], everyone: 404 },
  "finance._index.tsx": { path: () => "/finance", ok: ["finance", "admin"] },
  "finance.invoices._index.tsx": { path: () => "/finance/invoices", ok: ["finance", "admin"] },
  "finance.invoices.$id.tsx": { path: (ids) => `/finance/invoices/${ids.invoiceId}`, ok: ["finance", "admin"] },
  "finance.runs.$jobId.ts": { path: () => "/finance/runs/invoicing-prepare-unknown", ok: ["finance", "admin"] },
  "finance.export[.]csv.ts": { path: () => "/finance/export.csv?what=lines", ok: ["finance", "admin"] },
  "invoices._index.tsx": { path: () => "/invoices", ok: ["sncfMember", "sncfAdmin", "otherPartner"] },
  // A partner's own invoice; another partner's is "not found".
  "invoices.$id.tsx": { path: (ids) => `/invoices/${ids.sncfInvoice}`, ok: ["sncfMember", "sncfAdmin"], notFor: ["otherPartner"] },
  "finance.disputes.tsx": { path: () => "/finance/disputes", ok: ["finance", "admin"] },
  // A partner's own yearly certificate; another partner's is "not found".
  "impact.$organisationId.$year[.]pdf.ts": {
    path: () => `/impact/${backoffice.sncfOrganisation}/${new Date().getFullYear()}.pdf`,
    ok: ["sncfMember", "sncfAdmin", "finance", "admin"],
    notFor: ["otherPartner"],
  },
  "finance.documents.tsx": { path: () => "/finance/documents", ok: ["finance", "admin"] },
  "finance.documents[.]zip.ts": { path: () => "/finance/documents.zip?month=2026-11", ok: ["finance", "admin"] },
  // A made-up document id: "not found" for everyone signed in, whatever their role (real downloads: tests/http/einvoicing.test.ts).
  "invoices.documents.$id[.]pdf.ts": { path: () => "/invoices/documents/not-a-document.pdf", ok: [], notFor: ALL_SIGNED_IN },
  // Not a page: Stripe POSTs signed events; a GET is refused the same way for everyone.
  "webhooks.stripe.ts": { path: () => "/webhooks/stripe", ok: [], everyone: 405 },
  "webhooks.einvoicing.ts": { path: () => "/webhooks/einvoicing", ok: [], everyone: 405 },
};

function expectedStatus(c: Case, who: Who): number {
  if (c.everyone) return c.everyone;
  if (who === "anonymous") return c.anonymous ?? LOGIN;
  if (c.notFor?.includes(who)) return 404;
  if (c.sentOn?.includes(who)) return 302;
  if (c.ok.includes(who)) return 200;
  if (c.ok.length === 0) return 302; // sign-in and sign-out pages send signed-in people home
  return 403;
}

const clients = {} as Record<Who, HttpClient>;
let ids: Ids;

beforeAll(async () => {
  for (const [who, email] of Object.entries(ACCOUNTS) as [Who, string | null][]) {
    clients[who] = email ? await new HttpClient().login(email) : new HttpClient();
  }
  const [sncf] = await queryApp<{ id: string; reference: string }>(
    `SELECT r.id, r.reference FROM "ServiceRequest" r JOIN "Organisation" o ON o.id = r."organisationId" WHERE o.name LIKE 'SNCF%' ORDER BY r.reference LIMIT 1`,
  );
  const [other] = await queryApp<{ reference: string }>(`SELECT r.reference FROM "ServiceRequest" r JOIN "Organisation" o ON o.id = r."organisationId" WHERE o.name = 'Mon Jardin Chocolaté' LIMIT 1`);
  // A mail of the demo's mailbox (the walk itself made none yet: ask for one).
  await new HttpClient().post("/forgot-password", { email: "agent@sncf.example" }, { from: "/forgot-password" });
  const [mail] = await queryApp<{ id: string }>(`SELECT id FROM "Mail" ORDER BY "createdAt" DESC LIMIT 1`);
  const [intervention] = await queryApp<{ id: string }>(`SELECT id FROM "Intervention" WHERE "requestId" = $1 LIMIT 1`, [sncf!.id]);
  const [invoice] = await queryApp<{ id: string }>(`SELECT id FROM "Invoice" ORDER BY "createdAt" LIMIT 1`);
  const [sncfInvoice] = await queryApp<{ id: string }>(
    `SELECT i.id FROM "Invoice" i JOIN "Organisation" o ON o.id = i."organisationId" WHERE o.name LIKE 'SNCF%' AND i.status <> 'DRAFT' ORDER BY i."issuedAt" LIMIT 1`,
  );
  ids = {
    invoiceId: invoice?.id ?? "none",
    sncfInvoice: sncfInvoice?.id ?? "none",
    sncfRequest: sncf!.id,
    sncfIntervention: intervention!.id,
    sncfReference: sncf!.reference,
    otherReference: other!.reference,
    mailId: mail!.id,
  };
});

const backoffice = { sncfOrganisation: "", prestation: "", participant: "" };
beforeAll(async () => {
  const [org] = await queryApp<{ id: string }>(`SELECT id FROM "Organisation" WHERE name LIKE 'SNCF%' LIMIT 1`);
  const [prestation] = await queryApp<{ id: string }>(`SELECT id FROM "Prestation" ORDER BY name LIMIT 1`);
  const [participant] = await queryApp<{ id: string }>(`SELECT id FROM "Participant" ORDER BY "createdAt" LIMIT 1`);
  Object.assign(backoffice, { sncfOrganisation: org!.id, prestation: prestation!.id, participant: participant!.id });
});

const scheduling = { participant: "", runId: "walk-planning-run", encadrantIntervention: "" };
beforeAll(async () => {
  // A person the demo encadrant leads (on one of their interventions of the last four weeks to next week): the encadrant sees only those.
  const [participant] = await queryApp<{ id: string }>(
    `SELECT a."participantId" AS id FROM "Assignment" a JOIN "Intervention" i ON i.id = a."interventionId" JOIN "Supervisor" s ON s.id = i."supervisorId"
     JOIN "User" u ON u.id = s."userId" JOIN "Participant" w ON w.id = a."participantId"
     WHERE u.email = 'encadrant@conciergerie.example' AND w."anonymisedAt" IS NULL AND a."startsAt" BETWEEN now() - interval '3 weeks' AND now() + interval '6 days'
     ORDER BY a."startsAt" DESC LIMIT 1`,
  );
  const [mine] = await queryApp<{ id: string }>(
    `SELECT i.id FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId"
     WHERE u.email = 'encadrant@conciergerie.example' ORDER BY i."startsAt" DESC LIMIT 1`,
  );
  await queryApp(`INSERT INTO "PlanningRun" (id, "weekStart", trigger, status, stats, "finishedAt") VALUES ($1, '2026-01-05', 'coordinator', 'done', '{}', now()) ON CONFLICT DO NOTHING`, [
    scheduling.runId,
  ]);
  Object.assign(scheduling, { participant: participant!.id, encadrantIntervention: mine!.id });
});

describe("route walk", () => {
  it("covers every route file", () => {
    const files = readdirSync(path.resolve(import.meta.dirname, "../../app/routes")).filter((f) => !f.includes(".test."));
    expect(files.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [file, c] of Object.entries(ROUTES)) {
    it(`${file}: every role gets what it may, and only that`, async () => {
      const seen: Record<string, number> = {};
      const expected: Record<string, number> = {};
      for (const who of Object.keys(ACCOUNTS) as Who[]) {
        const response = await clients[who].get(c.path(ids));
        seen[who] = response.status;
        expected[who] = expectedStatus(c, who);
        const body = await response.text();
        expect(body).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
      }
      expect(seen).toEqual(expected);
    });
  }

  it("shows a partner only its own requests in the list", async () => {
    const sncfPage = await (await clients.sncfMember.get("/requests")).text();
    expect(sncfPage).toContain(ids.sncfReference.slice(0, 4));
    expect(sncfPage).not.toContain(ids.otherReference);
    const otherPage = await (await clients.otherPartner.get("/requests")).text();
    expect(otherPage).not.toContain(ids.sncfReference);
  });

  it("answers another partner's request id with the same 404 as a made-up id, and audits it", async () => {
    const other = await clients.otherPartner.get(`/requests/${ids.sncfRequest}`);
    const madeUp = await clients.otherPartner.get("/requests/does-not-exist");
    expect(other.status).toBe(404);
    expect(madeUp.status).toBe(404);
    const otherBody = await other.text();
    expect(otherBody).not.toContain(ids.sncfReference);
    expect(otherBody).toContain("Page introuvable");
    const audited = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'access.not_found' AND "entityId" = $1`, [ids.sncfRequest]);
    expect(audited.length).toBeGreaterThan(0);
  });

  it("never shows a partner the people in insertion, only the team size and encadrant", async () => {
    const participants = await queryApp<{ firstName: string }>(`SELECT DISTINCT "firstName" FROM "Participant" WHERE length("firstName") > 4
       AND "firstName" NOT IN (SELECT "firstName" FROM "Supervisor")
       AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.name LIKE "Participant"."firstName" || ' %')`);
    const page = await (await clients.sncfMember.get(`/requests/${ids.sncfRequest}`)).text();
    const text = page.replace(/<script[\s\S]*?<\/script>/g, "");
    const leaked = participants.map((w) => w.firstName).filter((name) => new RegExp(`\\b${name}\\b`).test(text));
    expect(leaked).toEqual([]);
  });
});
