import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { DEMO_ACCOUNTS, type DemoAccount } from "../support/demo-accounts.ts";
import { HttpClient } from "../support/http-client.ts";
import { remixContextJson, shownErrors } from "../support/page-messages.ts";

// A form whose hidden fields were tampered with (an unknown intent, an unknown
// id, another organisation's id), or a stale page, gets a message from the
// action. Sent without JavaScript (a full page comes back), every message the
// action answered must be on that page, in an alert or next to a field: not
// only in the page's data, where the person never sees it.

const MISSING = "does-not-exist-0123456789";

type Ids = Record<
  | "sncfOrg"
  | "mjcOrg"
  | "sncfSite"
  | "mjcSite"
  | "sncfRequest"
  | "mjcRequest"
  | "sncfIntervention"
  | "mjcIntervention"
  | "mjcUser"
  | "sncfMember"
  | "prestation"
  | "supervisor"
  | "participant"
  | "participantAbsence"
  | "otherParticipantAbsence"
  | "myIntervention"
  | "teamParticipant"
  | "strangerParticipant"
  | "invoice"
  | "dispute"
  | "today"
  | "orderDate",
  string
>;
type Case = { who: DemoAccount; path: string; body: Record<string, string> };

function cases(ids: Ids): Record<string, Case> {
  const later = addDays(ids.today, 60);
  const site = { name: "Site de test", address: "1 rue de Test", postalCode: "75012", city: "Paris", accessNotes: "" };
  const partnerPage = `/admin/partners/${ids.sncfOrg}`;
  const intervention = `/requests/${ids.sncfRequest}/interventions/${ids.sncfIntervention}`;
  return {
    "account: unknown intent": { who: "sncfAdmin", path: "/account", body: { intent: "nope" } },
    "admin: a job that does not exist": { who: "admin", path: "/admin", body: { intent: "retry", queue: "mail", jobId: MISSING } },
    "admin: an unknown queue": { who: "admin", path: "/admin", body: { intent: "retry", queue: "nope", jobId: MISSING } },
    "catalogue item: unknown intent": { who: "admin", path: `/admin/catalogue/${ids.prestation}`, body: { intent: "nope" } },
    "catalogue item: a price for an organisation that does not exist": {
      who: "admin",
      path: `/admin/catalogue/${ids.prestation}`,
      body: { intent: "price", price: "12,50", validFrom: addDays(ids.today, 30), organisationId: MISSING },
    },
    "partner: unknown intent": { who: "admin", path: partnerPage, body: { intent: "nope" } },
    "partner: another partner's site, archived": { who: "admin", path: partnerPage, body: { intent: "site-archive", siteId: ids.mjcSite } },
    "partner: another partner's site, renamed": { who: "admin", path: partnerPage, body: { intent: "site-update", siteId: ids.mjcSite, ...site } },
    "partner: another partner's user, promoted": { who: "admin", path: partnerPage, body: { intent: "role", userId: ids.mjcUser, role: "PARTNER_MEMBER" } },
    "partner: another partner's user, deactivated": { who: "admin", path: partnerPage, body: { intent: "deactivate", userId: ids.mjcUser } },
    "rules: unknown intent": { who: "coordinator", path: "/admin/rules", body: { intent: "nope" } },
    "rules: a limit for an encadrant that does not exist": { who: "coordinator", path: "/admin/rules", body: { intent: "supervisorLimit", supervisorId: MISSING, maxTeamSize: "5" } },
    "workers: unknown intent": { who: "admin", path: "/admin/workers", body: { intent: "nope", participantId: ids.participant, confirm: "on" } },
    "workers: a person that does not exist": { who: "admin", path: "/admin/workers", body: { intent: "erase", participantId: MISSING, confirm: "on" } },
    "finance: unknown intent": { who: "finance", path: "/finance", body: { intent: "nope", month: "2026-10", organisationId: "", runKey: "visible-run-key-1" } },
    "finance: an organisation that does not exist": { who: "finance", path: "/finance", body: { intent: "prepare", month: "2026-10", organisationId: MISSING, runKey: "visible-run-key-2" } },
    "finance: a run key too short": { who: "finance", path: "/finance", body: { intent: "prepare", month: "2026-10", organisationId: "", runKey: "x" } },
    "disputes: unknown intent": { who: "finance", path: "/finance/disputes", body: { intent: "nope", disputeId: ids.dispute, outcome: "KEEP", answer: "Nous gardons les heures." } },
    "disputes: a dispute that does not exist": { who: "finance", path: "/finance/disputes", body: { intent: "settle", disputeId: MISSING, outcome: "KEEP", answer: "Nous gardons les heures." } },
    "documents: a run key too short": { who: "finance", path: "/finance/documents", body: { month: "2026-10", runKey: "x" } },
    "invoice: unknown intent": { who: "finance", path: `/finance/invoices/${ids.invoice}`, body: { intent: "nope" } },
    "my day: unknown intent": { who: "encadrant", path: "/my-day", body: { intent: "nope" } },
    "my intervention: unknown intent": { who: "encadrant", path: `/my-day/${ids.myIntervention}`, body: { intent: "nope", participantId: ids.teamParticipant } },
    "my intervention: a person outside the team": { who: "encadrant", path: `/my-day/${ids.myIntervention}`, body: { intent: "check-in", participantId: ids.strangerParticipant } },
    "my intervention: a person outside the team, agreeing": { who: "encadrant", path: `/my-day/${ids.myIntervention}`, body: { intent: "agree", participantId: ids.strangerParticipant } },
    "my intervention: a person that does not exist": { who: "encadrant", path: `/my-day/${ids.myIntervention}`, body: { intent: "absent", participantId: MISSING } },
    "people: unknown intent": { who: "coordinator", path: "/people", body: { intent: "nope" } },
    "people: a person in insertion's absence, removed as an encadrant's": {
      who: "coordinator",
      path: "/people",
      body: { intent: "remove-supervisor-absence", absenceId: ids.participantAbsence },
    },
    "people: an encadrant that does not exist": {
      who: "coordinator",
      path: "/people",
      body: { intent: "supervisor-absence", supervisorId: MISSING, firstDay: later, lastDay: addDays(later, 1) },
    },
    "person: unknown intent": { who: "coordinator", path: `/people/${ids.participant}`, body: { intent: "nope" } },
    "person: another person's absence, removed": { who: "coordinator", path: `/people/${ids.participant}`, body: { intent: "remove-absence", absenceId: ids.otherParticipantAbsence } },
    "person: an absence that does not exist": { who: "coordinator", path: `/people/${ids.participant}`, body: { intent: "remove-absence", absenceId: MISSING } },
    "new encadrant: an account that does not exist": {
      who: "coordinator",
      path: "/people/encadrants/new",
      body: { firstName: "Robuste", lastName: "Test", maxTeamSize: "5", weeklyMaxHours: "35", userId: MISSING },
    },
    "new person: a referent that does not exist": {
      who: "coordinator",
      path: "/people/new",
      body: { firstName: "Robuste", lastInitial: "T", contractStart: ids.today, contractEnd: addDays(ids.today, 90), weeklyTargetHours: "6", weeklyMaxHours: "12", referentSupervisorId: MISSING },
    },
    "planning: unknown intent": { who: "coordinator", path: "/planning", body: { intent: "nope", week: addDays(ids.today, 14) } },
    "planning intervention: unknown intent": { who: "coordinator", path: `/planning/interventions/${ids.sncfIntervention}`, body: { intent: "nope", supervisorId: ids.supervisor } },
    "planning intervention: an encadrant that does not exist": { who: "coordinator", path: `/planning/interventions/${ids.sncfIntervention}`, body: { intent: "save", supervisorId: MISSING } },
    "planning intervention: a person that does not exist in the team": {
      who: "coordinator",
      path: `/planning/interventions/${ids.sncfIntervention}`,
      body: { intent: "save", supervisorId: ids.supervisor, [`participant:${MISSING}`]: "on" },
    },
    "planning intervention: a person outside the team, agreeing": { who: "coordinator", path: `/planning/interventions/${ids.sncfIntervention}`, body: { intent: "agree", participantId: MISSING } },
    "request: unknown intent": { who: "sncfAdmin", path: `/requests/${ids.sncfRequest}`, body: { intent: "nope" } },
    "intervention: unknown intent": { who: "sncfAdmin", path: intervention, body: { intent: "nope" } },
    "new request: another partner's site": {
      who: "sncfAdmin",
      path: "/requests/new",
      body: {
        submissionKey: "visible-hostile-key-1",
        siteId: ids.mjcSite,
        prestationId: ids.prestation,
        date: ids.orderDate,
        startTime: "09:00",
        durationMinutes: "120",
        teamSize: "2",
        recurrence: "NONE",
        purchaseOrderNumber: "BC-1",
      },
    },
    "new request: a prestation that does not exist": {
      who: "sncfAdmin",
      path: "/requests/new",
      body: {
        submissionKey: "visible-hostile-key-2",
        siteId: ids.sncfSite,
        prestationId: MISSING,
        date: ids.orderDate,
        startTime: "09:00",
        durationMinutes: "120",
        teamSize: "2",
        recurrence: "NONE",
        purchaseOrderNumber: "BC-1",
      },
    },
  };
}

/** The messages in the action's answer (its errors and messages, not the values sent back into the form). */
function answeredMessages(html: string): string[] {
  const json = remixContextJson(html);
  if (!json) return [];
  const context = JSON.parse(json) as { state?: { actionData?: unknown; errors?: unknown } };
  const out: string[] = [];
  const walk = (value: unknown, inMessage: boolean): void => {
    if (typeof value === "string") {
      if (inMessage && value.trim()) out.push(value.replace(/\s+/g, " ").trim());
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k === "values" || k === "violations") continue;
        walk(v, inMessage || /error|message/i.test(k));
      }
    }
  };
  walk(context.state?.actionData, false);
  // A refusal thrown as a response (404, 403) is the error page's message.
  walk(context.state?.errors, false);
  return out;
}

let db: pg.Client;
let ids: Ids;
const clients = {} as Record<DemoAccount, HttpClient>;
const tokens = {} as Record<DemoAccount, string>;

async function one(sql: string, params: unknown[] = []): Promise<string> {
  const { rows } = await db.query(sql, params);
  return rows[0] ? String(Object.values(rows[0])[0]) : MISSING;
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: inject("appDatabaseUrl") });
  await db.connect();
  for (const w of ["sncfAdmin", "admin", "coordinator", "finance", "encadrant"] as const) {
    clients[w] = await new HttpClient().login(DEMO_ACCOUNTS[w]!);
    tokens[w] = await clients[w].csrfFrom("/");
  }
  const today = parisParts(new Date()).date;
  const org = (slug: string) => one(`SELECT id FROM "Organisation" WHERE slug = $1`, [slug]);
  const sncfOrg = await org("sncf-gares-connexions");
  const mjcOrg = await org("mon-jardin-chocolate");
  const requestOf = (orgId: string) =>
    one(`SELECT r.id FROM "ServiceRequest" r WHERE r."organisationId" = $1 AND EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id) ORDER BY r.reference LIMIT 1`, [orgId]);
  const interventionOf = (requestId: string) => one(`SELECT id FROM "Intervention" WHERE "requestId" = $1 ORDER BY "startsAt" DESC LIMIT 1`, [requestId]);
  const sncfRequest = await requestOf(sncfOrg);
  const mjcRequest = await requestOf(mjcOrg);
  const myIntervention = await one(
    `SELECT i.id FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId"
     WHERE u.email = 'encadrant@conciergerie.example' AND EXISTS (SELECT 1 FROM "Assignment" a WHERE a."interventionId" = i.id) ORDER BY i."startsAt" DESC LIMIT 1`,
  );
  const participant = await one(`SELECT id FROM "Participant" WHERE "anonymisedAt" IS NULL ORDER BY "createdAt" LIMIT 1`);
  ids = {
    sncfOrg,
    mjcOrg,
    sncfSite: await one(`SELECT id FROM "Site" WHERE "organisationId" = $1 ORDER BY name LIMIT 1`, [sncfOrg]),
    mjcSite: await one(`SELECT id FROM "Site" WHERE "organisationId" = $1 ORDER BY name LIMIT 1`, [mjcOrg]),
    sncfRequest,
    mjcRequest,
    sncfIntervention: await interventionOf(sncfRequest),
    mjcIntervention: await interventionOf(mjcRequest),
    mjcUser: await one(`SELECT id FROM "User" WHERE email = 'contact@monjardinchocolate.example'`),
    sncfMember: await one(`SELECT id FROM "User" WHERE email = 'agent@sncf.example'`),
    prestation: await one(`SELECT id FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`),
    supervisor: await one(`SELECT id FROM "Supervisor" ORDER BY "createdAt" LIMIT 1`),
    participant,
    participantAbsence: await one(`SELECT id FROM "Absence" WHERE "participantId" IS NOT NULL ORDER BY "startsAt" DESC LIMIT 1`),
    otherParticipantAbsence: await one(`SELECT id FROM "Absence" WHERE "participantId" IS NOT NULL AND "participantId" <> $1 ORDER BY "startsAt" DESC LIMIT 1`, [participant]),
    myIntervention,
    teamParticipant: await one(`SELECT "participantId" FROM "Assignment" WHERE "interventionId" = $1 LIMIT 1`, [myIntervention]),
    strangerParticipant: await one(`SELECT id FROM "Participant" w WHERE NOT EXISTS (SELECT 1 FROM "Assignment" a WHERE a."participantId" = w.id AND a."interventionId" = $1) LIMIT 1`, [
      myIntervention,
    ]),
    invoice: await one(`SELECT id FROM "Invoice" WHERE status = 'OPEN' ORDER BY "createdAt" LIMIT 1`),
    dispute: await one(`SELECT id FROM "Dispute" WHERE outcome IS NULL LIMIT 1`),
    today,
    orderDate: nextOpenDay(addDays(today, 30), resolveServiceRules({})),
  };
});

afterAll(async () => {
  await db?.end();
});

describe("a form sent with tampered hidden fields shows the action's message on the page", () => {
  it("finds the ids it sends", () => {
    // A missing fixture would turn the cases into made-up ids and test something else.
    expect(Object.entries(ids).filter(([k, v]) => v === MISSING && k !== "dispute")).toEqual([]);
  });

  it("shows every message the action answered, without JavaScript", async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [label, c] of Object.entries(cases(ids))) {
      const response = await clients[c.who].post(c.path, c.body, { csrf: tokens[c.who] });
      const html = await response.text();
      if (response.status < 400 || response.status >= 500) {
        problems.push(`${label} → status ${response.status}`);
        continue;
      }
      const messages = answeredMessages(html);
      if (messages.length === 0) {
        problems.push(`${label} → the action answered no message`);
        continue;
      }
      const shown = shownErrors(html).join(" | ");
      for (const m of messages) {
        checked++;
        if (!shown.includes(m)) problems.push(`${label} → «${m}» not shown (the page shows: ${shown || "nothing"})`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(Object.keys(cases(ids)).length);
  });
});
