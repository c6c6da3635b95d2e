import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryApp } from "../support/http-client.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

// A partner contests an intervention's hours from its page, finance settles
// the dispute on its screen, the partner reads the outcome: in Chromium.
let browser: Browser;
let target: { requestId: string; interventionId: string; email: string; partner: string };
beforeAll(async () => {
  browser = await launchBrowser();
  // A done intervention of this month or the last (still in the contest window), not billed, with hours recorded.
  const [row] = await queryApp<{ requestId: string; interventionId: string; email: string; partner: string }>(
    `SELECT i."requestId", i.id AS "interventionId", u.email, o.name AS partner
     FROM "Intervention" i JOIN "Organisation" o ON o.id = i."organisationId"
     JOIN "Membership" m ON m."organisationId" = o.id AND m.role = 'PARTNER_ADMIN' JOIN "User" u ON u.id = m."userId"
     WHERE i.status = 'DONE' AND o.kind = 'PARTNER' AND i."startsAt" >= date_trunc('month', now() - interval '4 days') AND i."startsAt" < now()
       AND NOT EXISTS (SELECT 1 FROM "BillingClaim" c WHERE c."interventionId" = i.id)
       AND NOT EXISTS (SELECT 1 FROM "Dispute" d WHERE d."interventionId" = i.id)
       AND EXISTS (SELECT 1 FROM "TimeEntry" t WHERE t."interventionId" = i.id AND NOT t.absent)
     ORDER BY i."startsAt" DESC, u.email LIMIT 1`,
  );
  target = row!;
});
afterAll(async () => browser?.close());

const REASON = "L'équipe est repartie vers 11 h, nous contestons la dernière heure.";

describe("contested hours in Chromium", () => {
  it("the partner contests, finance settles with a corrected figure, the partner reads the outcome", { timeout: 120_000 }, async () => {
    expect(target, "a done, unbilled intervention in the contest window").toBeDefined();
    const partner = await newPage(browser);
    await signIn(partner.page, target.email);
    await partner.page.goto(`/requests/${target.requestId}`);
    await partner.page
      .getByRole("link", { name: /^Heures réalisées le / })
      .first()
      .waitFor();
    await partner.page.goto(`/requests/${target.requestId}/interventions/${target.interventionId}`);
    await partner.page.getByRole("heading", { name: "Heures réalisées" }).waitFor();
    // An empty reason: a French message next to the field.
    await partner.page.getByRole("button", { name: "Contester les heures" }).click();
    await partner.page.getByText("Dites-nous en une phrase ce qui ne correspond pas").waitFor();
    await partner.page.getByLabel("Ces heures ne correspondent pas ? Dites-nous pourquoi").fill(REASON);
    await partner.page.getByRole("button", { name: "Contester les heures" }).click();
    await partner.page.getByText("Contestation envoyée").waitFor();
    await partner.page.getByText("En cours d'examen").waitFor();
    await expectAccessible(partner.page);
    await screenshot(partner.page, "partner-dispute-open");

    const finance = await newPage(browser);
    await signIn(finance.page, "finance@conciergerie.example");
    await finance.page.goto("/finance");
    await finance.page.getByRole("link", { name: /^Contestations \(\d+\)$/ }).click();
    await finance.page.getByRole("heading", { level: 1, name: "Contestations d'heures" }).waitFor();
    const item = finance.page.getByRole("listitem").filter({ hasText: REASON });
    await item.getByText(target.partner).first().waitFor();
    await expectAccessible(finance.page);
    await screenshot(finance.page, "finance-disputes");
    // The same screen on a phone, the dispute still open.
    const phone = await newPage(browser, { width: 360 });
    await signIn(phone.page, "admin@conciergerie.example");
    await phone.page.goto("/finance/disputes");
    await phone.page.getByRole("listitem").filter({ hasText: REASON }).waitFor();
    await expectNoHorizontalScroll(phone.page);
    await screenshot(phone.page, "finance-disputes-phone");
    await phone.context.close();

    // No decision chosen, an unreadable figure: messages next to the fields.
    await item.getByLabel("Heures à facturer, si vous corrigez").fill("beaucoup");
    await item.getByRole("button", { name: "Régler la contestation" }).click();
    await item.getByText("Choisissez une décision").waitFor();
    await expectAccessible(finance.page);
    await item.getByLabel("Corriger les heures à facturer").check();
    await item.getByRole("button", { name: "Régler la contestation" }).click();
    await item.getByText("Indiquez les heures à facturer, par exemple 5 h 30 ou 5,5.").waitFor();
    await item.getByLabel("Heures à facturer, si vous corrigez").fill("1 h 30");
    await item.getByLabel("Réponse au partenaire").fill("Vu avec l'encadrant : nous facturons une heure et demie.");
    await item.getByRole("button", { name: "Régler la contestation" }).click();
    await finance.page.getByText("Contestation réglée : l'intervention entrera dans la prochaine préparation des brouillons.").waitFor();
    const decisions = finance.page.getByRole("region", { name: "Dernières décisions" });
    await decisions.getByText("Heures corrigées : 1 h 30").first().waitFor();
    await expect(finance.page.getByRole("listitem").filter({ hasText: REASON }).count()).resolves.toBe(0);
    await expectAccessible(finance.page);
    await screenshot(finance.page, "finance-disputes-settled");

    await partner.page.reload();
    await partner.page.getByText("Heures corrigées : 1 h 30 seront facturées").waitFor();
    await partner.page.getByText("Vu avec l'encadrant : nous facturons une heure et demie.").waitFor();
    await expectAccessible(partner.page);
    await screenshot(partner.page, "partner-dispute-settled");
    const [dispute] = await queryApp<{ outcome: string; correctedMinutes: number; settledById: string | null }>(
      `SELECT outcome, "correctedMinutes", "settledById" FROM "Dispute" WHERE "interventionId" = $1`,
      [target.interventionId],
    );
    expect(dispute).toMatchObject({ outcome: "CORRECT", correctedMinutes: 90 });
    expect(dispute!.settledById).toBeTruthy();
    await partner.context.close();
    await finance.context.close();
  });

  it("finance voids an issued invoice: it stays readable, and its interventions go on a new draft", { timeout: 150_000 }, async () => {
    const [invoice] = await queryApp<{ id: string; organisationId: string; month: string }>(
      `SELECT id, "organisationId", to_char("periodStart", 'YYYY-MM') AS month FROM "Invoice"
       WHERE status = 'OPEN' AND kind = 'INVOICE' AND "periodStart" >= date_trunc('month', now()) - interval '11 months'
       ORDER BY "issuedAt" DESC LIMIT 1`,
    );
    expect(invoice, "an issued, unpaid invoice of the last twelve months").toBeDefined();
    const { page, context } = await newPage(browser);
    await signIn(page, "finance@conciergerie.example");
    await page.goto(`/finance/invoices/${invoice!.id}`);
    // Nothing happens in one click: the form opens, asks for a reason and a confirmation.
    await page.getByText("Annuler la facture…").click();
    await page.getByLabel("Motif de l'annulation (communiqué au partenaire)").fill("Interventions facturées au mauvais partenaire");
    await expectAccessible(page);
    await screenshot(page, "finance-invoice-void-dialog");
    await page.getByRole("button", { name: "Annuler la facture" }).click();
    await page.getByText("Cochez la case pour confirmer l'annulation.").waitFor();
    await page.getByLabel(/Je confirme l'annulation de la facture/).check();
    await page.getByRole("button", { name: "Annuler la facture" }).click();
    await page.getByText(/annulée par l'avoir A\d{4}-\d{5} ; le partenaire est prévenu par e-mail/).waitFor();
    await page.getByText("(motif : Interventions facturées au mauvais partenaire) : elle reste consultable telle qu'elle a été émise.", { exact: false }).waitFor();
    await expectAccessible(page);

    await page.goto("/finance");
    await page.getByLabel("Mois", { exact: true }).selectOption(invoice!.month);
    await page.getByLabel("Partenaire", { exact: true }).selectOption(invoice!.organisationId);
    await page.getByRole("button", { name: "Préparer les brouillons" }).click();
    // The run's end, whatever it says, so that a wrong outcome is named in the failure rather than timed out.
    const run = page.getByRole("region", { name: "Préparation des brouillons" });
    await expect.poll(() => run.locator("label[for=run-progress]").textContent(), { timeout: 90_000, interval: 500 }).toBe("Terminé");
    await expect(run.getByRole("alert").or(run.getByRole("status")).first().textContent()).resolves.toMatch(/^1 brouillon prêt à vérifier/);
    // The page's own count follows the run's end, without a reload, in French.
    const [drafts] = await queryApp<{ n: number }>(`SELECT count(*)::int AS n FROM "Invoice" WHERE status = 'DRAFT'`);
    await page.getByText(new RegExp(`^${drafts!.n} ${drafts!.n > 1 ? "brouillons attendent" : "brouillon attend"} votre vérification`)).waitFor({ timeout: 10_000 });
    expect(await page.getByText("brouillon(s)").count()).toBe(0);
    await page.goto(`/finance/invoices/${invoice!.id}`);
    await page.getByText(/Déjà reprises \((\d+)\/\1\) sur/).waitFor();
    await expectAccessible(page);
    await screenshot(page, "finance-invoice-voided");
    await page.getByRole("link", { name: "un brouillon" }).click();
    await page.getByText("Brouillon : rien n'a été envoyé.").waitFor();
    const [counts] = await queryApp<{ voided: string; live: string }>(
      `SELECT count(*) FILTER (WHERE status = 'VOID') AS voided, count(*) FILTER (WHERE status <> 'VOID') AS live FROM "Invoice"
       WHERE "organisationId" = $1 AND to_char("periodStart", 'YYYY-MM') = $2`,
      [invoice!.organisationId, invoice!.month],
    );
    expect(counts).toEqual({ voided: "1", live: "1" });
    await context.close();
  });

  it("the settled list and the partner's intervention page fit a phone (360 px)", { timeout: 60_000 }, async () => {
    const finance = await newPage(browser, { width: 360 });
    await signIn(finance.page, "admin@conciergerie.example");
    await finance.page.goto("/finance/disputes");
    await finance.page.getByRole("heading", { level: 1, name: "Contestations d'heures" }).waitFor();
    await expectNoHorizontalScroll(finance.page);
    await expectAccessible(finance.page);
    await screenshot(finance.page, "finance-disputes-settled-phone");
    await finance.context.close();
    const partner = await newPage(browser, { width: 360 });
    await signIn(partner.page, target.email);
    await partner.page.goto(`/requests/${target.requestId}/interventions/${target.interventionId}`);
    await partner.page.getByRole("heading", { name: "Heures réalisées" }).waitFor();
    await expectNoHorizontalScroll(partner.page);
    await screenshot(partner.page, "partner-dispute-phone");
    await partner.context.close();
  });
});
