import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ofName } from "~/utils/format.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";

// A person's agreement to change a confirmed schedule within the notice
// period, recorded from the encadrant's day and from the coordinator's
// intervention page: who recorded it and when, the person by id only.

let encadrant: HttpClient;
let coordinator: HttpClient;
let target: { id: string; participantId: string; name: string };
let widened: { before: unknown } | null = null;

beforeAll(async () => {
  encadrant = await new HttpClient().login("encadrant@conciergerie.example");
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  // The demo encadrant's next staffed intervention after tomorrow, confirmed.
  const [row] = await queryApp<{ id: string; participantId: string; firstName: string; lastInitial: string; days: number }>(
    `SELECT i.id, a."participantId", w."firstName", w."lastInitial", EXTRACT(EPOCH FROM (i."startsAt" - now() AT TIME ZONE 'UTC')) / 86400 AS days
     FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" JOIN "User" u ON u.id = s."userId"
     JOIN "Assignment" a ON a."interventionId" = i.id JOIN "Participant" w ON w.id = a."participantId"
     WHERE u.email = 'encadrant@conciergerie.example' AND i.status = 'SCHEDULED' AND i."startsAt" > (now() AT TIME ZONE 'UTC') + interval '1 day'
     ORDER BY i."startsAt", a."participantId" LIMIT 1`,
  );
  target = { id: row!.id, participantId: row!.participantId, name: `${row!.firstName} ${row!.lastInitial}.` };
  await queryApp(`UPDATE "Intervention" SET "confirmedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`, [target.id]);
  // Within the notice period whatever the demo's dates: widen it for this file when needed, and put it back after.
  const days = Math.ceil(Number(row!.days)) + 1;
  if (days > 7) {
    widened = { before: (await queryApp<{ value: unknown }>(`SELECT value FROM "ServiceSetting" WHERE key = 'scheduleChangeNoticeDays'`))[0]?.value ?? null };
    await queryApp(`INSERT INTO "ServiceSetting" (key, value, "updatedAt") VALUES ('scheduleChangeNoticeDays', $1::jsonb, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
      JSON.stringify(Math.min(days, 60)),
    ]);
  }
});
afterAll(async () => {
  if (!widened) return;
  if (widened.before === null) await queryApp(`DELETE FROM "ServiceSetting" WHERE key = 'scheduleChangeNoticeDays'`);
  else await queryApp(`UPDATE "ServiceSetting" SET value = $1::jsonb WHERE key = 'scheduleChangeNoticeDays'`, [JSON.stringify(widened.before)]);
});

describe("recording a person's agreement", () => {
  it("the encadrant sees the team under notice and records that the person agrees", async () => {
    const page = (await (await encadrant.get(`/my-day/${target.id}`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("Accord des personnes pour un changement");
    // Arrivals and departures first, the agreements after them.
    expect(page.indexOf("Équipe (")).toBeLessThan(page.indexOf("Accord des personnes pour un changement"));
    expect(page).toContain(`La personne est d&#x27;accord<span class="visually-hidden"> : ${target.name}`);
    const response = await encadrant.post(`/my-day/${target.id}`, { intent: "agree", participantId: target.participantId }, { from: `/my-day/${target.id}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`Accord ${ofName(target.name)} enregistré`);
    const [agreement] = await queryApp<{ email: string; usedAt: Date | null }>(
      `SELECT u.email, g."usedAt" FROM "ScheduleChangeAgreement" g JOIN "User" u ON u.id = g."recordedById" WHERE g."interventionId" = $1 AND g."participantId" = $2`,
      [target.id, target.participantId],
    );
    expect(agreement).toEqual({ email: "encadrant@conciergerie.example", usedAt: null });
    const [entry] = await queryApp<{ details: unknown }>(`SELECT details FROM "AuditLog" WHERE action = 'planning.agreement_recorded' AND "entityId" = $1 ORDER BY id DESC LIMIT 1`, [target.id]);
    expect(entry!.details).toEqual({ participantId: target.participantId });
    // The page now says who recorded it.
    expect(await (await encadrant.get(`/my-day/${target.id}`)).text()).toContain("enregistré le");
  });

  it("the coordinator sees it on the intervention page and can take it back", async () => {
    const page = await (await coordinator.get(`/planning/interventions/${target.id}`)).text();
    expect(page).toContain("D&#x27;accord pour un changement");
    const response = await coordinator.post(
      `/planning/interventions/${target.id}`,
      { intent: "withdraw-agreement", participantId: target.participantId },
      { from: `/planning/interventions/${target.id}` },
    );
    expect(response.status).toBe(200);
    expect(await queryApp(`SELECT 1 FROM "ScheduleChangeAgreement" WHERE "interventionId" = $1 AND "participantId" = $2`, [target.id, target.participantId])).toHaveLength(0);
  });

  it("refuses someone outside the team with a French message, and other roles altogether", async () => {
    const [stranger] = await queryApp<{ id: string }>(`SELECT id FROM "Participant" WHERE id NOT IN (SELECT "participantId" FROM "Assignment" WHERE "interventionId" = $1) LIMIT 1`, [target.id]);
    const refused = await coordinator.post(`/planning/interventions/${target.id}`, { intent: "agree", participantId: stranger!.id }, { from: `/planning/interventions/${target.id}` });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("Cette personne n&#x27;est pas dans l&#x27;équipe de l&#x27;intervention.");
    const bad = await coordinator.post(`/planning/interventions/${target.id}`, { intent: "agree", participantId: "<script>" }, { from: `/planning/interventions/${target.id}` });
    expect(bad.status).toBe(400);
    const finance = await new HttpClient().login("finance@conciergerie.example");
    const csrf = await finance.csrfFrom("/");
    expect((await finance.post(`/planning/interventions/${target.id}`, { intent: "agree", participantId: target.participantId }, { csrf })).status).toBe(403);
    expect(await queryApp(`SELECT 1 FROM "ScheduleChangeAgreement" WHERE "interventionId" = $1`, [target.id])).toHaveLength(0);
  });
});
