import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryApp } from "../support/http-client.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

// A partner admin manages the invitations of their team in Chromium, on a
// phone and on a desktop: re-send one, cancel another after confirming.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

async function invite(page: import("playwright-core").Page, name: string, email: string) {
  await page.getByLabel("Nom").fill(name);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Rôle").selectOption({ label: "Partenaire" });
  await page.getByRole("button", { name: "Envoyer l'invitation" }).click();
  await page.getByText(`Invitation envoyée à ${email}.`).waitFor();
}

describe("a partner admin's invitations in Chromium", () => {
  for (const width of [360, 1280]) {
    it(`re-sends and cancels an invitation at ${width} px, accessible`, async () => {
      const { page, context } = await newPage(browser, { width });
      await signIn(page, "gare-de-lyon@sncf.example");
      await page.goto("/users");
      const pending = `Camille Navigateur ${width}`;
      const expired = `Dominique Expirée ${width}`;
      await invite(page, pending, `camille.${width}@sncf.example`);
      await invite(page, expired, `dominique.${width}@sncf.example`);
      // A week later, as far as this one is concerned.
      await queryApp(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 day' WHERE email = $1 AND "revokedAt" IS NULL`, [`dominique.${width}@sncf.example`]);
      await page.reload();

      const invitations = page.getByRole("region", { name: "Invitations" });
      await expect(
        invitations
          .getByRole("row", { name: new RegExp(pending) })
          .getByText("En attente")
          .isVisible(),
      ).resolves.toBe(true);
      await expect(
        invitations
          .getByRole("row", { name: new RegExp(expired) })
          .getByText("Expirée", { exact: true })
          .isVisible(),
      ).resolves.toBe(true);
      await expectAccessible(page);
      await expectNoHorizontalScroll(page);
      await screenshot(page, `team-invitations-${width}`);

      // A cancel confirmation left open closes once the invitation is re-sent.
      await page.getByText(`Annuler… l'invitation de ${expired}`).click();
      const cancelExpired = page.getByRole("button", { name: `Annuler l'invitation de ${expired}` });
      await cancelExpired.waitFor();
      await page.getByRole("button", { name: `Renvoyer à ${expired}` }).click();
      await page.getByText(`Invitation renvoyée à dominique.${width}@sncf.example, valable 7 jours.`).waitFor();
      await invitations
        .getByRole("row", { name: new RegExp(expired) })
        .getByText("En attente")
        .waitFor(); // once the list is read again
      await expect.poll(() => cancelExpired.isVisible()).toBe(false);

      await page.getByText(`Annuler… l'invitation de ${pending}`).click();
      await screenshot(page, `team-invitations-confirm-${width}`);
      await page.getByRole("button", { name: `Annuler l'invitation de ${pending}` }).click();
      await page.getByText("Invitation annulée : son lien ne fonctionne plus.").waitFor();
      await expect.poll(() => page.getByRole("row", { name: new RegExp(pending) }).count()).toBe(0);
      await expectAccessible(page);
      await expectNoHorizontalScroll(page);
      await screenshot(page, `team-invitations-after-${width}`);
      await context.close();

      // The cancelled person opens the link of their mail.
      const [mail] = await queryApp<{ text: string }>(`SELECT text FROM "Mail" WHERE "to" = $1`, [`camille.${width}@sncf.example`]);
      const token = /\/invitations\/([\w-]+)/.exec(mail!.text)![1]!;
      const visitor = await newPage(browser, { width });
      await visitor.page.goto(`/invitations/${token}`);
      await visitor.page
        .getByRole("alert")
        .getByText(/^Cette invitation à rejoindre SNCF Gares & Connexions a été annulée\./)
        .waitFor();
      await expect(visitor.page.getByRole("button", { name: "Créer mon compte" }).count()).resolves.toBe(0);
      await expectAccessible(visitor.page);
      await screenshot(visitor.page, `invitation-cancelled-${width}`);
      await visitor.context.close();
    });
  }
});
