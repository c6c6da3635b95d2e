import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ACTION_LABELS } from "~/domain/backoffice/audit-labels.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { decodeEntities } from "../support/invitations.ts";

// The back office over HTTP: bad input gets a 400 with a French message next
// to its field (never a 500), and each role reaches only what it may.

let admin: HttpClient;
let coordinator: HttpClient;
let sncf: { id: string };
let prestation: { id: string; name: string };

beforeAll(async () => {
  admin = await new HttpClient().login("admin@conciergerie.example");
  coordinator = await new HttpClient().login("coordination@conciergerie.example");
  [sncf] = (await queryApp<{ id: string }>(`SELECT id FROM "Organisation" WHERE name LIKE 'SNCF%' LIMIT 1`)) as [{ id: string }];
  [prestation] = (await queryApp<{ id: string; name: string }>(`SELECT id, name FROM "Prestation" ORDER BY name LIMIT 1`)) as [{ id: string; name: string }];
});

const partnerFields = { name: "Partenaire HTTP", kind: "PARTNER", siret: "73282932000075", billingEmail: "factures@http.example", paymentTermsDays: "30" };

describe("back office forms over HTTP", () => {
  it("answers a SIRET failing Luhn with a 400 and the French message next to the field", async () => {
    const response = await admin.post("/admin/partners?index", partnerFields, { from: "/admin/partners" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Ce SIRET n&#x27;est pas valide");
  });

  it("creates a partner then lands on its page", async () => {
    const response = await admin.post("/admin/partners?index", { ...partnerFields, siret: "73282932000074" }, { from: "/admin/partners" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/admin\/partners\/[^/?]+\?created=1$/);
  });

  it("answers a negative price, a VAT rate of 150 % and a duplicate name with French messages", async () => {
    const [skill] = await queryApp<{ id: string }>(`SELECT id FROM "Skill" LIMIT 1`);
    const fields = {
      category: "Nettoyage",
      name: prestation.name,
      description: "L'équipe nettoie le site.",
      skillId: skill!.id,
      pricingUnit: "FLAT",
      price: "-5",
      vatMode: "rate",
      vatRate: "150",
      minNoticeDays: "2",
      defaultDurationMinutes: "120",
      defaultTeamSize: "2",
    };
    const bad = await admin.post("/admin/catalogue?index", fields, { from: "/admin/catalogue" });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(badText).toContain("Le prix doit être positif.");
    expect(badText).toContain("Le taux de TVA est compris entre 0 et 100 %.");
    const duplicate = await admin.post("/admin/catalogue?index", { ...fields, price: "24,50", vatRate: "20" }, { from: "/admin/catalogue" });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.text()).toContain("Une prestation porte déjà ce nom");
  });

  it("refuses a price dated in the past", async () => {
    const response = await admin.post(`/admin/catalogue/${prestation.id}`, { intent: "price", price: "30", validFrom: "2020-01-01" }, { from: `/admin/catalogue/${prestation.id}` });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("le passé ne change pas");
  });

  it("refuses a cancellation deadline over 30 days and opening hours that end before they start", async () => {
    const deadline = await coordinator.post("/admin/rules", { intent: "cancellationDeadlineHours", value: "1000" }, { from: "/admin/rules" });
    expect(deadline.status).toBe(400);
    expect(await deadline.text()).toContain("ne peut pas dépasser 30 jours");
    const hours = await coordinator.post("/admin/rules", { intent: "openingHours", day1: "on", from: "18:00", to: "09:00" }, { from: "/admin/rules" });
    expect(hours.status).toBe(400);
    expect(await hours.text()).toContain("L&#x27;heure de fermeture doit suivre l&#x27;heure d&#x27;ouverture.");
    const ok = await coordinator.post("/admin/rules", { intent: "cancellationDeadlineHours", value: "72" }, { from: "/admin/rules" });
    expect(ok.status).toBe(200);
    const [rule] = await queryApp<{ value: number }>(`SELECT value FROM "ServiceSetting" WHERE key = 'cancellationDeadlineHours'`);
    expect(rule?.value).toBe(72);
    await coordinator.post("/admin/rules", { intent: "cancellationDeadlineHours", value: "48" }, { from: "/admin/rules" });
  });

  it("links the coordinator's home card of requests to validate to those requests", async () => {
    // The demo has requests waiting for validation.
    const [{ count }] = (await queryApp<{ count: string }>(`SELECT count(*) FROM "Intervention" WHERE status = 'SUBMITTED'`)) as [{ count: string }];
    expect(Number(count)).toBeGreaterThan(0);
    const html = await (await coordinator.get("/")).text();
    expect(html).toContain('href="/requests?status=SUBMITTED"');
  });

  it("sets the field hours rules (arrival window, gap alerted) and refuses a negative window", async () => {
    const bad = await coordinator.post("/admin/rules", { intent: "fieldHours", checkInEarlyMinutes: "-5", varianceAlertMinutes: "15" }, { from: "/admin/rules" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("0 minutes au moins.");
    const ok = await coordinator.post("/admin/rules", { intent: "fieldHours", checkInEarlyMinutes: "45", varianceAlertMinutes: "20" }, { from: "/admin/rules" });
    expect(ok.status).toBe(200);
    const [row] = await queryApp<{ value: unknown }>(`SELECT value FROM "ServiceSetting" WHERE key = 'fieldHours'`);
    expect(row!.value).toEqual({ checkInEarlyMinutes: 45, varianceAlertMinutes: 20 });
    await coordinator.post("/admin/rules", { intent: "fieldHours", checkInEarlyMinutes: "60", varianceAlertMinutes: "15" }, { from: "/admin/rules" });
  });

  it("says on the rules page when a stored rule is refused and its default applies instead, until it is saved again", async () => {
    // Written by hand or by an older version: 3 years is below the legal 10.
    await queryApp(`INSERT INTO "ServiceSetting" (key, value, "updatedAt") VALUES ('einvoiceRetentionYears', '3', now()) ON CONFLICT (key) DO UPDATE SET value = '3'`);
    try {
      const page = await (await admin.get("/admin/rules")).text();
      expect(page).toContain("Cette règle enregistrée n&#x27;est pas valide : « Conservation des factures électroniques ». Sa valeur par défaut s&#x27;applique à sa place");
    } finally {
      await queryApp(`DELETE FROM "ServiceSetting" WHERE key = 'einvoiceRetentionYears'`);
    }
    expect(await (await admin.get("/admin/rules")).text()).not.toContain("n&#x27;est pas valide");
  });

  it("keeps the service's phone in the service rules: partners see it, a bad number gets a French message, none set shows nothing made up", async () => {
    const partner = await new HttpClient().login("contact@monjardinchocolate.example");
    const [serviceRequest] = await queryApp<{ id: string }>(
      `SELECT r.id FROM "ServiceRequest" r JOIN "Organisation" o ON o.id = r."organisationId" WHERE o.name LIKE 'Mon Jardin%' ORDER BY r."createdAt" LIMIT 1`,
    );
    const requestPage = async (who: HttpClient) => decodeEntities(await (await who.get(`/requests/${serviceRequest!.id}`)).text());
    // The demo's contact, set by the seed.
    expect(await requestPage(partner)).toContain("appelez la coordination au 01 99 00 42 17 ou écrivez-lui à coordination@conciergerie.example.");
    // Coordination is not told to call itself.
    expect(await requestPage(coordinator)).not.toMatch(/ppelez la coordination/);

    const bad = await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "01 23", email: "" }, { from: "/admin/rules" });
    expect(bad.status).toBe(400);
    expect(decodeEntities(await bad.text())).toContain("Ce numéro de téléphone n'est pas valide");
    const placeholder = await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "01 00 00 00 00", email: "" }, { from: "/admin/rules" });
    expect(placeholder.status).toBe(400);
    const badEmail = await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "", email: "pas-une-adresse" }, { from: "/admin/rules" });
    expect(badEmail.status).toBe(400);
    expect(decodeEntities(await badEmail.text())).toContain("Cette adresse e-mail n'est pas valide.");

    const ok = await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "0142785523", email: "" }, { from: "/admin/rules" });
    expect(ok.status).toBe(200);
    const [row] = await queryApp<{ value: unknown }>(`SELECT value FROM "ServiceSetting" WHERE key = 'serviceContact'`);
    expect(row!.value).toEqual({ phone: "01 42 78 55 23", email: null });
    expect(await requestPage(partner)).toContain("appelez la coordination au 01 42 78 55 23.");

    const none = await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "", email: "" }, { from: "/admin/rules" });
    expect(none.status).toBe(200);
    const withNone = await requestPage(partner);
    expect(withNone).toContain("contactez la coordination.");
    expect(withNone).not.toMatch(/0\d( \d\d){4}/);

    await coordinator.post("/admin/rules", { intent: "serviceContact", phone: "01 99 00 42 17", email: "coordination@conciergerie.example" }, { from: "/admin/rules" });
  });

  it("keeps the association's bank account, refusing an IBAN whose key is wrong and a malformed BIC next to their fields", async () => {
    const page = await (await coordinator.get("/admin/rules")).text();
    expect(page).toContain("Compte bancaire de l&#x27;association");
    expect(page).toContain("FR76 3000 6000 0112 3456 7890 189"); // the demo's
    const bad = await coordinator.post(
      "/admin/rules",
      { intent: "sellerBankAccount", iban: "FR76 3000 6000 0112 3456 7890 188", bic: "AGRI", accountName: "Association Aurore" },
      { from: "/admin/rules" },
    );
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("IBAN invalide : la clé de contrôle ne correspond pas.");
    expect(text).toContain("BIC invalide : 8 ou 11 lettres et chiffres");
    const [kept] = await queryApp<{ value: { iban: string } }>(`SELECT value FROM "ServiceSetting" WHERE key = 'sellerBankAccount'`);
    expect(kept?.value.iban).toBe("FR7630006000011234567890189");
    const ok = await coordinator.post(
      "/admin/rules",
      { intent: "sellerBankAccount", iban: "fr14 2004 1010 0505 0001 3m02 606", bic: "psstfrppxxx", accountName: "Association Aurore" },
      { from: "/admin/rules" },
    );
    expect(ok.status).toBe(200);
    const [saved] = await queryApp<{ value: unknown }>(`SELECT value FROM "ServiceSetting" WHERE key = 'sellerBankAccount'`);
    expect(saved?.value).toEqual({ iban: "FR1420041010050500013M02606", bic: "PSSTFRPPXXX", accountName: "Association Aurore" });
    await coordinator.post("/admin/rules", { intent: "sellerBankAccount", iban: "FR7630006000011234567890189", bic: "AGRIFRPP", accountName: "Association Aurore" }, { from: "/admin/rules" });
  });

  it("lets a coordinator add a new skill, listed in the service rules", async () => {
    const response = await coordinator.post("/admin/rules", { intent: "skill", code: "tri-textile-http", label: "Tri textile (HTTP)" }, { from: "/admin/rules" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Compétence « Tri textile (HTTP) » enregistrée.");
    const rows = await queryApp<{ label: string }>(`SELECT label FROM "Skill" WHERE code = 'tri-textile-http'`);
    expect(rows).toEqual([{ label: "Tri textile (HTTP)" }]);
  });

  it("lets a coordinator add a site but not edit the partner itself", async () => {
    const site = await coordinator.post(
      `/admin/partners/${sncf.id}`,
      { intent: "site-create", name: "Gare d'Austerlitz", address: "85 quai d'Austerlitz", postalCode: "75013", city: "Paris" },
      { from: `/admin/partners/${sncf.id}` },
    );
    expect(site.status).toBe(200);
    const badSite = await coordinator.post(`/admin/partners/${sncf.id}`, { intent: "site-create", name: "X", address: "Y", postalCode: "750", city: "Paris" }, { from: `/admin/partners/${sncf.id}` });
    expect(badSite.status).toBe(400);
    expect(await badSite.text()).toContain("Un code postal compte 5 chiffres.");
    const edit = await coordinator.post(`/admin/partners/${sncf.id}`, { intent: "archive" }, { from: `/admin/partners/${sncf.id}` });
    expect(edit.status).toBe(403);
  });
});

describe("audit export and people's data", () => {
  it("shows every audit action in French, never its code", async () => {
    // The seed and these tests wrote sign-ins, a partner, an invoice void if any: whatever is there reads in French.
    const [row] = await queryApp<{ action: string }>(`SELECT action FROM "AuditLog" WHERE action = 'auth.login' LIMIT 1`);
    expect(row?.action).toBe("auth.login");
    const html = await (await admin.get("/admin/audit")).text();
    const shown = html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]*>/g, " ");
    expect(shown).toContain("Connexion");
    const leaked = Object.keys(AUDIT_ACTION_LABELS).filter((code) => shown.includes(code));
    expect(leaked).toEqual([]);
  });

  it("exports the filtered audit log as CSV, and audits the export", async () => {
    const response = await admin.get("/admin/audit.csv?action=auth.login");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    const text = await response.text();
    expect(text.split("\r\n")[0]).toContain("date;personne");
    expect(text).toContain("auth.login");
    // Each action also in French, beside its code.
    expect(text).toContain("Connexion;auth.login");
    const logged = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'audit.exported'`);
    expect(logged.length).toBeGreaterThan(0);
  });

  it("says « les données d'Aminata », eliding de before a vowel", async () => {
    const [person] = await queryApp<{ firstName: string; lastInitial: string }>(
      `SELECT "firstName", "lastInitial" FROM "Participant" WHERE "anonymisedAt" IS NULL AND "firstName" ~ '^[AEIOUÉ]' ORDER BY "firstName" LIMIT 1`,
    );
    const name = `${person!.firstName} ${person!.lastInitial}.`;
    // React separates text pieces with <!-- -->: read the text as shown.
    const page = decodeEntities((await (await admin.get("/admin/workers")).text()).replaceAll("<!-- -->", ""));
    expect(page).toContain(`les données d'${name}`);
    expect(page).not.toContain(`les données de ${name}`);
  });

  it("downloads one person's data as JSON", async () => {
    const [participant] = await queryApp<{ id: string }>(`SELECT id FROM "Participant" WHERE "anonymisedAt" IS NULL LIMIT 1`);
    const response = await admin.get(`/admin/workers/${participant!.id}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toContain("attachment");
    const data = (await response.json()) as { person: { id: string } };
    expect(data.person.id).toBe(participant!.id);
    expect((await admin.get("/admin/workers/nobody/export")).status).toBe(404);
  });

  it("answers a retry of an unknown job with a clear 409, never a 500", async () => {
    const retry = await admin.post("/admin?index", { intent: "retry", queue: "mail", jobId: "does-not-exist" }, { from: "/admin" });
    expect(retry.status).toBe(409);
    const bad = await admin.post("/admin?index", { intent: "retry", queue: "nope", jobId: "x" }, { from: "/admin" });
    expect(bad.status).toBe(400);
  });
});

describe("admin dashboard", () => {
  it("shows the database, Redis and the worker running (the worker's heartbeat is fresh)", async () => {
    await expect
      .poll(
        async () => {
          const html = await (await admin.get("/admin")).text();
          return (html.match(/En marche/g) ?? []).length;
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toBe(3);
  });
});
