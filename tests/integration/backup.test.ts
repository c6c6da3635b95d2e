import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { createTestDatabase } from "../support/databases.ts";
import { createOrganisation, createUser } from "../support/factories.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

describe("backups", () => {
  it("restores a backup into an empty database with every row, the audit log and its append-only rule", async () => {
    const org = await createOrganisation(db(), { name: "Sauvegarde SA" });
    await createUser(db(), { organisationId: org.id, email: "backup@test.example" });
    await db().auditLog.create({ data: { action: "test.before_backup", outcome: "ok" } });
    const file = path.join(await mkdtemp(path.join(tmpdir(), "backup-")), "conciergerie.dump");
    await run("bash", ["scripts/backup.sh", "backup", file], { cwd: root, env: process.env });

    const target = await createTestDatabase("restore");
    await run("bash", ["scripts/backup.sh", "restore", file, target], { cwd: root, env: process.env });
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      const users = await client.query(`SELECT u.email FROM "User" u JOIN "Membership" m ON m."userId" = u.id JOIN "Organisation" o ON o.id = m."organisationId" WHERE o.name = 'Sauvegarde SA'`);
      expect(users.rows).toEqual([{ email: "backup@test.example" }]);
      const audit = await client.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'test.before_backup'`);
      expect(audit.rows[0].n).toBe(1);
      const migrations = await client.query(`SELECT count(*)::int AS n FROM _prisma_migrations`);
      expect(migrations.rows[0].n).toBeGreaterThanOrEqual(2);
      await expect(client.query(`DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});
