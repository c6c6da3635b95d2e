import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";

// The request's dated history and coordination's inbox, on a desktop and a
// 360 px phone: readable, accessible, screenshots to look at. The order form
// says the largest team while typing.

let browser: Browser;
let requestId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  // A planned request of the demo with a partner's message waiting for coordination.
  const [row] = await queryApp<{ id: string; email: string }>(
    `SELECT r.id, u.email FROM "ServiceRequest" r JOIN "Membership" m ON m."organisationId" = r."organisationId" JOIN "User" u ON u.id = m."userId"
     WHERE m.role = 'PARTNER_ADMIN' AND u."deactivatedAt" IS NULL AND EXISTS (SELECT 1 FROM "Intervention" i WHERE i."requestId" = r.id AND i.status = 'SCHEDULED')
     ORDER BY r."createdAt" DESC LIMIT 1`,
  );
  requestId = row!.id;
  const partner = await new HttpClient().login(row!.email);
  const sent = await partner.post(
    `/requests/${requestId}`,
    { intent: "message", body: "Bonjour, l'équipe pourra-t-elle passer par l'entrée de la rue de Bercy ? Le portail principal sera fermé pour travaux toute la semaine." },
    { from: `/requests/${requestId}` },
  );
  expect(sent.status).toBe(200);
});
afterAll(async () => browser?.close());

describe("the request's history and coordination's inbox", () => {
  for (const width of [1280, 360]) {
    it(`reads well at ${width} px: the history on the request, the inbox linking to its thread`, async () => {
      const { context, page } = await newPage(browser, { width });
      await signIn(page, "coordination@conciergerie.example");
      await page.goto(`/requests/${requestId}`);
      const history = page.getByRole("list", { name: "Historique de la demande" });
      await expect.poll(() => history.isVisible()).toBe(true);
      expect(await history.getByText("Demande envoyée").count()).toBeGreaterThan(0);
      expect(await history.getByText(/Message de .+/).count()).toBeGreaterThan(0);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await history.scrollIntoViewIfNeeded();
      await screenshot(page, `request-history-${width}`);

      await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "À traiter" }).click();
      await page.waitForURL((url) => url.pathname === "/inbox");
      await expect.poll(() => page.getByRole("heading", { name: /Messages sans réponse/ }).isVisible()).toBe(true);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await screenshot(page, `inbox-${width}`);
      // The item opens the request at its thread, where the answer is written.
      await page.locator(`a[href="/requests/${requestId}#messages"]`).first().click();
      await page.waitForURL((url) => url.pathname === `/requests/${requestId}`);
      await expect.poll(() => page.getByLabel("Votre message").isVisible()).toBe(true);
      await context.close();
    });
  }

  it("the order form says the largest team of the prestation while typing", async () => {
    const [p] = await queryApp<{ id: string; largest: number }>(
      `SELECT p.id, max(s."maxTeamSize")::int AS largest FROM "Prestation" p JOIN "SupervisorSkill" ss ON ss."skillId" = p."skillId"
       JOIN "Supervisor" s ON s.id = ss."supervisorId" WHERE s.active AND p.active GROUP BY p.id HAVING max(s."maxTeamSize") < 8 ORDER BY 2 DESC LIMIT 1`,
    );
    const { context, page } = await newPage(browser, { width: 360 });
    await signIn(page, "contact@monjardinchocolate.example");
    await page.goto(`/requests/new?prestation=${p!.id}`);
    const team = page.getByLabel("Personnes en insertion");
    await expect.poll(() => page.getByText(`De 1 à ${p!.largest} pour cette prestation, avec leur encadrant.`).isVisible()).toBe(true);
    await team.fill(String(p!.largest + 1));
    await expect.poll(() => page.getByText(`${p!.largest} personnes au plus.`, { exact: false }).isVisible()).toBe(true);
    await team.scrollIntoViewIfNeeded();
    await screenshot(page, "order-team-size-360");
    await team.fill(String(p!.largest));
    await expect.poll(() => page.getByText(`${p!.largest} personnes au plus.`, { exact: false }).count()).toBe(0);
    await context.close();
  });
});
