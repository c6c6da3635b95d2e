import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, signIn } from "../support/browser.ts";
import { DEMO_ACCOUNTS } from "../support/demo-accounts.ts";

// The header on a 360 px phone takes two lines at most (brand and account
// menu, then the navigation), and every navigation link is still there.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** The lines of text the header shows: its visible text boxes, grouped by row. */
async function headerLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes: { top: number; bottom: number; text: string }[] = [];
    const walker = document.createTreeWalker(document.querySelector("header")!, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // Text in a folded menu or a hidden element has boxes but is not seen.
      if (!node.textContent?.trim() || !node.parentElement?.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) boxes.push({ top: r.top, bottom: r.bottom, text: node.textContent.trim() });
    }
    boxes.sort((a, b) => a.top - b.top);
    const lines: { bottom: number; texts: string[] }[] = [];
    for (const b of boxes) {
      const last = lines[lines.length - 1];
      if (last && b.top < last.bottom - 2) {
        last.texts.push(b.text);
        last.bottom = Math.max(last.bottom, b.bottom);
      } else lines.push({ bottom: b.bottom, texts: [b.text] });
    }
    return lines.map((l) => l.texts.join(" · "));
  });
}

/** The top of the screen, where the header is (a full page of a long list is too tall to look at). */
const screenshotTop = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, clip: { x: 0, y: 0, width: page.viewportSize()!.width, height: 260 } });

async function checkHeader(page: Page, name: string, { axe = true } = {}) {
  await screenshotTop(page, name);
  const lines = await headerLines(page);
  expect(lines.length, `header lines on ${page.url()}: ${lines.join(" / ")}`).toBeLessThanOrEqual(2);
  // Every link of the navigation is rendered (the row scrolls sideways, nothing is hidden).
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  for (const link of await nav.getByRole("link").all()) expect(await link.isVisible()).toBe(true);
  await expectNoHorizontalScroll(page);
  if (axe) await expectAccessible(page);
}

describe("the header on a 360 px phone", () => {
  it("takes two lines at most for a partner and a coordinator, with all their links and their account", async () => {
    const partner = await newPage(browser, { width: 360 });
    await signIn(partner.page, DEMO_ACCOUNTS.sncfAdmin);
    const partnerLinks = ["Accueil", "Mes demandes", "Commander", "Catalogue", "Mes factures"];
    for (const [path, heading] of [
      ["/", /^Bonjour/],
      ["/requests", "Mes demandes"],
      ["/catalogue", /Catalogue/],
    ] as const) {
      await partner.page.goto(path);
      await partner.page.getByRole("heading", { level: 1, name: heading }).waitFor();
      for (const label of partnerLinks) await expect(partner.page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: label, exact: true }).count()).resolves.toBe(1);
      await checkHeader(partner.page, `header-phone-partner${path === "/" ? "-home" : path.replace("/", "-")}`);
    }
    // The account menu, folded on a phone, opens on the name and the sign-out.
    await partner.page.getByText("Compte", { exact: true }).click();
    await partner.page.getByRole("link", { name: /Julien.*Partenaire/ }).waitFor();
    await partner.page.getByRole("button", { name: "Se déconnecter" }).waitFor();
    await expectAccessible(partner.page);
    await screenshotTop(partner.page, "header-phone-partner-menu");
    await partner.page.getByRole("button", { name: "Se déconnecter" }).click();
    await partner.page.waitForURL((url) => url.pathname.startsWith("/login"));
    await partner.context.close();

    const staff = await newPage(browser, { width: 360 });
    await signIn(staff.page, DEMO_ACCOUNTS.coordinator);
    await staff.page.goto("/planning");
    await staff.page.getByRole("heading", { level: 1, name: "Planning" }).waitFor();
    await checkHeader(staff.page, "header-phone-coordinator-planning");
    // The current page's link is scrolled into view in the navigation row.
    await staff.page.goto("/people");
    await staff.page.getByRole("heading", { level: 1, name: "Équipes" }).waitFor();
    const current = staff.page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Équipes" });
    await expect.poll(() => current.evaluate((a) => a.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
    // Axe has checked the same header on /planning: a long list page only slows it down.
    await checkHeader(staff.page, "header-phone-coordinator-people", { axe: false });
    await staff.context.close();
  });

  it("keeps the desktop header as it was: name and sign-out in view, no menu", async () => {
    const { page, context } = await newPage(browser, { width: 1280 });
    await signIn(page, DEMO_ACCOUNTS.sncfAdmin);
    await page.getByRole("heading", { level: 1, name: /^Bonjour/ }).waitFor();
    await page.getByRole("link", { name: /Julien.*Partenaire/ }).waitFor();
    await page.getByRole("button", { name: "Se déconnecter" }).waitFor();
    expect(await page.getByText("Compte", { exact: true }).isVisible()).toBe(false);
    await expectAccessible(page);
    await screenshotTop(page, "header-desktop-partner");
    await context.close();
  });
});
