import type { Browser } from "playwright-core";
import { queryApp } from "../support/http-client.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe("finance in Chromium", () => {
  it("prepares last month's drafts with a progress bar, previews one, issues them, and records a transfer", { timeout: 180_000 }, async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "finance@conciergerie.example");
    await page.getByRole("link", { name: "Facturation" }).click();
    await page.getByRole("heading", { level: 1, name: "Facturation" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "finance-dashboard");

    await page.getByRole("button", { name: "Préparer les brouillons" }).click();
    await page.getByText(/brouillons? prêts? à vérifier/).waitFor({ timeout: 30_000 });
    await expectAccessible(page);
    await screenshot(page, "finance-run-prepared");

    await page.getByRole("link", { name: "Voir les factures" }).click();
    await page.getByRole("heading", { name: "Aperçu des brouillons" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "finance-drafts");
    await page.getByRole("table").getByRole("link").first().click();
    await page.getByText("Brouillon : rien n'a été envoyé.").waitFor();
    await expectAccessible(page);
    await screenshot(page, "finance-draft-preview");

    await page.goto("/finance");
    await page.getByRole("button", { name: "Émettre et envoyer les brouillons" }).click();
    await page.getByText(/factures? émises? et envoyées?/).waitFor({ timeout: 30_000 });

    // An issued, unpaid invoice: a transfer received outside Stripe settles it.
    await page.goto("/finance/invoices?status=OPEN");
    await page
      .getByRole("table")
      .getByRole("link", { name: /^F\d{4}-\d{5}$/ })
      .first()
      .click();
    await page.getByRole("heading", { name: /^Facture F\d{4}-\d{5}$/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "finance-invoice");
    await page.getByLabel("Référence du virement").fill("VIR-E2E-001");
    await page.getByRole("button", { name: "Enregistrer le virement" }).click();
    await page.getByText("Virement enregistré : la facture est payée.").waitFor();
    await expect(page.getByText("Payée").first().isVisible()).resolves.toBe(true);
    await context.close();
  });

  it("refuses an empty credit note reason with a French message next to the field", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "admin@conciergerie.example");
    await page.goto("/finance/invoices?status=PAID");
    await page.getByRole("table").getByRole("link").first().click();
    await page.getByLabel("Montant de l'avoir TTC (€)").fill("abc");
    await page.getByRole("button", { name: "Émettre l'avoir" }).click();
    await page.getByText("Un montant en euros, par exemple 120,50.").waitFor();
    await expectAccessible(page);
    await context.close();
  });
});

describe("a partner in Chromium", () => {
  it("sees its own invoices with their status and the link to pay", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "gare-de-lyon@sncf.example");
    await page.getByRole("link", { name: "Mes factures" }).click();
    await page.getByRole("heading", { name: "Mes factures" }).waitFor();
    const rows = await page.getByRole("table").getByRole("row").count();
    expect(rows).toBeGreaterThan(1);
    await expectAccessible(page);
    await page.getByRole("columnheader", { name: "Reste à payer" }).waitFor();
    await screenshot(page, "partner-invoices");
    // Each invoice opens on its page: what it bills, what was received, what is still due.
    await page.getByRole("table").getByRole("row").nth(1).getByRole("link").first().click();
    await page.getByRole("region", { name: "À régler" }).getByText("Reste à payer").waitFor();
    await expectAccessible(page);
    await screenshot(page, "partner-invoice");
    await context.close();
  });
});

describe("finance on a phone (360 px)", () => {
  it("the finance pages and the partner's invoices fit the screen", async () => {
    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "finance@conciergerie.example");
    for (const path of ["/finance", "/finance/invoices"]) {
      await page.goto(path);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
    }
    await screenshot(page, "finance-invoices-phone");
    await page.goto("/finance");
    await screenshot(page, "finance-phone");
    await context.close();
    const partner = await newPage(browser, { width: 360 });
    await signIn(partner.page, "agent@sncf.example");
    await partner.page.goto("/invoices");
    await expectNoHorizontalScroll(partner.page);
    await screenshot(partner.page, "partner-invoices-phone");
    await partner.page.getByRole("table").getByRole("row").nth(1).getByRole("link").first().click();
    await partner.page.getByRole("region", { name: "À régler" }).waitFor();
    await expectNoHorizontalScroll(partner.page);
    await screenshot(partner.page, "partner-invoice-phone");
    await partner.context.close();
    // The void form, opened on a phone: the reason and the confirmation fit the screen.
    const [open] = await queryApp<{ id: string }>(`SELECT id FROM "Invoice" WHERE status = 'OPEN' AND kind = 'INVOICE' ORDER BY "issuedAt" LIMIT 1`);
    const financePhone = await newPage(browser, { width: 360 });
    await signIn(financePhone.page, "finance@conciergerie.example");
    await financePhone.page.goto(`/finance/invoices/${open!.id}`);
    await financePhone.page.getByText("Annuler la facture…").click();
    await financePhone.page.getByLabel("Motif de l'annulation (communiqué au partenaire)").waitFor();
    await expectNoHorizontalScroll(financePhone.page);
    await screenshot(financePhone.page, "finance-invoice-void-dialog-phone");
    await financePhone.context.close();
  });
});
