import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { closedReason, estimateOrder, frenchDate, nextOpenDay, recurrenceDates } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { formatEuros } from "~/utils/format.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";
import { queryApp } from "../support/http-client.ts";

// The partner's journey in Chromium: catalogue → order a weekly prestation
// with its live estimate → quote accepted → cancel one date.

const PRESTATION = "Nettoyage d'ateliers et de locaux";
const rules = resolveServiceRules({});

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

async function chooseSite(page: Page, text: string) {
  const value = await page.locator("#field-siteId option", { hasText: text }).first().getAttribute("value");
  await page.getByLabel("Site", { exact: true }).selectOption(value!);
}

describe("a partner orders in Chromium", () => {
  it("orders a weekly prestation, sees the estimate, accepts the quote and cancels one date", { timeout: 120_000 }, async () => {
    const [prestation] = await queryApp<{ priceCents: number; vatRateBasisPoints: number; minNoticeDays: number }>(
      `SELECT "priceCents", "vatRateBasisPoints", "minNoticeDays" FROM "Prestation" WHERE name = $1`,
      [PRESTATION],
    );
    const date = nextOpenDay(addDays(parisParts(new Date()).date, prestation!.minNoticeDays + 14), rules);
    const dates = recurrenceDates(date, "WEEKLY", { count: 4, until: null }).filter((d, i) => i === 0 || !closedReason(d, rules));
    const expected = estimateOrder({
      pricingUnit: "PER_PARTICIPANT_HOUR",
      unitPriceCents: prestation!.priceCents,
      vatRateBasisPoints: prestation!.vatRateBasisPoints,
      durationMinutes: 150,
      teamSize: 3,
      occurrences: dates.length,
    });

    const { page, context } = await newPage(browser);
    page.setDefaultTimeout(10_000);
    await signIn(page, "contact@monjardinchocolate.example");
    await page.getByRole("link", { name: "Catalogue" }).click();
    await page.getByRole("link", { name: `Commander : ${PRESTATION}` }).click();
    await page.getByRole("heading", { name: "Commander une prestation" }).waitFor();
    await expect.poll(() => page.getByLabel("Prestation").inputValue(), { timeout: 10_000 }).not.toBe("");

    await chooseSite(page, "Atelier");
    await page.getByLabel("Date", { exact: true }).fill(date);
    await page.getByLabel("Heure de début").fill("09:00");
    await page.getByLabel("Durée").selectOption({ label: "2 h 30" });
    await page.getByLabel("Personnes en insertion").fill("3");
    await page.getByLabel("Fréquence").selectOption({ label: "Chaque semaine" });
    await page.getByLabel("Nombre d'interventions").fill("4");
    await page.getByLabel("Remarques (facultatif)").fill("Sonnez à l'atelier, porte verte.");
    // The estimate, computed in the page by the server's own function.
    const estimate = page.getByRole("complementary", { name: "Estimation" });
    await expect.poll(() => estimate.textContent(), { timeout: 10_000 }).toContain(formatEuros(expected.total.inclVatCents));
    expect(await estimate.textContent()).toContain(formatEuros(expected.total.exclVatCents));
    // The span of the series, to check before sending.
    expect(await estimate.textContent()).toContain(`du ${frenchDate(dates[0]!)} au ${frenchDate(dates[dates.length - 1]!)}`);
    await expectAccessible(page);
    await screenshot(page, "portal-order");

    await page.getByRole("button", { name: "Envoyer la demande" }).click();
    await page.getByText("Demande envoyée.").waitFor();
    await expect(page.getByRole("region", { name: "Devis" }).textContent()).resolves.toContain(formatEuros(expected.total.inclVatCents));
    await expectAccessible(page);
    await screenshot(page, "portal-quote");

    await page.getByRole("button", { name: "Accepter le devis" }).click();
    await page.getByText("Devis accepté. Votre demande part en planification.").waitFor();
    // Accepted; the scheduler may already have staffed it.
    await expect.poll(async () => (await page.locator(".page-header .badge").textContent()) ?? "", { timeout: 10_000 }).toMatch(/Acceptée|Planifiée/);
    // Reloaded later, the page no longer asks to accept a quote already accepted.
    await page.reload();
    await page.getByText(/^Devis accepté le/).waitFor();
    expect(await page.getByText("acceptez-le pour lancer la planification").count()).toBe(0);
    await screenshot(page, "portal-accepted");

    await page
      .getByRole("link", { name: /^Modifier ou annuler l'intervention/ })
      .first()
      .click();
    await page.getByRole("heading", { name: /^Intervention du/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "portal-intervention");
    await page.getByLabel("Motif de l'annulation").fill("Atelier fermé pour inventaire");
    await page.getByRole("button", { name: "Annuler cette intervention" }).click();
    await page.getByText("Intervention annulée.").waitFor();
    await page.getByRole("cell", { name: /Annulée — Atelier fermé pour inventaire/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "portal-cancelled");

    // Messages: the partner writes to the coordination.
    await page.getByLabel("Votre message").fill("Merci ! L'accès se fait par la cour.");
    await page.getByRole("button", { name: "Envoyer le message" }).click();
    await page.getByText("Message envoyé.").waitFor();
    // The thread (the history also shows an excerpt of each message).
    await page.getByRole("region", { name: "Messages" }).getByText("Merci ! L'accès se fait par la cour.").waitFor();
    await context.close();
  });

  it("shows field messages on a bad order, in French, keeping what was typed", { timeout: 120_000 }, async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "agent@sncf.example");
    await page.goto("/requests/new");
    await chooseSite(page, "Gare de Lyon");
    await page.getByLabel("Prestation").selectOption({ label: "Nettoyage des passerelles de gare" });
    await page.getByLabel("Date", { exact: true }).fill("2020-01-06");
    await page.getByLabel("Personnes en insertion").fill("0");
    await page.getByLabel("Remarques (facultatif)").fill("<script>alert(1)</script>");
    await page.getByRole("button", { name: "Envoyer la demande" }).click();
    // Every problem at once, each next to its field.
    await page.getByText("Une personne au moins.").waitFor();
    await page.getByText(/Cette date est passée. Première date possible : le/).waitFor();
    await page.getByText(/bon de commande pour chaque demande/).waitFor();
    expect(await page.getByLabel("Remarques (facultatif)").inputValue()).toBe("<script>alert(1)</script>");
    await expectAccessible(page);
    await screenshot(page, "portal-order-errors");
    await context.close();
  });
});

describe("the coordination and phones", () => {
  it("a coordinator sees the decision and the thread; every portal page fits 360 px", { timeout: 120_000 }, async () => {
    const [serviceRequest] = await queryApp<{ id: string }>(
      `SELECT r.id FROM "ServiceRequest" r JOIN "Intervention" i ON i."requestId" = r.id AND i.status IN ('SUBMITTED','ACCEPTED','SCHEDULED') AND i."startsAt" > now() + interval '3 days'
       JOIN "Organisation" o ON o.id = r."organisationId" WHERE o.slug = 'mon-jardin-chocolate' ORDER BY r."createdAt" DESC LIMIT 1`,
    );
    const [intervention] = await queryApp<{ id: string }>(`SELECT id FROM "Intervention" WHERE "requestId" = $1 AND status <> 'CANCELLED' ORDER BY "startsAt" DESC LIMIT 1`, [serviceRequest!.id]);
    // The decision is offered while dates wait for validation (a planned request's dates are cancelled one by one instead).
    const [pending] = await queryApp<{ id: string }>(
      `SELECT DISTINCT r.id FROM "ServiceRequest" r JOIN "Intervention" i ON i."requestId" = r.id AND i.status = 'SUBMITTED' WHERE r."declinedAt" IS NULL LIMIT 1`,
    );
    const staff = await newPage(browser, { width: 360 });
    await signIn(staff.page, "coordination@conciergerie.example");
    await staff.page.goto(`/requests/${pending!.id}`);
    await staff.page.getByRole("region", { name: "Décision de la coordination" }).waitFor();
    await expectAccessible(staff.page);
    await expectNoHorizontalScroll(staff.page);
    await screenshot(staff.page, "portal-coordinator-phone");
    await staff.context.close();

    const { page, context } = await newPage(browser, { width: 360 });
    await signIn(page, "contact@monjardinchocolate.example");
    for (const path of [
      "/",
      "/catalogue",
      "/requests",
      "/requests/new",
      `/requests/${serviceRequest!.id}`,
      `/requests/${serviceRequest!.id}/interventions/${intervention!.id}`,
      "/invoices",
      "/account",
      "/users",
    ]) {
      await page.goto(path);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
    }
    await page.goto("/requests/new");
    await screenshot(page, "portal-order-phone");
    await context.close();
  });
});
