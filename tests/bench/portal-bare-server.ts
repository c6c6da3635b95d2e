// The baseline of tests/bench/portal.ts: a bare node:http server on a pg pool
// that runs the same SQL as the portal's "my requests" page and returns the
// same HTML document (captured from the portal), and takes an order with the
// same inserts. What the portal costs on top of this is the framework's share.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const html = process.env.PAGE_HTML_FILE ? (await import("node:fs")).readFileSync(process.env.PAGE_HTML_FILE, "utf8") : "<html></html>";
const sessionHash = process.env.SESSION_HASH ?? "";

// What the portal asks the database for one page: the session, the page of
// requests with their interventions' statuses, and the sites for the filter.
const SESSION_SQL = `SELECT s.id, s."expiresAt", s."lastSeenAt", u.id AS "userId", m.role, m."organisationId", o.name
  FROM "Session" s JOIN "User" u ON u.id = s."userId" JOIN "Membership" m ON m."userId" = u.id
  JOIN "Organisation" o ON o.id = m."organisationId" WHERE s.id = $1`;
const LIST_SQL = `SELECT r.id, r.reference, r."createdAt", r.recurrence, r."teamSize", o.name AS organisation, s.name AS site, p.name AS prestation,
    (SELECT array_agg(i.status ORDER BY i."startsAt") FROM "Intervention" i WHERE i."requestId" = r.id) AS statuses,
    (SELECT min(i."startsAt") FROM "Intervention" i WHERE i."requestId" = r.id) AS "firstDate"
  FROM "ServiceRequest" r JOIN "Organisation" o ON o.id = r."organisationId" JOIN "Site" s ON s.id = r."siteId"
  JOIN "Prestation" p ON p.id = r."prestationId"
  WHERE r."organisationId" = $1 ORDER BY r."createdAt" DESC, r.id DESC LIMIT 21`;
const SITES_SQL = `SELECT s.id, s.name FROM "Site" s WHERE s."organisationId" = $1 ORDER BY s.name`;

const server = createServer(async (req, res) => {
  try {
    const session = (await pool.query(SESSION_SQL, [sessionHash])).rows[0];
    if (req.method === "POST") {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const id = randomUUID();
        await client.query(
          `INSERT INTO "ServiceRequest" (id, reference, "organisationId", "siteId", "prestationId", "durationMinutes", "teamSize", "unitPriceCents", "vatRateBasisPoints", "updatedAt")
           SELECT $1, $2, $3, s.id, p.id, 180, 2, p."priceCents", p."vatRateBasisPoints", now() FROM "Site" s, "Prestation" p WHERE s."organisationId" = $3 LIMIT 1`,
          [id, `BARE-${id}`, session.organisationId],
        );
        await client.query(
          `INSERT INTO "Intervention" (id, "requestId", "organisationId", "siteId", "startsAt", "endsAt", "durationMinutes", "workersNeeded", "updatedAt")
           SELECT $1, r.id, r."organisationId", r."siteId", now() + interval '10 days', now() + interval '10 days 3 hours', 180, 2, now() FROM "ServiceRequest" r WHERE r.id = $2`,
          [randomUUID(), id],
        );
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      res.writeHead(302, { Location: "/requests/x" });
      res.end();
      return;
    }
    await pool.query(LIST_SQL, [session.organisationId]);
    await pool.query(SITES_SQL, [session.organisationId]);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html);
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(Number(process.env.PORT), () => process.stdout.write("ready\n"));
