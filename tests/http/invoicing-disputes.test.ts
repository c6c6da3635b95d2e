import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient, queryApp } from "../support/http-client.ts";
import { pdfTexts } from "../support/pdf-text.ts";

// Who reaches the disputes screen and the impact certificates, over HTTP on
// the built app; the certificate read back against the hours in the database.
const YEAR = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric" }).format(new Date());
const orgOf = async (email: string) =>
  (await queryApp<{ organisationId: string }>(`SELECT m."organisationId" FROM "Membership" m JOIN "User" u ON u.id = m."userId" WHERE u.email = $1`, [email]))[0]!.organisationId;
const formatMinutes = (minutes: number) => {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
};

let sncf: string;
let mjc: string;
beforeAll(async () => {
  sncf = await orgOf("gare-de-lyon@sncf.example");
  mjc = await orgOf("contact@monjardinchocolate.example");
});

describe("the disputes screen", () => {
  it("is for finance and admin only: coordination and partners are refused, reading and settling", async () => {
    for (const email of ["finance@conciergerie.example", "admin@conciergerie.example"]) {
      const response = await (await new HttpClient().login(email)).get("/finance/disputes");
      expect(response.status, email).toBe(200);
      expect(await response.text()).toContain("Dernières décisions");
    }
    for (const email of ["coordination@conciergerie.example", "gare-de-lyon@sncf.example", "encadrant@conciergerie.example"]) {
      const client = await new HttpClient().login(email);
      expect((await client.get("/finance/disputes")).status, email).toBe(403);
      const post = await client.post("/finance/disputes", { intent: "settle", disputeId: "x", outcome: "WAIVE", answer: "Je décide à la place de la finance." }, { from: "/" });
      expect(post.status, email).toBe(403);
    }
    const refused = await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "AuditLog" WHERE action = 'access.denied' AND "entityId" = '/finance/disputes'`);
    expect(Number(refused[0]!.n)).toBeGreaterThanOrEqual(6);
  });
});

describe("the yearly impact certificate", () => {
  it("a partner downloads its own; another partner's, an unknown one or a bad year is a 404; coordination is refused", async () => {
    const partner = await new HttpClient().login("gare-de-lyon@sncf.example");
    const own = await partner.get(`/impact/${sncf}/${YEAR}.pdf`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await own.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    expect((await partner.get(`/impact/${mjc}/${YEAR}.pdf`)).status).toBe(404);
    expect((await partner.get(`/impact/unknown-organisation/${YEAR}.pdf`)).status).toBe(404);
    expect((await partner.get(`/impact/${sncf}/1999.pdf`)).status).toBe(404);
    expect((await partner.get(`/impact/${sncf}/${Number(YEAR) + 1}.pdf`)).status).toBe(404);
    const coordination = await new HttpClient().login("coordination@conciergerie.example");
    expect((await coordination.get(`/impact/${sncf}/${YEAR}.pdf`)).status).toBe(403);
    const audited = await queryApp(`SELECT 1 FROM "AuditLog" WHERE action = 'access.not_found' AND "entityType" = 'ImpactCertificate' AND "entityId" LIKE $1`, [`${mjc}/%`]);
    expect(audited.length).toBeGreaterThan(0);
  });

  it("finance downloads any partner's; its figures are the hours worked, as on the dashboards", async () => {
    const finance = await new HttpClient().login("finance@conciergerie.example");
    const response = await finance.get(`/impact/${mjc}/${YEAR}.pdf`);
    expect(response.status).toBe(200);
    const texts = await pdfTexts(new Uint8Array(await response.arrayBuffer()));
    // The hours the encadrants recorded for this partner's interventions that took place this (Paris) year.
    const [expected] = await queryApp<{ minutes: string | null; interventions: string }>(
      `SELECT SUM(t."minutesWorked") AS minutes, COUNT(DISTINCT i.id) AS interventions
       FROM "TimeEntry" t JOIN "Intervention" i ON i.id = t."interventionId"
       WHERE t.absent = false AND i.status IN ('DONE', 'INVOICED', 'PAID') AND i."organisationId" = $1
         AND to_char(i."startsAt" AT TIME ZONE 'Europe/Paris', 'YYYY') = $2`,
      [mjc, YEAR],
    );
    const minutes = Number(expected!.minutes ?? 0);
    expect(minutes).toBeGreaterThan(0);
    const n = Number(expected!.interventions);
    expect(texts).toContain(`Total ${YEAR} : ${formatMinutes(minutes)} · ${n} intervention${n > 1 ? "s" : ""}`);
    expect(texts.join(" ")).toContain("Mon Jardin Chocolaté");
    // The finance dashboard's impact table and the partner's home page show the same year's figure.
    const dashboard = await (await finance.get("/finance")).text();
    expect(dashboard).toContain(`/impact/${mjc}/${YEAR}.pdf`);
    const partnerHome = await (await (await new HttpClient().login("contact@monjardinchocolate.example")).get("/")).text();
    expect(partnerHome).toContain(`<p class="stat">${formatMinutes(minutes)}</p>`);
    expect(partnerHome).toContain(`/impact/${mjc}/${YEAR}.pdf`);
    const partnerInvoices = await (await (await new HttpClient().login("contact@monjardinchocolate.example")).get("/invoices")).text();
    expect(partnerInvoices).toContain(`/impact/${mjc}/${YEAR}.pdf`);
  });
});
