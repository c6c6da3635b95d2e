import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";

// Creating a person in insertion and an encadrant over HTTP: each bad field
// gets its French message next to it (400, never a 500), only coordination and
// administration reach the forms, and the audit log names the person by id only.

let coordinator: HttpClient;
let admin: HttpClient;

beforeAll(async () => {
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  admin = await new HttpClient().login("admin@conciergerie.example");
});

/** The message shown under one field (Field renders it as #field-<name>-error). */
const errorOf = (html: string, name: string) => {
  const match = new RegExp(`id="field-${name}-error">([^<]*)<`).exec(html);
  return match ? match[1]!.replace(/&#x27;/g, "'") : null;
};

const today = new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe("creating a person in insertion", () => {
  it("shows each error next to its field and keeps what was typed", async () => {
    const response = await coordinator.post(
      "/people/new",
      { firstName: "Ama<b>", lastInitial: "Diallo", contractStart: today, contractEnd: inDays(400), weeklyTargetHours: "20", weeklyMaxHours: "abc" },
      { from: "/people/new" },
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(errorOf(html, "firstName")).toBe("Le prénom seulement : des lettres, espaces, tirets ou apostrophes.");
    expect(errorOf(html, "lastInitial")).toBe("Une seule lettre : l'initiale du nom, pas le nom entier.");
    expect(errorOf(html, "contractEnd")).toMatch(/^Un contrat DPH dure 12 mois au plus : fin au plus tard le \d{2}\/\d{2}\/\d{4}\.$/);
    expect(errorOf(html, "weeklyTargetHours")).toBe("Entre 3 et 16 heures (Dispositif Premières Heures).");
    expect(errorOf(html, "weeklyMaxHours")).toBe("Un nombre d'heures, par exemple 6 ou 6,5.");
    expect(html).toContain('value="Diallo"'); // nothing typed is lost
    expect(html).not.toContain("<b>"); // and nothing typed is markup
  });

  it("refuses a cap under the target, and an end before the start", async () => {
    const response = await coordinator.post(
      "/people/new",
      { firstName: "Awa", lastInitial: "S", contractStart: inDays(10), contractEnd: inDays(5), weeklyTargetHours: "8", weeklyMaxHours: "6" },
      { from: "/people/new" },
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(errorOf(html, "contractEnd")).toBe("La fin du contrat doit suivre son début.");
    expect(errorOf(html, "weeklyMaxHours")).toBe("Le plafond ne peut pas être sous l'objectif.");
  });

  it("creates the person with skills and a referent, then shows the new record; the audit log has the id only", async () => {
    const [skill] = await queryApp<{ id: string }>(`SELECT id FROM "Skill" ORDER BY label LIMIT 1`);
    const [supervisor] = await queryApp<{ id: string }>(`SELECT id FROM "Supervisor" WHERE active ORDER BY "firstName" LIMIT 1`);
    const body = new URLSearchParams({
      firstName: "Yonas",
      lastInitial: "t.",
      contractStart: today,
      contractEnd: inDays(180),
      weeklyTargetHours: "4,5",
      weeklyMaxHours: "16",
      referentSupervisorId: supervisor!.id,
    });
    const response = await coordinator.post("/people/new", { ...Object.fromEntries(body), skill: skill!.id }, { from: "/people/new" });
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location).toMatch(/^\/people\/[^/?]+\?cree=1$/);
    const id = location.split("/")[2]!.split("?")[0]!;
    const [participant] = await queryApp<{ firstName: string; lastInitial: string; weeklyTargetMinutes: number; referentSupervisorId: string }>(
      `SELECT "firstName", "lastInitial", "weeklyTargetMinutes", "referentSupervisorId" FROM "Participant" WHERE id = $1`,
      [id],
    );
    expect(participant).toEqual({ firstName: "Yonas", lastInitial: "T", weeklyTargetMinutes: 270, referentSupervisorId: supervisor!.id });
    expect(await queryApp(`SELECT 1 FROM "ParticipantSkill" WHERE "participantId" = $1 AND "skillId" = $2`, [id, skill!.id])).toHaveLength(1);
    const page = await (await coordinator.get(location)).text();
    expect(page).toContain("Salarié créé.");
    expect(page).toContain("Yonas T.");
    const [entry] = await queryApp<{ details: unknown; entityId: string }>(`SELECT details, "entityId" FROM "AuditLog" WHERE action = 'worker.created' AND "entityId" = $1`, [id]);
    expect(entry!.entityId).toBe(id);
    expect(JSON.stringify(entry!.details)).not.toContain("Yonas");
  });
});

describe("creating an encadrant", () => {
  it("shows errors next to the fields, then creates one the planning can use", async () => {
    const bad = await admin.post("/people/encadrants/new", { firstName: "", lastName: "Martin", maxTeamSize: "30", weeklyMaxHours: "60" }, { from: "/people/encadrants/new" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(errorOf(html, "firstName")).toBe("Indiquez le prénom.");
    expect(errorOf(html, "maxTeamSize")).toBe("20 personnes au plus.");
    expect(errorOf(html, "weeklyMaxHours")).toBe("48 heures au plus (durée maximale du travail).");
    const ok = await admin.post("/people/encadrants/new", { firstName: "Inès", lastName: "Martin-Roux", maxTeamSize: "5", weeklyMaxHours: "35" }, { from: "/people/encadrants/new" });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/people?encadrant=cree");
    const [row] = await queryApp<{ maxTeamSize: number; weeklyMaxMinutes: number; windows: string }>(
      `SELECT s."maxTeamSize", s."weeklyMaxMinutes", (SELECT count(*) FROM "Availability" a WHERE a."supervisorId" = s.id)::text AS windows FROM "Supervisor" s WHERE "lastName" = 'Martin-Roux'`,
    );
    expect(row).toEqual({ maxTeamSize: 5, weeklyMaxMinutes: 2100, windows: "5" });
    expect((await (await admin.get("/people")).text()).replaceAll("<!-- -->", "")).toContain("Inès Martin-Roux");
  });
});

describe("who reaches the creation forms", () => {
  it.each([
    ["encadrant@conciergerie.example", 403],
    ["finance@conciergerie.example", 403],
    ["gare-de-lyon@sncf.example", 403],
  ])("%s gets %i and creates nobody", async (email, status) => {
    const client = await new HttpClient().login(email);
    expect((await client.get("/people/new")).status).toBe(status);
    expect((await client.get("/people/encadrants/new")).status).toBe(status);
    const csrf = await client.csrfFrom("/");
    const post = await client.post("/people/new", { firstName: "Intrus", lastInitial: "X", contractStart: today, contractEnd: inDays(30), weeklyTargetHours: "3", weeklyMaxHours: "16" }, { csrf });
    expect(post.status).toBe(status);
    expect(await queryApp(`SELECT 1 FROM "Participant" WHERE "firstName" = 'Intrus'`)).toHaveLength(0);
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const response = await new HttpClient().get("/people/new");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
  });

  it("shows the two creation buttons to coordination only, not to an encadrant", async () => {
    const people = await (await coordinator.get("/people")).text();
    expect(people).toContain('href="/people/new"');
    expect(people).toContain('href="/people/encadrants/new"');
    const encadrant = await new HttpClient().login("encadrant@conciergerie.example");
    expect(await (await encadrant.get("/people")).text()).not.toContain('href="/people/new"');
  });
});

describe("an encadrant's absence, from the people page", () => {
  it("names the missing field, records the dates, lists and removes them; partners and encadrants are refused", async () => {
    const bad = await coordinator.post("/people", { intent: "supervisor-absence", supervisorId: "", firstDay: inDays(3), lastDay: inDays(2) }, { from: "/people" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(errorOf(badHtml, "supervisorId")).toBe("Choisissez un encadrant.");
    expect(errorOf(badHtml, "lastDay")).toBe("Le dernier jour suit le premier.");

    const [supervisor] = await queryApp<{ id: string; firstName: string }>(`SELECT id, "firstName" FROM "Supervisor" WHERE active ORDER BY "firstName" LIMIT 1`);
    const firstDay = inDays(200); // far from the demo's interventions: nothing to re-plan
    const ok = await coordinator.post("/people", { intent: "supervisor-absence", supervisorId: supervisor!.id, firstDay, lastDay: firstDay }, { from: "/people" });
    expect(ok.status).toBe(200);
    const html = await ok.text();
    expect(html).toContain("Absence enregistrée.");
    const [absence] = await queryApp<{ id: string }>(`SELECT id FROM "Absence" WHERE "supervisorId" = $1 AND "startsAt" > now() + interval '150 days'`, [supervisor!.id]);
    expect(absence).toBeDefined();
    const list = await (await coordinator.get("/people")).text();
    expect(list).toContain(`${supervisor!.firstName} `);
    expect(list).toContain(`value="${absence!.id}"`);
    const audited = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'supervisor.absence_added' AND "entityId" = $1`, [supervisor!.id]);
    expect(audited).toHaveLength(1);

    for (const email of ["gare-de-lyon@sncf.example", "encadrant@conciergerie.example"]) {
      const other = await new HttpClient().login(email);
      const refused = await other.post("/people", { intent: "remove-supervisor-absence", absenceId: absence!.id }, { from: "/" });
      expect(refused.status).toBe(403);
    }
    const removed = await admin.post("/people", { intent: "remove-supervisor-absence", absenceId: absence!.id }, { from: "/people" });
    expect(removed.status).toBe(200);
    expect(await queryApp(`SELECT 1 FROM "Absence" WHERE id = $1`, [absence!.id])).toHaveLength(0);
  });
});
