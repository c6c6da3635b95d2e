import { beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisParts } from "~/domain/calendar/paris.ts";
import { nextOpenDay } from "~/domain/requests/order.ts";
import { resolveServiceRules } from "~/domain/settings/rules.ts";
import { HttpClient, queryApp } from "../support/http-client.ts";

// A long weekly series ordered over HTTP: only the horizon's dates are created,
// the request page shows the whole series, and the partner changes its time
// or stops it from that page, each bad field answered next to it.

const rules = resolveServiceRules({});
let mjc: HttpClient;
let other: HttpClient;
let requestId = "";

beforeAll(async () => {
  mjc = await new HttpClient().login("contact@monjardinchocolate.example");
  other = await new HttpClient().login("cuisine@latabledurecho.example");
  const [prestation] = await queryApp<{ id: string; minNoticeDays: number }>(`SELECT id, "minNoticeDays" FROM "Prestation" WHERE name = 'Nettoyage d''ateliers et de locaux'`);
  const [site] = await queryApp<{ id: string }>(`SELECT s.id FROM "Site" s JOIN "Organisation" o ON o.id = s."organisationId" WHERE o.slug = 'mon-jardin-chocolate' LIMIT 1`);
  const html = await (await mjc.get("/requests/new")).text();
  const submissionKey = /name="submissionKey" value="([^"]+)"/.exec(html)![1]!;
  const response = await mjc.post(
    "/requests/new",
    {
      submissionKey,
      siteId: site!.id,
      prestationId: prestation!.id,
      date: nextOpenDay(addDays(parisParts(new Date()).date, prestation!.minNoticeDays + 7), rules),
      startTime: "09:00",
      durationMinutes: "120",
      teamSize: "2",
      recurrence: "WEEKLY",
      recurrenceEnd: "count",
      recurrenceCount: "30",
    },
    { from: "/requests/new" },
  );
  requestId = /\/requests\/([^?/]+)/.exec(response.headers.get("location") ?? "")?.[1] ?? "";
});

const text = async (client: HttpClient, path: string) => (await (await client.get(path)).text()).replaceAll("<!-- -->", "");
const errorOf = (html: string, name: string) => /id="field-([\w]+)-error">([^<]*)</.exec(html.slice(html.indexOf(`id="field-${name}-error"`) - 10))?.[2]?.replace(/&#x27;/g, "'") ?? null;

describe("a series over the rolling horizon", () => {
  it("creates the horizon's dates only and shows the whole series to the partner", async () => {
    expect(requestId).not.toBe("");
    const [row] = await queryApp<{ n: string }>(`SELECT count(*) AS n FROM "Intervention" WHERE "requestId" = $1`, [requestId]);
    const created = Number(row!.n);
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(30);
    const page = await text(mjc, `/requests/${requestId}`);
    expect(page).toContain("La série");
    expect(page).toContain("30 dates, dernière le");
    expect(page).toMatch(/Dates suivantes \(\d+\)/);
    // The quote counts every date of the series, created or still to come (holidays left out).
    expect(page).toMatch(/Interventions<\/dt><dd>(2[89]|30)<\/dd>/);
  });

  it("answers a bad time and an empty reason next to their fields, and another partner with a 404", async () => {
    const badTime = await mjc.post(`/requests/${requestId}`, { intent: "series-time", startTime: "07:10" }, { from: `/requests/${requestId}` });
    expect(badTime.status).toBe(400);
    expect(errorOf(await badTime.text(), "startTime")).toBe("Indiquez une heure de début au quart d'heure (par exemple 08:30).");
    const closed = await mjc.post(`/requests/${requestId}`, { intent: "series-time", startTime: "06:00" }, { from: `/requests/${requestId}` });
    expect(closed.status).toBe(400);
    expect(errorOf(await closed.text(), "startTime")).toMatch(/^Nos équipes travaillent de 08:00 à 18:00/);
    const noReason = await mjc.post(`/requests/${requestId}`, { intent: "stop-series", stopReason: " " }, { from: `/requests/${requestId}` });
    expect(noReason.status).toBe(400);
    expect(errorOf(await noReason.text(), "stopReason")).toBe("Indiquez le motif, en une phrase au moins.");
    const intruder = await other.post(`/requests/${requestId}`, { intent: "stop-series", stopReason: "Pas à moi" }, { from: "/requests" });
    expect(intruder.status).toBe(404);
  });

  it("moves the dates to come to a new time, then stops the series", async () => {
    const moved = await mjc.post(`/requests/${requestId}`, { intent: "series-time", startTime: "10:30" }, { from: `/requests/${requestId}` });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain("les prochaines dates commencent à 10:30");
    const [recurrence] = await queryApp<{ recurrenceStartMinute: number }>(`SELECT "recurrenceStartMinute" FROM "ServiceRequest" WHERE id = $1`, [requestId]);
    expect(recurrence!.recurrenceStartMinute).toBe(630);

    const stopped = await mjc.post(`/requests/${requestId}`, { intent: "stop-series", stopReason: "Fin du contrat de nettoyage" }, { from: `/requests/${requestId}` });
    expect(stopped.status).toBe(200);
    expect(await stopped.text()).toContain("Série arrêtée");
    const [row] = await queryApp<{ ended: boolean; live: string }>(
      `SELECT r."recurrenceEndedAt" IS NOT NULL AS ended, (SELECT count(*) FROM "Intervention" i WHERE i."requestId" = r.id AND i.status NOT IN ('CANCELLED')) AS live FROM "ServiceRequest" r WHERE r.id = $1`,
      [requestId],
    );
    expect(row).toEqual({ ended: true, live: "0" });
    const page = await text(mjc, `/requests/${requestId}`);
    expect(page).toContain("Série arrêtée le");
    expect(page).not.toContain("Modifier la série");
  });
});
