import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, parisWeekStart, toParisLocal } from "../../app/utils/paris-time.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { pdfTexts } from "../support/pdf-text.ts";

// The coordinator's planning board (issue 20): the week picked and filtered
// from the address, printed whole, the candidates shown by availability, and
// an intervention moved from it (or from its request) within the notice period.

let coordinator: HttpClient;
const thisWeek = parisWeekStart(new Date());
type Row = { id: string; requestId: string; startsAt: Date; siteId: string; siteName: string; skillId: string; weekStart: string };
let target: Row;
const created = { participants: [] as string[] };
const restore: (() => Promise<unknown>)[] = [];
/** Puts an intervention back as it was after the file (the app's database is shared by the files that run after). */
async function remember(id: string) {
  const [before] = await queryApp<{ startsAt: Date; endsAt: Date; latestStartAt: Date | null; supervisorPinned: boolean }>(
    `SELECT "startsAt", "endsAt", "latestStartAt", "supervisorPinned" FROM "Intervention" WHERE id = $1`,
    [id],
  );
  const team = await queryApp<{ participantId: string; startsAt: Date; endsAt: Date; pinned: boolean }>(
    `SELECT "participantId", "startsAt", "endsAt", pinned FROM "Assignment" WHERE "interventionId" = $1`,
    [id],
  );
  restore.push(async () => {
    await queryApp(`UPDATE "Intervention" SET "startsAt" = $2, "endsAt" = $3, "latestStartAt" = $4, "supervisorPinned" = $5 WHERE id = $1`, [
      id,
      before!.startsAt,
      before!.endsAt,
      before!.latestStartAt,
      before!.supervisorPinned,
    ]);
    for (const a of team) {
      await queryApp(`UPDATE "Assignment" SET "startsAt" = $3, "endsAt" = $4, pinned = $5 WHERE "interventionId" = $1 AND "participantId" = $2`, [id, a.participantId, a.startsAt, a.endsAt, a.pinned]);
    }
  });
}
const html = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

beforeAll(async () => {
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  // A staffed intervention to come, at least two days ahead (inside the 7-day notice or just past it).
  const [row] = await queryApp<Omit<Row, "weekStart">>(
    `SELECT i.id, i."requestId", i."startsAt", i."siteId", s.name AS "siteName", p."skillId"
     FROM "Intervention" i JOIN "Site" s ON s.id = i."siteId" JOIN "ServiceRequest" r ON r.id = i."requestId" JOIN "Prestation" p ON p.id = r."prestationId"
     WHERE i.status = 'SCHEDULED' AND i."startsAt" > (now() AT TIME ZONE 'UTC') + interval '2 days'
       AND EXISTS (SELECT 1 FROM "Intervention" o WHERE o."siteId" <> i."siteId" AND o.status = 'SCHEDULED' AND o."supervisorId" IS NOT NULL AND abs(EXTRACT(EPOCH FROM o."startsAt" - i."startsAt")) < 86400)
     ORDER BY i."startsAt" DESC LIMIT 1`,
  );
  target = { ...row!, weekStart: parisWeekStart(new Date(row!.startsAt)) };
  await remember(target.id);
});
afterAll(async () => {
  for (const undo of restore.reverse()) await undo();
  if (created.participants.length) await queryApp(`DELETE FROM "Participant" WHERE id = ANY($1)`, [created.participants]);
});

describe("the planning board", () => {
  it("picks a week (any day of it), has a button back to today, and links to the week's PDF", async () => {
    const page = await html(await coordinator.get(`/planning?week=${addDays(thisWeek, 16)}`));
    expect(page).toContain(`name="week" value="${addDays(thisWeek, 14)}"`);
    expect(page).toContain(`href="/planning?week=${thisWeek}">Aujourd&#x27;hui</a>`);
    expect(page).toContain(`href="/planning/week.pdf?week=${addDays(thisWeek, 14)}"`);
  });

  it("filters by site, prestation, encadrant and status from the address, and ignores bad values", async () => {
    const all = await html(await coordinator.get(`/planning?week=${target.weekStart}`));
    const chips = (page: string) => (page.match(/class="plan-time"/g) ?? []).length;

    const bySite = await coordinator.get(`/planning?week=${target.weekStart}&site=${target.siteId}`);
    expect(bySite.status).toBe(200);
    const filtered = await html(bySite);
    expect(chips(filtered)).toBeLessThan(chips(all));
    expect(filtered).toContain(`/planning/interventions/${target.id}`);
    expect(filtered).toMatch(/\d+ interventions? sur \d+ cette semaine correspondent aux filtres/);
    expect(filtered).toContain(`<option value="${target.siteId}" selected="">`);
    // Links keep the filters.
    expect(filtered).toContain(`/planning?week=${addDays(target.weekStart, 7)}&amp;site=${target.siteId}`);

    const none = await html(await coordinator.get(`/planning?week=${target.weekStart}&status=DONE&site=${target.siteId}`));
    expect(none).not.toContain(`/planning/interventions/${target.id}`);

    // Bad values: each ignored alone, the board shown, never a 500.
    for (const query of ["status=NOPE", "site=%3Cscript%3E", `encadrant=${"x".repeat(300)}`, "prestation=%27%20OR%201%3D1", "week=9999-99-99&status[]=1"]) {
      const response = await coordinator.get(`/planning?week=${target.weekStart}&${query}`);
      expect(response.status, query).toBe(200);
      const page = await html(response);
      if (!query.startsWith("week=")) expect(chips(page), query).toBe(chips(all));
    }
  });

  it("prints the whole week as one PDF, by encadrant, with the same filters", async () => {
    const response = await coordinator.get(`/planning/week.pdf?week=${target.weekStart}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    const texts = await pdfTexts(new Uint8Array(await response.arrayBuffer()));
    expect(texts).toContain("Planning de la semaine");
    const [encadrant] = await queryApp<{ name: string }>(`SELECT s."firstName" || ' ' || s."lastName" AS name FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" WHERE i.id = $1`, [
      target.id,
    ]);
    expect(texts).toContain(encadrant!.name);
    expect(texts.some((t) => t.includes(target.siteName))).toBe(true);
    const filtered = await pdfTexts(new Uint8Array(await (await coordinator.get(`/planning/week.pdf?week=${target.weekStart}&site=${target.siteId}`)).arrayBuffer()));
    expect(filtered.find((t) => t.includes("filtrées sur"))).toBeTruthy();
    // Partners never print the planning.
    const partner = await new HttpClient().login("gare-de-lyon@sncf.example");
    expect((await partner.get(`/planning/week.pdf?week=${target.weekStart}`)).status).toBe(403);
  });

  it("shows who is available, absent or new without availability in the team editor, the available first", async () => {
    const day = toParisLocal(new Date(target.startsAt)).slice(0, 10);
    const contract = [addDays(day, -30), addDays(day, 200)];
    for (const [id, firstName] of [
      ["board-test-new", "Zélie"],
      ["board-test-absent", "Yvon"],
    ] as const) {
      await queryApp(`INSERT INTO "Participant" (id, "firstName", "lastInitial", "contractStart", "contractEnd", "weeklyTargetMinutes", "updatedAt") VALUES ($1, $2, 'T', $3, $4, 360, now())`, [
        id,
        firstName,
        ...contract,
      ]);
      await queryApp(`INSERT INTO "ParticipantSkill" ("participantId", "skillId") VALUES ($1, $2)`, [id, target.skillId]);
      created.participants.push(id);
    }
    // Yvon: available every day, all day, but absent that day; Zélie: nothing recorded yet.
    for (let isoDay = 1; isoDay <= 7; isoDay++) {
      await queryApp(`INSERT INTO "Availability" (id, "participantId", "isoDay", "fromMinute", "toMinute") VALUES ($1, 'board-test-absent', $2, 0, 1440)`, [`board-test-av-${isoDay}`, isoDay]);
    }
    await queryApp(
      `INSERT INTO "Absence" (id, "participantId", "startsAt", "endsAt") VALUES ('board-test-abs', 'board-test-absent', $1::timestamp - interval '1 day', $1::timestamp + interval '1 day')`,
      [target.startsAt],
    );

    const page = await html(await coordinator.get(`/planning/interventions/${target.id}`));
    const row = (name: string) => page.indexOf(`${name} T.`);
    expect(row("Zélie")).toBeGreaterThan(0);
    expect(page.slice(row("Zélie"), row("Zélie") + 400)).toContain("Nouveau, sans disponibilités saisies");
    expect(page.slice(row("Yvon"), row("Yvon") + 400)).toContain("Absent");
    // Outside the team, the available come first, the absent last.
    const firstAvailable = page.indexOf(">Disponible<", page.indexOf("</li>", page.indexOf('class="team-list"')));
    expect(firstAvailable).toBeGreaterThan(0);
    expect(firstAvailable).toBeLessThan(row("Zélie"));
    expect(row("Zélie")).toBeLessThan(row("Yvon"));
  });

  it("moves an intervention to another date and time from the board: checked at once, forced with a reason, the partner told", async () => {
    const from = `/planning/interventions/${target.id}`;
    const startsAt = new Date(target.startsAt);
    const local = toParisLocal(startsAt);
    // Half an hour earlier, the same day (within the opening hours whatever the demo's times).
    const earlier = toParisLocal(new Date(startsAt.getTime() - 30 * 60_000));
    const fields = { date: earlier.slice(0, 10), startTime: earlier.slice(11) };
    const checked = await coordinator.post(from, { intent: "check-move", ...fields }, { from });
    expect([200, 409]).toContain(checked.status);
    expect(await html(checked)).toMatch(/Aucune règle enfreinte : ce déplacement peut être enregistré|l&#x27;équipe enfreint/);
    expect(toParisLocal(new Date((await queryApp<{ startsAt: Date }>(`SELECT "startsAt" FROM "Intervention" WHERE id = $1`, [target.id]))[0]!.startsAt))).toBe(local);

    const noReason = await coordinator.post(from, { intent: "move", ...fields, force: "on", reason: "" }, { from });
    expect(noReason.status).toBe(400);
    expect(await html(noReason)).toContain("Pour forcer, expliquez en quelques mots pourquoi");

    const moved = await coordinator.post(from, { intent: "move", ...fields, force: "on", reason: "Le partenaire ouvre plus tôt ce jour-là" }, { from });
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe(`${from}?saved=moved`);
    const [after] = await queryApp<{ startsAt: Date }>(`SELECT "startsAt" FROM "Intervention" WHERE id = $1`, [target.id]);
    expect(toParisLocal(new Date(after!.startsAt))).toBe(earlier);
    const [notification] = await queryApp<{ kind: string }>(`SELECT kind FROM "Notification" WHERE key LIKE $1`, [`intervention.changed:${target.id}:moved:%`]);
    expect(notification?.kind).toBe("intervention.changed");
    expect(await html(await coordinator.get(`${from}?saved=moved`))).toContain("Intervention déplacée. Le partenaire est prévenu par e-mail.");
  });

  it("lets the coordination move it from the request's page too, inside the notice period the partner is held to", async () => {
    // A staffed intervention of a demo partner, past the cancellation deadline (48 h) but inside its prestation's notice.
    const [row] = await queryApp<{ id: string; requestId: string; startsAt: Date; email: string; prestationId: string; minNoticeDays: number; days: number }>(
      `SELECT i.id, i."requestId", i."startsAt", u.email, p.id AS "prestationId", p."minNoticeDays",
         EXTRACT(EPOCH FROM (i."startsAt" - now() AT TIME ZONE 'UTC')) / 86400 AS days
       FROM "Intervention" i JOIN "ServiceRequest" r ON r.id = i."requestId" JOIN "Prestation" p ON p.id = r."prestationId"
       JOIN "Membership" m ON m."organisationId" = r."organisationId" JOIN "User" u ON u.id = m."userId"
       WHERE i.status = 'SCHEDULED' AND i.id <> $1 AND u.email IN ('gare-de-lyon@sncf.example', 'contact@monjardinchocolate.example', 'cuisine@latabledurecho.example')
         AND i."startsAt" > (now() AT TIME ZONE 'UTC') + interval '50 hours'
       ORDER BY i."startsAt" LIMIT 1`,
      [target.id],
    );
    expect(row, "a staffed demo intervention more than 48 h ahead").toBeDefined();
    await remember(row!.id);
    // Inside its prestation's notice whatever the demo's dates: lengthen the notice for this test, and put it back after.
    const notice = Math.max(row!.minNoticeDays, Math.ceil(Number(row!.days)) + 2);
    await queryApp(`UPDATE "Prestation" SET "minNoticeDays" = $2 WHERE id = $1`, [row!.prestationId, notice]);
    restore.push(() => queryApp(`UPDATE "Prestation" SET "minNoticeDays" = $2 WHERE id = $1`, [row!.prestationId, row!.minNoticeDays]));
    const page = `/requests/${row!.requestId}/interventions/${row!.id}`;
    const startsAt = new Date(row!.startsAt);
    const shift = toParisLocal(startsAt).slice(11) >= "08:30" ? -30 : 30;
    const to = toParisLocal(new Date(startsAt.getTime() + shift * 60_000));
    const fields = { intent: "move", date: to.slice(0, 10), startTime: to.slice(11) };

    const partner = await new HttpClient().login(row!.email);
    const refused = await partner.post(page, fields, { from: page });
    expect(refused.status).toBe(400);
    expect(await html(refused)).toMatch(/Cette prestation se commande \d+ jours à l&#x27;avance au moins/);

    expect(await html(await coordinator.get(page))).toContain("La coordination déplace à tout moment, délai de commande compris.");
    const moved = await coordinator.post(page, { ...fields, force: "on", reason: "Demandé par téléphone par le partenaire" }, { from: page });
    expect(moved.status).toBe(302);
    const [after] = await queryApp<{ startsAt: Date }>(`SELECT "startsAt" FROM "Intervention" WHERE id = $1`, [row!.id]);
    expect(toParisLocal(new Date(after!.startsAt))).toBe(to);
  });
});
