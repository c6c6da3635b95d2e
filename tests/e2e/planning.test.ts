import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, fromParisLocal, parisWeekStart, toParisDate } from "../../app/utils/paris-time.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";
import { queryApp } from "../support/http-client.ts";

// The coordinator's planning board and the encadrant's day, in Chromium.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

const nextWeek = addDays(parisWeekStart(new Date()), 7);

describe("the coordinator's planning board", () => {
  it("optimises a week and sees the progress finish, then steers a team: the rule broken, then forced with a reason", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "coordination@conciergerie.example");
    await page.getByRole("link", { name: "Planning" }).click();
    await page.getByRole("heading", { level: 1, name: "Planning" }).waitFor();
    await page.getByRole("link", { name: "Semaine suivante →" }).click();
    await page.waitForURL(new RegExp(`week=${nextWeek}`));
    await screenshot(page, "planning-board");

    await page.getByRole("button", { name: "Optimiser la semaine" }).click();
    await page.waitForURL(/run=/);
    await page.getByRole("progressbar").waitFor();
    // The exact solver may take its time on a loaded machine (its own limit is 90 s).
    await page.getByText("Rapport :").waitFor({ timeout: 120_000 });
    expect(await page.getByRole("progressbar").getAttribute("value")).toBe("100");
    await expectAccessible(page);
    await screenshot(page, "planning-optimised");
    const [run] = await queryApp<{ status: string; stats: { interventions: number; solver: { kind: string; optimal: boolean } } }>(
      `SELECT status, stats FROM "PlanningRun" WHERE trigger = 'coordinator' ORDER BY "startedAt" DESC LIMIT 1`,
    );
    expect(run!.status).toBe("done");
    expect(run!.stats.interventions).toBeGreaterThan(0);
    // Which solver planned the week, said in French: the demo's week is small enough for the exact one.
    const quality = page.getByRole("list", { name: "Qualité du plan" });
    expect(run!.stats.solver.kind).toBe("exact");
    await expect(quality.getByRole("listitem").first().textContent()).resolves.toMatch(
      run!.stats.solver.optimal ? /^Optimum prouvé par le solveur exact \(\d+(,\d)? s\)\.$/ : /^(Heures servies au maximum|Écart à l'optimum : )/,
    );
    // The report on a phone: the same lines, nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 800 });
    await quality.waitFor();
    await expectNoHorizontalScroll(page);
    await screenshot(page, "planning-optimised-phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    // An intervention with a team: take one person out.
    await page.locator(".plan-grid .plan-item a").first().click();
    await page.waitForURL(/\/planning\/interventions\//);
    await page.getByRole("heading", { name: "Équipe", exact: true }).waitFor();
    const interventionId = new URL(page.url()).pathname.split("/").pop()!;
    const firstMember = page.locator('.team-list input[name^="participant:"]:checked').first();
    await firstMember.uncheck();
    // Checked at once (JavaScript): the team size rule.
    await page.getByText(/Cette équipe enfreint/).waitFor();
    await page.getByText("Équipe complète, dans la limite de l'encadrant", { exact: true }).waitFor();
    await screenshot(page, "planning-violation");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByText(/Cette équipe enfreint/).waitFor();
    expect(await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'planning.forced' AND "entityId" = $1`, [interventionId])).toHaveLength(0);

    await page.getByLabel("Forcer : enregistrer même si une règle est enfreinte").check();
    await page.getByLabel("Raison (obligatoire pour forcer)").fill("Le partenaire accepte une équipe réduite ce jour-là.");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByText("Équipe enregistrée en forçant les règles ; la raison est au journal.").waitFor();
    await expectAccessible(page);
    const [forced] = await queryApp<{ details: { rules: string[]; reason: string } }>(`SELECT details FROM "AuditLog" WHERE action = 'planning.forced' AND "entityId" = $1`, [interventionId]);
    expect(forced!.details.rules).toContain("H2");
    expect(forced!.details.reason).toMatch(/équipe réduite/);
    await context.close();
  }, 150_000);

  it("shows the people's week with alerts, and hands out a planning sheet as PDF", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "coordination@conciergerie.example");
    await page.goto("/people");
    await page.getByRole("heading", { name: "Salariés en insertion (DPH)" }).waitFor();
    await page.getByRole("heading", { name: /Activité DPH du mois/ }).waitFor();
    await page.getByRole("heading", { name: "Absences des encadrants" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "people-week");
    await page.locator('table a[href^="/people/"]').first().click();
    await page.getByRole("heading", { name: "Absences" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "people-worker");
    const href = await page.getByRole("link", { name: "Planning de la semaine (PDF)" }).getAttribute("href");
    const pdf = await page.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    await context.close();
  }, 120_000);
});

describe("the planning board's week, filters and moves", () => {
  it("picks a week, filters it, comes back to today, and moves an intervention with the live check; readable on a phone", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "coordination@conciergerie.example");
    await page.goto("/planning");
    await page.getByRole("heading", { level: 1, name: "Planning" }).waitFor();
    const filters = page.getByRole("form", { name: "Semaine et filtres du planning" });
    await filters.getByLabel("Semaine du").fill(addDays(nextWeek, 2));
    await filters.getByLabel("Statut").selectOption({ label: "Planifiée" });
    await filters.getByRole("button", { name: "Afficher" }).click();
    await page.waitForURL(new RegExp(`week=${addDays(nextWeek, 2)}.*status=SCHEDULED`));
    await page
      .getByRole("status")
      .filter({ hasText: /correspondent? aux filtres/ })
      .waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Planning");
    expect(await filters.getByLabel("Statut").inputValue()).toBe("SCHEDULED");
    await expectAccessible(page);
    await screenshot(page, "planning-board-filtered");
    // A reload keeps the filters; "Aujourd'hui" goes back to this week with them.
    await page.reload();
    expect(await filters.getByLabel("Statut").inputValue()).toBe("SCHEDULED");
    await page.getByRole("link", { name: "Aujourd'hui" }).click();
    await page.waitForURL(new RegExp(`week=${parisWeekStart(new Date())}&status=SCHEDULED`));
    // The address changes as the navigation commits; the form is drawn again just after.
    await page.waitForFunction((monday) => (document.querySelector("#board-week") as HTMLInputElement | null)?.value === monday, parisWeekStart(new Date()));
    await page.setViewportSize({ width: 360, height: 800 });
    await expectNoHorizontalScroll(page);
    await screenshot(page, "planning-board-phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Next week, an intervention with its team: another time, checked at once.
    await page.goto(`/planning?week=${nextWeek}&status=SCHEDULED`);
    await page.locator(".plan-grid .plan-item a").first().click();
    await page.waitForURL(/\/planning\/interventions\//);
    const move = page.getByRole("region", { name: "Déplacer cette intervention" });
    await move.getByLabel("Heure de début").fill("07:00");
    await move.getByText(/Nos équipes travaillent de/).waitFor();
    expect(await move.getByText("Aucune règle enfreinte").count()).toBe(0);
    const candidates = page.locator(".team-list .badge");
    expect(await candidates.count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await page.setViewportSize({ width: 360, height: 800 });
    await expectNoHorizontalScroll(page);
    await screenshot(page, "planning-move-phone");
    await context.close();
  }, 120_000);
});

describe("the encadrant's day on a phone (360 px)", () => {
  let interventionId = "";
  let displaced: string[] = [];
  let supervisorId = "";
  beforeAll(async () => {
    // An intervention of the demo encadrant that started a few minutes ago (arrivals are noted from an hour before the start), today in Paris.
    const today = toParisDate(new Date());
    const startsAt = new Date(Math.max(fromParisLocal(`${today}T00:00`).getTime(), Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000));
    const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
    const [supervisor] = await queryApp<{ id: string }>(`SELECT s.id FROM "Supervisor" s JOIN "User" u ON u.id = s."userId" WHERE u.email = 'encadrant@conciergerie.example'`);
    const [serviceRequest] = await queryApp<{ id: string; organisationId: string; siteId: string }>(`SELECT id, "organisationId", "siteId" FROM "ServiceRequest" ORDER BY reference LIMIT 1`);
    const participants = await queryApp<{ id: string }>(
      `SELECT w.id FROM "Participant" w WHERE w."anonymisedAt" IS NULL AND NOT EXISTS (
         SELECT 1 FROM "Assignment" a WHERE a."participantId" = w.id AND tsrange(a."startsAt", a."endsAt") && tsrange($1::timestamp, $2::timestamp))
       ORDER BY w.id LIMIT 2`,
      [startsAt.toISOString(), endsAt.toISOString()],
    );
    interventionId = `e2e-my-day-${Date.now()}`;
    // Whatever the time of day the suite runs, the encadrant is free for it: an intervention of theirs
    // at that time goes without an encadrant until the test ends (the database refuses a double booking).
    displaced = (
      await queryApp<{ id: string }>(
        `UPDATE "Intervention" SET "supervisorId" = NULL WHERE "supervisorId" = $1 AND status NOT IN ('CANCELLED', 'DECLINED')
           AND tsrange("startsAt", "endsAt") && tsrange($2::timestamp, $3::timestamp) RETURNING id`,
        [supervisor!.id, startsAt.toISOString(), endsAt.toISOString()],
      )
    ).map((r) => r.id);
    supervisorId = supervisor!.id;
    await queryApp(
      `INSERT INTO "Intervention" (id, "requestId", "organisationId", "siteId", "startsAt", "endsAt", "durationMinutes", "participantsNeeded", status, "supervisorId", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, 90, 2, 'SCHEDULED', $7, now())`,
      [interventionId, serviceRequest!.id, serviceRequest!.organisationId, serviceRequest!.siteId, startsAt, endsAt, supervisor!.id],
    );
    for (const w of participants) {
      await queryApp(`INSERT INTO "Assignment" ("interventionId", "participantId", "startsAt", "endsAt") VALUES ($1, $2, $3, $4)`, [interventionId, w.id, startsAt, endsAt]);
    }
  });
  afterAll(async () => {
    if (displaced.length === 0) return;
    await queryApp(`UPDATE "Intervention" SET status = 'CANCELLED' WHERE id = $1`, [interventionId]);
    await queryApp(`UPDATE "Intervention" SET "supervisorId" = $1 WHERE id = ANY($2::text[])`, [supervisorId, displaced]);
  });

  it("checks a person in, records the hours, saves the report; another encadrant's intervention is a 404", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "encadrant@conciergerie.example");
    // The encadrant's home is their day.
    expect(new URL(page.url()).pathname).toBe("/my-day");
    await page.goto("/my-day");
    await page.getByRole("heading", { level: 1, name: "Ma journée" }).waitFor();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await screenshot(page, "my-day-phone");
    await page.locator(`a[href="/my-day/${interventionId}"]`).click();
    await page.getByRole("heading", { name: /Équipe \(2\)/ }).waitFor();
    await expectNoHorizontalScroll(page);

    const first = page.locator(".team-card").first();
    await first.getByRole("button", { name: /^Arrivée d(e |')/ }).click();
    await page.getByText("Arrivée enregistrée.").waitFor();
    const [status] = await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE id = $1`, [interventionId]);
    expect(status!.status).toBe("IN_PROGRESS");
    // Arrived: the card offers the departure, no second arrival.
    await first.getByRole("button", { name: /^Départ d(e |')/ }).waitFor();
    expect(await first.getByRole("button", { name: /^Arrivée d(e |')/ }).count()).toBe(0);
    // A departure in the same minute would record 0 minutes: refused, with the way out.
    await first.getByRole("button", { name: /^Départ d(e |')/ }).click();
    await page.getByText(/Le départ doit suivre l'arrivée/).waitFor();
    // Hours typed by hand need a reason; the field starts empty, never a pre-filled plan.
    await first.getByText(/^Saisir les heures à la main/).click();
    const minutes = first.getByLabel(/^Minutes travaillées par /);
    expect(await minutes.inputValue()).toBe("");
    await minutes.fill("120");
    await first.getByRole("button", { name: /^Enregistrer les heures d(e |')/ }).click();
    await page.getByText(/Indiquez le motif de la correction/).waitFor();
    await first.getByLabel("Motif de la correction").fill("Départ oublié, parti à midi");
    await first.getByRole("button", { name: /^Enregistrer les heures d(e |')/ }).click();
    await page.getByText("Heures corrigées et enregistrées.").waitFor();
    // 120 minutes on a 90-minute intervention: kept as it was, the coordination is told.
    await page.getByText(/la coordination est prévenue/).waitFor();
    await first.getByText(/2 h enregistrées \(corrigées à la main\)/).waitFor();
    await page
      .getByRole("button", { name: /^Absent·e : / })
      .last()
      .click();
    await page.getByText("Absence enregistrée.").waitFor();
    await page.getByLabel("Compte rendu").fill("Passerelle balayée et lavée, bacs sortis.");
    await page.getByLabel("Incidents (facultatif)").fill("Un escalier mécanique à l'arrêt, signalé à l'agent.");
    await page.getByRole("button", { name: "Enregistrer le compte rendu" }).click();
    await page.getByText("Compte rendu enregistré : l'intervention est terminée.").waitFor();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await screenshot(page, "my-day-intervention-phone");
    const entries = await queryApp<{ minutesWorked: number; absent: boolean }>(`SELECT "minutesWorked", absent FROM "TimeEntry" WHERE "interventionId" = $1 ORDER BY absent`, [interventionId]);
    expect(entries).toEqual([
      { minutesWorked: 120, absent: false },
      { minutesWorked: 0, absent: true },
    ]);
    const [done] = await queryApp<{ status: string }>(`SELECT status FROM "Intervention" WHERE id = $1`, [interventionId]);
    expect(done!.status).toBe("DONE");

    const [others] = await queryApp<{ id: string }>(`SELECT i.id FROM "Intervention" i JOIN "Supervisor" s ON s.id = i."supervisorId" WHERE s."userId" IS NULL LIMIT 1`);
    const response = await page.goto(`/my-day/${others!.id}`);
    expect(response!.status()).toBe(404);

    // The ICS feed: a secret link, shown once.
    await page.goto("/my-day");
    await page.getByRole("button", { name: /lien d'agenda|nouveau lien/ }).click();
    const link = (await page.locator("code").textContent())!;
    expect(link).toMatch(/\/calendar\/encadrant\/[\w-]+\.ics$/);
    // The order's own access note comes before the site's usual one, as on the weekly sheet.
    const [ordered] = await queryApp<{ id: string; note: string | null }>(
      `SELECT r.id, r."accessInstructions" AS note FROM "ServiceRequest" r JOIN "Intervention" i ON i."requestId" = r.id JOIN "Supervisor" s ON s.id = i."supervisorId"
        JOIN "User" u ON u.id = s."userId" WHERE u.email = 'encadrant@conciergerie.example' AND i."startsAt" > now() AND i.status NOT IN ('SUBMITTED', 'DECLINED') ORDER BY i."startsAt" LIMIT 1`,
    );
    await queryApp(`UPDATE "ServiceRequest" SET "accessInstructions" = 'Badge à retirer à l''accueil auprès de M. Martin' WHERE id = $1`, [ordered!.id]);
    try {
      const feed = await page.request.get(new URL(new URL(link).pathname, page.url()).toString());
      expect(feed.status()).toBe(200);
      const ics = (await feed.text()).replace(/\r\n[ \t]/g, "");
      expect(ics).toContain("BEGIN:VCALENDAR");
      expect(ics).toContain("Accès : Badge à retirer à l'accueil auprès de M. Martin");
    } finally {
      await queryApp(`UPDATE "ServiceRequest" SET "accessInstructions" = $2 WHERE id = $1`, [ordered!.id, ordered!.note]);
    }
    await context.close();
  }, 120_000);
});
