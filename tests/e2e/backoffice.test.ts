import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe("the back office in Chromium", () => {
  it("an admin reads the dashboard, creates a partner with a site, fixes a SIRET error on the way", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.getByRole("link", { name: "Administration", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
    await page.getByText("Base de données (PostgreSQL)").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin-dashboard");

    await page.getByRole("link", { name: "Partenaires", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Partenaires" }).waitFor();
    await page.getByLabel("Nom", { exact: true }).fill("Gare du Nord");
    await page.getByLabel("SIRET").fill("732 829 320 00075");
    await page.getByLabel("E-mail de facturation").fill("factures@gdn.example");
    await page.getByRole("button", { name: "Créer le partenaire" }).click();
    await page.getByText("Ce SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle).").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin-partners-error");
    await page.getByLabel("SIRET").fill("732 829 320 00074");
    await page.getByRole("button", { name: "Créer le partenaire" }).click();
    await page.getByRole("heading", { level: 1, name: "Gare du Nord" }).waitFor();
    await page.getByLabel("Nom du site").fill("Hall 1");
    await page.getByLabel("Adresse", { exact: true }).fill("18 rue de Dunkerque");
    await page.getByLabel("Code postal").fill("75010");
    await page.getByLabel("Ville").fill("Paris");
    await page.getByRole("button", { name: "Ajouter le site" }).click();
    await page.getByText("Site « Hall 1 » ajouté.").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin-partner");
    await context.close();
  }, 120_000);

  it("an admin sets a new price from today and reads it in the price history", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.goto("/admin/catalogue");
    await expectAccessible(page);
    await screenshot(page, "admin-catalogue");
    await page.getByRole("table").getByRole("link").first().click();
    await page.getByLabel("Nouveau prix HT (€)").fill("27,40");
    await page.getByRole("button", { name: "Enregistrer le nouveau prix" }).click();
    await page.getByText(/Nouveau prix de 27,40/).waitFor();
    await page
      .getByRole("cell", { name: /^27,40\s€$/ })
      .first()
      .waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin-prestation");
    await context.close();
  }, 120_000);

  it("an admin meets a French error on the rules, filters the audit log, sees people's data", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.goto("/admin/rules");
    await page.getByLabel("Heures avant l'intervention").fill("900");
    await page.getByRole("button", { name: "Enregistrer" }).nth(1).click();
    await page.getByText("Le délai d'annulation ne peut pas dépasser 30 jours (720 heures).").waitFor();
    await expectAccessible(page);
    await screenshot(page, "admin-rules");

    await page.goto("/admin/audit");
    // Actions are chosen and read in French; the code stays in the address only.
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "Nouveau prix" });
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.waitForURL(/action=prestation.price_changed/);
    await expect(page.getByRole("cell", { name: "Nouveau prix", exact: true }).first().isVisible()).resolves.toBe(true);
    expect(await page.locator("main").innerText()).not.toContain("prestation.price_changed");
    await expectAccessible(page);
    await screenshot(page, "admin-audit");

    await page.goto("/admin/workers");
    await expectAccessible(page);
    await screenshot(page, "admin-workers");
    await context.close();
  }, 120_000);

  it("every back office page fits a 360 px phone", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "admin@conciergerie.example");
    for (const path of ["/admin", "/admin/partners", "/admin/catalogue", "/admin/rules", "/admin/audit", "/admin/workers"]) {
      await page.goto(path);
      await expectNoHorizontalScroll(page);
    }
    await page.goto("/admin/partners");
    await page.getByRole("table").getByRole("link", { name: /SNCF/ }).click();
    await page.getByRole("heading", { level: 1, name: /SNCF/ }).waitFor();
    await expectNoHorizontalScroll(page);
    await screenshot(page, "admin-partner-phone");
    await page.goto("/admin/rules");
    await screenshot(page, "admin-rules-phone");
    await page.goto("/admin");
    await screenshot(page, "admin-dashboard-phone");
    await context.close();
  }, 120_000);

  it("a coordinator manages sites and rules, not the catalogue", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "coordination@conciergerie.example");
    await page.getByRole("link", { name: "Partenaires" }).click();
    await page.getByRole("heading", { level: 1, name: "Partenaires" }).waitFor();
    await expect(page.getByRole("button", { name: "Créer le partenaire" }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Règles" }).click();
    await page.getByRole("heading", { level: 1, name: "Règles du service" }).waitFor();
    await expectAccessible(page);
    const response = await page.goto("/admin/catalogue");
    expect(response?.status()).toBe(403);
    await context.close();
  }, 120_000);
});
