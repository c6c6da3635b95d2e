import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe("a partner in Chromium", () => {
  it("signs in, sees home, their requests and a request's detail, all accessible", async () => {
    const { page, context } = await newPage(browser);
    await page.goto("/requests");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/login");
    await expectAccessible(page);
    await screenshot(page, "login");
    await signIn(page, "gare-de-lyon@sncf.example");
    // Back where they wanted to go.
    await expect.poll(() => new URL(page.url()).pathname).toBe("/requests");
    await page.getByRole("link", { name: "Accueil" }).click();
    await page.getByRole("heading", { level: 1, name: /^Bonjour Julien/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "home-partner");

    await page.getByRole("link", { name: "Mes demandes" }).click();
    await page.getByRole("heading", { name: "Mes demandes" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "requests-partner");
    const firstReference = page.getByRole("table").getByRole("link").first();
    const reference = (await firstReference.textContent())!;
    expect(reference).toMatch(/^DEM-\d{4}-\d{5}$/);
    await firstReference.click();
    await page.getByRole("heading", { name: new RegExp(reference) }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "request-detail");

    await page.getByRole("link", { name: "Catalogue" }).click();
    await page.getByRole("heading", { name: "Catalogue des prestations" }).waitFor();
    await expectAccessible(page);
    await context.close();
  });

  it("filters the list by status", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "agent@sncf.example");
    await page.goto("/requests");
    // Upcoming dates: other test files (an invoice run) change past ones in this shared database.
    await page.getByLabel("Statut").selectOption({ label: "Planifiée" });
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.waitForURL(/status=SCHEDULED/);
    await page.getByRole("table").locator(".badge").first().waitFor();
    const badges = await page.getByRole("table").locator(".badge").allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    await context.close();
  });

  it("invites a colleague who accepts by the emailed link and lands in the same organisation", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "contact@monjardinchocolate.example");
    await page.getByRole("link", { name: "Mon équipe" }).click();
    await expectAccessible(page);
    await page.getByLabel("Nom").fill("Léa Fontaine");
    await page.getByLabel("Adresse e-mail").fill("lea@monjardinchocolate.example");
    await page.getByLabel("Rôle").selectOption({ label: "Partenaire" });
    await page.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await page.getByText("Invitation envoyée à lea@monjardinchocolate.example.").waitFor();
    await screenshot(page, "team");
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(/\/login/);

    // The mail went through the outbox and the worker; the demo mailbox (staff only) shows it.
    const staff = await newPage(browser);
    await signIn(staff.page, "admin@conciergerie.example");
    await staff.page.goto("/mailbox");
    await expectAccessible(staff.page);
    await staff.page.getByRole("link", { name: "Votre invitation à La Conciergerie Solidaire" }).first().click();
    await staff.page.getByText("lea@monjardinchocolate.example", { exact: false }).first().waitFor();
    const link = await staff.page
      .getByRole("link", { name: /\/invitations\// })
      .first()
      .getAttribute("href");
    await staff.context.close();
    await page.goto(link!);
    await page.getByRole("heading", { name: "Bienvenue" }).waitFor();
    await expectAccessible(page);
    await page.getByLabel("Choisissez un mot de passe").fill("court");
    await page.getByLabel("Confirmez le mot de passe").fill("court");
    await page.getByRole("button", { name: "Créer mon compte" }).click();
    await page.getByText("Au moins 12 caractères, par exemple trois mots séparés par des tirets.").last().waitFor();
    await page.getByLabel("Choisissez un mot de passe").fill("cacao-praline-ganache");
    await page.getByLabel("Confirmez le mot de passe").fill("cacao-praline-ganache");
    await page.getByRole("button", { name: "Créer mon compte" }).click();
    await page.getByRole("heading", { name: "Bonjour Léa" }).waitFor();
    await expect(page.getByText("Mon Jardin Chocolaté").first().isVisible()).resolves.toBe(true);
    await context.close();
  });
});

describe("staff in Chromium", () => {
  it("an admin reads the audit log and the teams, accessible", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.getByRole("link", { name: "Journal" }).click();
    await page.getByRole("heading", { name: "Journal d'audit" }).waitFor();
    await expect(page.getByRole("cell", { name: "Connexion", exact: true }).first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, "audit");
    await page.getByRole("link", { name: "Équipes" }).click();
    await page.getByRole("heading", { name: "Encadrants techniques" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "people");
    await page.getByRole("link", { name: "Utilisateurs" }).click();
    await page.getByRole("heading", { level: 1, name: "Utilisateurs" }).waitFor(); // axe on the new page, not mid-navigation
    await expectAccessible(page);
    await context.close();
  });
});

describe("on a phone (360 px)", () => {
  it("every main page fits the screen", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await page.goto("/login");
    await expectNoHorizontalScroll(page);
    await signIn(page, "coordination@conciergerie.example");
    for (const path of ["/", "/requests", "/catalogue", "/people"]) {
      await page.goto(path);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
    }
    await screenshot(page, "people-phone");
    await page.goto("/requests");
    await screenshot(page, "requests-phone");
    await context.close();
  });
});
