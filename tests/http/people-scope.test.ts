import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";

// Encadrants see the people they lead, not everyone (issue 22): the people on
// their own interventions of the last four weeks, this week and the next. The
// list, a person's page and their planning sheet; anyone else is "not found".
let encadrant: HttpClient;
let coordinator: HttpClient;
let led: string[];
let stranger: { id: string; firstName: string };

// Monday 00:00 of this week, Paris, minus four weeks / plus two weeks, as SQL.
const WINDOW = `date_trunc('week', (now() AT TIME ZONE 'Europe/Paris'))`;

beforeAll(async () => {
  encadrant = await new HttpClient().login("encadrant@conciergerie.example");
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  const rows = await queryApp<{ id: string }>(
    `SELECT DISTINCT a."participantId" AS id FROM "Assignment" a JOIN "Intervention" i ON i.id = a."interventionId"
     JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId" JOIN "Participant" w ON w.id = a."participantId"
     WHERE u.email = 'encadrant@conciergerie.example' AND w."anonymisedAt" IS NULL AND w."contractEnd" >= now()
       AND (a."startsAt" AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/Paris') >= ${WINDOW} - interval '4 weeks'
       AND (a."startsAt" AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/Paris') < ${WINDOW} + interval '2 weeks'`,
  );
  led = rows.map((r) => r.id);
  const [other] = await queryApp<{ id: string; firstName: string }>(
    `SELECT w.id, w."firstName" FROM "Participant" w WHERE w."anonymisedAt" IS NULL AND w."contractEnd" >= now() AND w.id <> ALL($1::text[])
       AND NOT EXISTS (SELECT 1 FROM "Participant" x WHERE x.id = ANY($1::text[]) AND x."firstName" = w."firstName")
     ORDER BY w."createdAt" LIMIT 1`,
    [led],
  );
  stranger = other!;
});

describe("an encadrant sees the people they lead, and only them", () => {
  it("the seed gives the demo encadrant people to lead and people led by others", () => {
    expect(led.length).toBeGreaterThan(0);
    expect(stranger).toBeDefined();
  });

  it("a person they lead: their page and planning sheet", async () => {
    expect((await encadrant.get(`/people/${led[0]}`)).status).toBe(200);
    const sheet = await encadrant.get(`/people/${led[0]}/planning.pdf`);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get("content-type")).toContain("pdf");
  });

  it("anyone else: not found, as a made-up id", async () => {
    const page = await encadrant.get(`/people/${stranger.id}`);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(stranger.firstName);
    expect((await encadrant.get(`/people/${stranger.id}/planning.pdf`)).status).toBe(404);
  });

  it("the list shows the people led (linked), never the others", async () => {
    const list = await (await encadrant.get("/people")).text();
    for (const id of led) expect(list).toContain(`/people/${id}`);
    expect(list).not.toContain(`/people/${stranger.id}`);
  });

  it("coordination still sees everyone", async () => {
    expect((await coordinator.get(`/people/${stranger.id}`)).status).toBe(200);
    expect(await (await coordinator.get("/people")).text()).toContain(`/people/${stranger.id}`);
  });
});
