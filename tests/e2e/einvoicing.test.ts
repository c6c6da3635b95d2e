import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryApp } from "../support/http-client.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

// The e-invoicing screens in Chromium: finance's month of Factur-X documents
// (generated with a progress bar), an invoice's document, a draft that cannot be
// issued and why, and the partner's list with its downloads; desktop and phone.
let browser: Browser;
let month: string;
let draftId: string;
beforeAll(async () => {
  browser = await launchBrowser();
  const [row] = await queryApp<{ month: string }>(
    `SELECT to_char(max("issuedAt") AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month FROM "Invoice" i JOIN "Organisation" o ON o.id = i."organisationId" WHERE o.slug = 'sncf-gares-connexions' AND i.number IS NOT NULL`,
  );
  month = row!.month;
  // A partner created without its SIRET, with a draft: it cannot be issued.
  const [org] = await queryApp<{ id: string }>(
    `INSERT INTO "Organisation" (id, kind, name, slug, "billingAddress", "updatedAt") VALUES ('e2e-einv-org', 'PARTNER', 'Traiteur sans SIRET', 'traiteur-sans-siret-e2e', '3 rue des Tests, 75010 Paris', now())
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
  );
  const [draft] = await queryApp<{ id: string }>(
    `INSERT INTO "Invoice" (id, "organisationId", kind, status, "periodStart", "periodEnd", provider, "totalExclVatCents", "vatCents", "totalInclVatCents", "updatedAt")
     VALUES ('e2e-einv-draft', $1, 'INVOICE', 'DRAFT', '2020-01-01', '2020-01-31', 'pending', 10000, 2000, 12000, now()) ON CONFLICT (id) DO UPDATE SET status = 'DRAFT' RETURNING id`,
    [org!.id],
  );
  draftId = draft!.id;
  await queryApp(
    `INSERT INTO "InvoiceLine" (id, "invoiceId", description, quantity, "unitPriceCents", "vatRateBasisPoints", "amountExclVatCents", "vatCents") VALUES ('e2e-einv-line', $1, 'Forfait de test', 1, 10000, 2000, 10000, 2000) ON CONFLICT (id) DO NOTHING`,
    [draftId],
  );
});
afterAll(async () => browser?.close());

describe("e-invoicing in Chromium", () => {
  it("finance generates a month's Factur-X documents with a progress bar and sees them to transmit", { timeout: 120_000 }, async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "finance@conciergerie.example");
    await page.goto("/finance");
    await page.getByRole("link", { name: "Factures électroniques" }).click();
    await page.getByRole("heading", { level: 1, name: "Factures électroniques" }).waitFor();
    await page.getByLabel("Mois", { exact: true }).selectOption(month);
    await page.getByRole("button", { name: "Afficher" }).click();
    await page.waitForURL((url) => url.searchParams.get("month") === month);
    const generate = page.getByRole("button", { name: /^Générer (le document manquant|les \d+ documents manquants)$/ });
    if (await generate.count()) {
      await generate.click();
      await page.getByText(/documents? générés?/).waitFor({ timeout: 60_000 });
      await screenshot(page, "einvoicing-run");
      await page.reload();
    }
    // Sent to the accredited-platform double as soon as generated: each row shows where it stands there.
    await page
      .getByRole("table")
      .getByText(/^(Déposée|Approuvée|En file d'envoi vers la plateforme|Envoyée à la plateforme|Acceptée par la plateforme.*)$/)
      .first()
      .waitFor();
    await expect(page.getByRole("link", { name: /^Exporter le ZIP d(e |')/ }).getAttribute("href")).resolves.toBe(`/finance/documents.zip?month=${month}`);
    await expectAccessible(page);
    await screenshot(page, "einvoicing-month");

    // An issued invoice shows its document; a draft missing a mandatory field says which.
    await page
      .getByRole("table")
      .getByRole("link", { name: /^F\d{4}-\d{5}$/ })
      .first()
      .waitFor();
    const [issued] = await queryApp<{ id: string }>(`SELECT "invoiceId" AS id FROM "InvoiceDocument" WHERE kind = 'INVOICE' AND "invoiceId" IS NOT NULL ORDER BY number DESC LIMIT 1`);
    await page.goto(`/finance/invoices/${issued!.id}`);
    await page.getByRole("heading", { name: "Facture électronique (Factur-X)" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "einvoicing-invoice");
    await page.goto(`/finance/invoices/${draftId}`);
    await page.getByText("Partenaire Traiteur sans SIRET : SIRET manquant").waitFor();
    await expectAccessible(page);
    await screenshot(page, "einvoicing-draft-blocked");
    await context.close();
  });

  it("the back office refuses keeping documents less than 10 years, next to the field", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.goto("/admin/rules");
    const card = page.getByRole("region", { name: "Conservation des factures électroniques" });
    await card.getByLabel("Années de conservation").fill("9");
    await card.getByRole("button", { name: "Enregistrer" }).click();
    await card.getByText("10 ans au moins.").waitFor();
    await expectAccessible(page);
    await card.screenshot({ path: "test-results/screenshots/einvoicing-retention-refused.png" });
    await page.getByRole("region", { name: "Exigibilité de la TVA" }).getByLabel("TVA sur les encaissements").waitFor();
    await context.close();
  });

  it("the back office refuses an IBAN with a wrong key next to the field, on a phone", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "admin@conciergerie.example");
    await page.goto("/admin/rules");
    const card = page.getByRole("region", { name: "Compte bancaire de l'association" });
    await card.getByLabel("IBAN").fill("FR76 3000 6000 0112 3456 7890 188");
    await card.getByRole("button", { name: "Enregistrer" }).click();
    await card.getByText("IBAN invalide : la clé de contrôle ne correspond pas.").waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    await card.screenshot({ path: "test-results/screenshots/einvoicing-iban-refused-phone.png" });
    await context.close();
  });

  it("fits a phone, for finance and for the partner's downloads", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "finance@conciergerie.example");
    await page.goto(`/finance/documents?month=${month}`);
    await expectNoHorizontalScroll(page);
    await screenshot(page, "einvoicing-month-phone");
    await context.close();
    const partner = await newPage(browser, { width: 360 });
    await signIn(partner.page, "gare-de-lyon@sncf.example");
    await partner.page.goto("/invoices");
    await partner.page
      .getByRole("link", { name: /^Facture F\d{4}-\d{5} \(PDF Factur-X\)$/ })
      .first()
      .waitFor();
    await expectNoHorizontalScroll(partner.page);
    await expectAccessible(partner.page);
    await screenshot(partner.page, "einvoicing-partner-phone");
    await partner.context.close();
  });
});
