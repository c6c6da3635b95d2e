// The baseline of tests/bench/portal.ts: a bare node:http server on a pg pool
// that runs the same SQL as the portal's "my requests" page (imported from the
// app's own hot-queries.ts) and returns the same HTML document (captured from
// the portal), and takes an order with the statements the portal's order
// makes. What the portal costs on top of this is the framework's share.
// WEB_CONCURRENCY processes share the port, as server.ts does.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import pg from "pg";
import { filterSitesQuery, requestListQuery, sessionQuery } from "../../app/data/hot-queries.ts";

const processes = Math.max(1, Number(process.env.WEB_CONCURRENCY ?? 1));
if (cluster.isPrimary && processes > 1) {
  let listening = 0;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("listening", () => ++listening === processes && process.stdout.write("ready\n"));
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.exit(0);
  });
} else {
  serve();
}

function serve() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const html = process.env.PAGE_HTML_FILE ? readFileSync(process.env.PAGE_HTML_FILE, "utf8") : "<html></html>";
  const sessionHash = process.env.SESSION_HASH ?? "";
  const year = new Date().getUTCFullYear();

  // The order, statement for statement as the portal's createRequest runs it
  // for a one-off date: the submission key, the rules, the organisation, the
  // prestation and its prices, the site, then one transaction (the request,
  // its intervention, the audit line, the outbox row and its NOTIFY, then the
  // reference under a lock).
  async function order(session: { userId: string; organisationId: string }) {
    const key = randomUUID();
    await pool.query(`SELECT id, "organisationId" FROM "ServiceRequest" WHERE "submissionKey" = $1 LIMIT 1`, [key]);
    await Promise.all([
      pool.query(`SELECT key, value FROM "ServiceSetting"`),
      pool.query(`SELECT id, "requiresPurchaseOrder" FROM "Organisation" WHERE id = $1 LIMIT 1`, [session.organisationId]),
      pool.query(`SELECT p.id, p.name, p."pricingUnit"::text, p."priceCents", p."vatRateBasisPoints", p."minNoticeDays", p."skillId" FROM "Prestation" p LIMIT 1`).then(async ({ rows }) => {
        await pool.query(`SELECT id, label FROM "Skill" WHERE id = $1`, [rows[0].skillId]);
        await pool.query(
          `SELECT id, "organisationId", "priceCents", "validFrom" FROM "PrestationPrice" WHERE "prestationId" = $1 AND ("organisationId" IS NULL OR "organisationId" = $2) AND "validFrom" <= now() ORDER BY "validFrom" DESC`,
          [rows[0].id, session.organisationId],
        );
      }),
    ]);
    const { rows: sites } = await pool.query(`SELECT id FROM "Site" WHERE "organisationId" = $1 AND "archivedAt" IS NULL LIMIT 1`, [session.organisationId]);
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const id = randomUUID();
      await client.query(
        `INSERT INTO "ServiceRequest" (id, reference, "organisationId", "siteId", "prestationId", "createdById", "durationMinutes", "teamSize", "unitPriceCents", "vatRateBasisPoints", "submissionKey", "updatedAt")
         SELECT $1, $2, $3, $4, p.id, $5, 180, 2, p."priceCents", p."vatRateBasisPoints", $6, now() FROM "Prestation" p LIMIT 1`,
        [id, `PENDING-${randomUUID()}`, session.organisationId, sites[0].id, session.userId, key],
      );
      const day = new Date(Date.now() + 21 * 86_400_000);
      await client.query(
        `INSERT INTO "Intervention" (id, "requestId", "organisationId", "siteId", "occurrenceDate", "startsAt", "endsAt", "durationMinutes", "participantsNeeded", status, "updatedAt")
         VALUES ($1, $2, $3, $4, $5::date, $6, $7, 180, 2, 'SUBMITTED', now())`,
        [randomUUID(), id, session.organisationId, sites[0].id, day.toISOString().slice(0, 10), day.toISOString(), new Date(day.getTime() + 3 * 3_600_000).toISOString()],
      );
      await client.query(
        `INSERT INTO "AuditLog" (action, outcome, "actorUserId", "organisationId", "entityType", "entityId", details) VALUES ('request.submitted', 'ok', $1, $2, 'ServiceRequest', $3, $4)`,
        [session.userId, session.organisationId, id, JSON.stringify({ interventions: 1, planned: 1, skipped: [] })],
      );
      await client.query(`INSERT INTO "OutboxEvent" (queue, "jobName", "businessKey", payload) VALUES ('notifications', 'notify', $1, $2) ON CONFLICT (queue, "businessKey") DO NOTHING`, [
        `request.received:${id}:submitted`,
        JSON.stringify({ kind: "request.received", key: `request.received:${id}:submitted`, requestId: id }),
      ]);
      await client.query(`SELECT pg_notify('outbox', '')`);
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('service-request-reference'))`);
      const { rows: last } = await client.query(`SELECT reference FROM "ServiceRequest" WHERE reference >= $1 AND reference < $2 AND reference ~ $3 ORDER BY reference DESC LIMIT 1`, [
        `DEM-${year}-`,
        `DEM-${year}.`,
        `^DEM-${year}-[0-9]{5}$`,
      ]);
      const n = last[0] ? Number(last[0].reference.split("-")[2]) + 1 : 1;
      await client.query(`UPDATE "ServiceRequest" SET reference = $1 WHERE id = $2`, [`DEM-${year}-${String(n).padStart(5, "0")}`, id]);
      await client.query("COMMIT");
      return id;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  }

  const server = createServer(async (req, res) => {
    try {
      const session = (await pool.query(sessionQuery(sessionHash))).rows[0];
      if (req.method === "POST") {
        for await (const _chunk of req); // the form, read as the portal reads it
        const id = await order(session);
        res.writeHead(302, { Location: `/requests/${id}?envoyee=1` });
        res.end();
        return;
      }
      await Promise.all([pool.query(requestListQuery(session.organisationId, {}, undefined, 21)), pool.query(filterSitesQuery(session.organisationId))]);
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(html);
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  server.listen(Number(process.env.PORT), () => cluster.isPrimary && process.stdout.write("ready\n"));
}
