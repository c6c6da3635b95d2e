import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { ABSENT, validateDocuments, validatorPresent, VALIDATION_TIMEOUT_MS } from "../support/official-validation.ts";

// Factur-X over HTTP, on the demo data: finance generates a month's documents
// (a job, polled like the invoicing runs), exports them as a ZIP for the
// accredited platform; a partner downloads its own from the portal, another
// partner gets a 404 for the same address.
let finance: HttpClient;
let month: string;
let sncf: { id: string; number: string; invoiceId: string };

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  finance = await new HttpClient().login("finance@conciergerie.example");
  // SNCF's latest issued invoice of the demo data, and its month of issue (Paris).
  const [row] = await queryApp<{ id: string; number: string; month: string }>(
    `SELECT i.id, i.number, to_char(i."issuedAt" AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month
     FROM "Invoice" i JOIN "Organisation" o ON o.id = i."organisationId"
     WHERE o.slug = 'sncf-gares-connexions' AND i.kind = 'INVOICE' AND i.status <> 'DRAFT' AND i.number IS NOT NULL
     ORDER BY i."issuedAt" DESC LIMIT 1`,
  );
  month = row!.month;
  sncf = { id: "", number: row!.number, invoiceId: row!.id };
});

describe("Factur-X documents over HTTP", () => {
  it("finance generates the month's missing documents with a progress bar", async () => {
    const response = await finance.post("/finance/documents", { month, runKey: `http-documents-${Date.now()}` }, { from: `/finance/documents?month=${month}` });
    expect(response.status).toBe(302);
    const jobId = new URL(response.headers.get("location")!, "http://x").searchParams.get("run")!;
    const status = await until(
      async () => (await (await finance.get(`/finance/runs/${jobId}`)).json()) as { state: string; progress: number; result: { generated: number; total: number } | null },
      (s) => s.state === "completed" || s.state === "failed",
    );
    expect(status.state).toBe("completed");
    expect(status.progress).toBe(100);
    // Whatever was missing is made (earlier test files may have issued, and so documented, this month already).
    expect(status.result!.generated).toBe(status.result!.total);
    const [missing] = await queryApp<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Invoice" i WHERE i.status <> 'DRAFT' AND i.number IS NOT NULL
         AND to_char(i."issuedAt" AT TIME ZONE 'Europe/Paris', 'YYYY-MM') = $1
         AND NOT EXISTS (SELECT 1 FROM "InvoiceDocument" d WHERE d."invoiceId" = i.id)`,
      [month],
    );
    expect(missing!.n).toBe(0);
    const [doc] = await queryApp<{ id: string }>(`SELECT id FROM "InvoiceDocument" WHERE "invoiceId" = $1`, [sncf.invoiceId]);
    sncf.id = doc!.id;
    const page = await (await finance.get(`/finance/documents?month=${month}`)).text();
    expect(page).toContain(sncf.number);
    // The app tests run with the accredited-platform double: every document is sent to it, none is left "to export".
    expect(page).toContain("Plateforme agréée (double local)");
    expect(page).toContain("API AFNOR XP Z12-013");
    expect(page).not.toContain("À transmettre via la plateforme agréée (export ZIP)");
  });

  it("exports the month as a ZIP of PDFs with a manifest of their SHA-256", async () => {
    const response = await finance.get(`/finance/documents.zip?month=${month}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const pdfs = Object.keys(files).filter((n) => n.endsWith(".pdf"));
    expect(pdfs).toContain(`${sncf.number}.pdf`);
    const manifest = new TextDecoder().decode(files["manifeste.csv"]!);
    for (const name of pdfs) {
      const bytes = files[name]!;
      expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
      expect(manifest).toContain(createHash("sha256").update(bytes).digest("hex"));
    }
    expect(manifest.split("\r\n").filter(Boolean)).toHaveLength(pdfs.length + 1);
    expect((await finance.get("/finance/documents.zip?month=2026-13")).status).toBe(400);
  });

  it(
    validatorPresent ? "every PDF of the demo's month ZIP passes the official validation whole (0 errors, 0 warnings)" : ABSENT,
    async () => {
      expect(validatorPresent, ABSENT).toBe(true);
      const files = unzipSync(new Uint8Array(await (await finance.get(`/finance/documents.zip?month=${month}`)).arrayBuffer()));
      const pdfs = new Map(Object.entries(files).filter(([name]) => name.endsWith(".pdf")));
      expect(pdfs.size).toBeGreaterThan(0);
      const findings = await validateDocuments(pdfs);
      expect(findings).toHaveLength(pdfs.size);
      expect(findings.filter((f) => f.errors.length || f.warnings.length)).toEqual([]);
    },
    VALIDATION_TIMEOUT_MS,
  );

  it("the partner downloads its document from the portal; another partner gets a 404", async () => {
    const partner = await new HttpClient().login("gare-de-lyon@sncf.example");
    const list = await (await partner.get("/invoices")).text();
    expect(list).toContain(`/invoices/documents/${sncf.id}.pdf`);
    const response = await partner.get(`/invoices/documents/${sncf.id}.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await response.arrayBuffer());
    const [stored] = await queryApp<{ sha256: string }>(`SELECT sha256 FROM "InvoiceDocument" WHERE id = $1`, [sncf.id]);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(stored!.sha256);

    const other = await new HttpClient().login("contact@monjardinchocolate.example");
    expect((await other.get(`/invoices/documents/${sncf.id}.pdf`)).status).toBe(404);
    expect((await other.get(`/finance/documents.zip?month=${month}`)).status).toBe(403);
  });
});
