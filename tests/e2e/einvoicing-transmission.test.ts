import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { expectAccessible, expectNoHorizontalScroll, launchBrowser, newPage, screenshot, signIn } from "../support/browser.ts";

// Finance follows its e-invoices at the accredited platform in Chromium: the
// built app sends each document to the PA double, which answers with signed
// webhooks. An invoice goes Déposée → Approuvée, a transfer recorded by hand
// sends Encaissée, a rejection shows in the list of documents needing action
// (desktop and a 360 px phone).
let browser: Browser;
let approved: { documentId: string; number: string; invoiceId: string };
let rejected: { documentId: string; number: string; invoiceId: string };

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const lifecycleOf = async (documentId: string) =>
  (await queryApp<{ code: string | null }>(`SELECT "lifecycleCode" AS code FROM "EInvoiceTransmission" WHERE "documentId" = $1`, [documentId]))[0]?.code ?? null;

beforeAll(async () => {
  browser = await launchBrowser();
  // The documents of the demo's latest month exist (generated as finance would), then reach the double.
  const finance = await new HttpClient().login("finance@conciergerie.example");
  const [row] = await queryApp<{ month: string }>(`SELECT to_char(max("issuedAt") AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month FROM "Invoice" WHERE kind = 'INVOICE' AND number IS NOT NULL`);
  await finance.post("/finance/documents", { month: row!.month, runKey: `e2e-pa-${Date.now()}` }, { from: `/finance/documents?month=${row!.month}` });
  // Two invoices the platform approved: the first still open (a transfer is recorded on it); the
  // second may have been voided meanwhile by another test file sharing the demo data.
  const sent = await until(
    "two invoices approved at the platform, one of them open",
    () =>
      queryApp<{ documentId: string; number: string; invoiceId: string; open: boolean }>(
        `SELECT t."documentId", d.number, d."invoiceId", i.status = 'OPEN' AS open FROM "EInvoiceTransmission" t JOIN "InvoiceDocument" d ON d.id = t."documentId" JOIN "Invoice" i ON i.id = d."invoiceId"
         WHERE d.kind = 'INVOICE' AND t."lifecycleCode" = '205' ORDER BY (i.status = 'OPEN') DESC, d.number LIMIT 2`,
      ),
    (rows) => rows.length === 2 && rows[0]!.open,
    90_000,
  );
  [approved, rejected] = sent.map(({ open: _, ...document }) => document) as [typeof approved, typeof rejected];
  // The platform rejects the second one (as the demo's double does for its listed buyers).
  const res = await fetch(`${inject("paDoubleUrl")}/_double/invoices/${rejected.number}/status`, {
    method: "POST",
    body: JSON.stringify({ code: "213", reason: "REJ_UNI : facture en double chez le destinataire" }),
  });
  expect(res.status).toBe(200);
  await until(
    "Rejetée",
    () => lifecycleOf(rejected.documentId),
    (c) => c === "213",
  );
}, 150_000);
afterAll(async () => browser?.close());

describe("e-invoice transmission in Chromium", () => {
  it("finance sees an invoice Déposée then Approuvée with its history, records a transfer and sees Encaissée sent", { timeout: 120_000 }, async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, "finance@conciergerie.example");
    await page.goto(`/finance/invoices/${approved.invoiceId}`);
    const card = page.getByRole("heading", { name: `Transmission de la facture ${approved.number}` });
    await card.waitFor();
    await page.getByRole("cell", { name: "Déposée (200)" }).waitFor();
    await page.getByRole("cell", { name: "Approuvée (205)" }).waitFor();
    await expectAccessible(page);
    await screenshot(page, "einvoicing-transmission-approved");

    await page.getByLabel("Référence du virement").fill("VIR-E2E-PA");
    await page.getByRole("button", { name: "Enregistrer le virement" }).click();
    await page.getByText(/Virement (partiel )?enregistré/).waitFor();
    await until(
      "Encaissée",
      () => lifecycleOf(approved.documentId),
      (c) => c === "212",
    );
    await page.reload();
    await page.getByRole("cell", { name: "Encaissée (212)" }).waitFor();
    await page.getByText(/statut « Encaissée » transmis le/).waitFor();
    await expectAccessible(page);
    await screenshot(page, "einvoicing-transmission-encaissee");
    await context.close();
  });

  it("lists the rejected document among those needing action, with the reason and what to do, on a phone too", { timeout: 120_000 }, async () => {
    for (const width of [1280, 360]) {
      const { page, context } = await newPage(browser, { width });
      await signIn(page, "finance@conciergerie.example");
      await page.goto("/finance/documents");
      await page.getByRole("heading", { name: /^Documents à traiter \(\d+\)$/ }).waitFor();
      const row = page.getByRole("row", { name: new RegExp(rejected.number) }).first();
      await row.getByText("Rejetée", { exact: true }).waitFor();
      await row.getByText("REJ_UNI : facture en double chez le destinataire").waitFor();
      await row.getByText(/émettez un avoir/).waitFor();
      await expectAccessible(page);
      await expectNoHorizontalScroll(page);
      await screenshot(page, `einvoicing-transmission-to-handle-${width}`);
      await context.close();
    }
  });
});
