import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { pdfTexts } from "../support/pdf-text.ts";

// Issue 20, what partners and coordination read about a request: the order
// form's team limit, the access note on the weekly sheet, the request's dated
// timeline, coordination's inbox, and the list's search and previous page.

const rules = resolveServiceRules({});
const openDay = (daysAhead: number) => nextOpenDay(addDays(parisParts(new Date()).date, daysAhead), rules);

let mjc: HttpClient; // Mon Jardin Chocolaté: orders without validation
let coordinator: HttpClient;

beforeAll(async () => {
  [mjc, coordinator] = await Promise.all([new HttpClient().login("contact@monjardinchocolate.example"), new HttpClient().login("coordination@conciergerie.example")]);
});

async function submissionKeyOf(client: HttpClient, path = "/requests/new") {
  const html = await (await client.get(path)).text();
  const key = /name="submissionKey" value="([^"]+)"/.exec(html)?.[1];
  if (!key) throw new Error("no submission key on the order form");
  return { key, html };
}

describe("the order form's team size", () => {
  it("says the largest team an encadrant of the prestation may lead, and refuses a larger one next to the field", async () => {
    // A prestation whose encadrants lead fewer people than the service's limit (the demo's green spaces: 7 at most).
    const [p] = await queryApp<{ id: string; largest: number; minNoticeDays: number }>(
      `SELECT p.id, max(s."maxTeamSize")::int AS largest, p."minNoticeDays" FROM "Prestation" p
       JOIN "SupervisorSkill" ss ON ss."skillId" = p."skillId" JOIN "Supervisor" s ON s.id = ss."supervisorId"
       WHERE s.active AND p.active GROUP BY p.id HAVING max(s."maxTeamSize") < $1 ORDER BY max(s."maxTeamSize") DESC, p.name LIMIT 1`,
      [rules.teamSize.max],
    );
    expect(p, "the demo has a prestation whose encadrants lead fewer people than the service's limit").toBeDefined();
    const { key, html } = await submissionKeyOf(mjc, `/requests/new?prestation=${p!.id}`);
    expect(html).toContain(`De 1 à ${p!.largest} pour cette prestation, avec leur encadrant.`);
    expect(html).toMatch(new RegExp(`name="teamSize"[^>]*max="${p!.largest}"|max="${p!.largest}"[^>]*name="teamSize"`));
    const [site] = await queryApp<{ id: string }>(`SELECT s.id FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId" WHERE o.slug = 'mon-jardin-chocolate' AND s."archivedAt" IS NULL LIMIT 1`);
    const before = await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "ServiceRequest"`);
    const fields = { submissionKey: key, siteId: site!.id, prestationId: p!.id, date: openDay(p!.minNoticeDays + 7), startTime: "09:00", durationMinutes: "120", teamSize: String(p!.largest + 1), recurrence: "NONE" };
    const refused = await mjc.post("/requests/new", fields, { from: "/requests/new" });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain(`Aucun encadrant ne peut mener une équipe de ${p!.largest + 1} personnes pour cette prestation : ${p!.largest} personnes au plus.`);
    expect(page).toMatch(/id="field-teamSize-error"/);
    expect((await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "ServiceRequest"`))[0]!.n).toBe(before[0]!.n);
    // Another field wrong too: the team is still said at once.
    const both = await mjc.post("/requests/new", { ...fields, startTime: "9h" }, { from: "/requests/new" });
    expect(await both.text()).toContain(`${p!.largest} personnes au plus`);
    // The largest team itself is taken.
    const taken = await mjc.post("/requests/new", { ...fields, teamSize: String(p!.largest) }, { from: "/requests/new" });
    expect(taken.status).toBe(302);
  });
});

describe("the weekly planning sheet", () => {
  it("prints the access note typed on the order, not the site's usual one", async () => {
    const [row] = await queryApp<{ workerId: string; requestId: string; siteId: string; day: string }>(
      `SELECT a."workerId", i."requestId", i."siteId", ((i."startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date::text AS day FROM "Assignment" a JOIN "Intervention" i ON i.id = a."interventionId"
       JOIN "Worker" w ON w.id = a."workerId"
       WHERE i.status IN ('SCHEDULED', 'DONE') AND w."anonymisedAt" IS NULL ORDER BY i."startsAt" DESC LIMIT 1`,
    );
    expect(row).toBeDefined();
    const note = "Badge à retirer à l'accueil, demander M. Martin";
    await queryApp(`UPDATE "ServiceRequest" SET "accessInstructions" = $1 WHERE id = $2`, [note, row!.requestId]);
    await queryApp(`UPDATE "Site" SET "accessNotes" = 'Consigne habituelle du site' WHERE id = $1`, [row!.siteId]);
    const sheet = await coordinator.get(`/people/${row!.workerId}/planning.pdf?week=${row!.day}`);
    expect(sheet.status).toBe(200);
    const text = (await pdfTexts(new Uint8Array(await sheet.arrayBuffer()))).join("\n");
    expect(text).toContain(`Accès : ${note}`);
  });
});
