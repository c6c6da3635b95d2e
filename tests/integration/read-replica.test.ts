import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Lag-tolerant reads (DATABASE_REPLICA_URL) on a "replica" reached through a TCP
// relay this test opens and closes: while it answers, the reads go through it;
// once it is gone, the same reads answer from the primary, and the replica is
// used again when it comes back. (The test database is not in recovery, so the
// lag probe reads 0; a real replica's lag is the topology test's.)
const primary = new URL(process.env.DATABASE_URL!);
let relay: net.Server | undefined;
let relayed = 0;
const sockets = new Set<net.Socket>();

function openRelay(port: number) {
  return new Promise<void>((resolve) => {
    relay = net.createServer((client) => {
      client.on("data", (chunk: Buffer) => (relayed += chunk.length)); // bytes the app sent to the "replica"
      const upstream = net.connect(Number(primary.port), primary.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    relay.listen(port, "127.0.0.1", () => resolve());
  });
}
function closeRelay() {
  return new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    relay!.close(() => resolve());
  });
}

const port = 20000 + (process.pid % 20000);
const replicaUrl = new URL(primary);
replicaUrl.port = String(port);
process.env.DATABASE_REPLICA_URL = replicaUrl.toString(); // before the app reads its environment

const { readLagTolerant, replicaInUse, replicaUsable, disconnectDb, lagTolerantReadsOn, REPLICA_PROBE_MS } = await import("~/data/db.server.ts");
const { insertionMinutesByMonth } = await import("~/data/impact.server.ts");
const { listAuditLog, audit } = await import("~/data/audit.server.ts");

beforeAll(async () => {
  await openRelay(port);
  await audit({ action: "auth.login", outcome: "ok", entityType: "User", entityId: "replica-test" });
});
afterAll(async () => {
  await disconnectDb();
  if (relay?.listening) await closeRelay();
});

describe("lag-tolerant reads and the read replica", () => {
  it("decides from the probe: a replica that answers within the lag bound, or a server out of recovery", () => {
    expect(replicaUsable(null, 10)).toBe(false);
    expect(replicaUsable({ inRecovery: true, lagSeconds: 3 }, 10)).toBe(true);
    expect(replicaUsable({ inRecovery: true, lagSeconds: 11 }, 10)).toBe(false);
    expect(replicaUsable({ inRecovery: false, lagSeconds: 0 }, 10)).toBe(true);
  });

  it("reads through the replica while it answers, from the primary while it is down, and through it again once back", async () => {
    expect(await replicaInUse()).toBe(true);
    expect(lagTolerantReadsOn()).toBe("replica"); // what the health page says
    const before = relayed;
    const page = await listAuditLog({ entityId: "replica-test" });
    expect(page.rows.map((r) => r.entityId)).toEqual(["replica-test"]);
    await insertionMinutesByMonth(new Date("2026-01-01"), new Date("2027-01-01"));
    expect(relayed).toBeGreaterThan(before); // the replica's connection carried the reads

    await closeRelay();
    // A read started while the replica still looked usable fails over to the primary, with the same answer.
    const during = await listAuditLog({ entityId: "replica-test" });
    expect(during.rows.map((r) => r.entityId)).toEqual(["replica-test"]);
    await new Promise((r) => setTimeout(r, REPLICA_PROBE_MS + 100));
    const started = Date.now();
    expect(await replicaInUse()).toBe(false);
    expect(lagTolerantReadsOn()).toBe("primary");
    expect((await listAuditLog({ entityId: "replica-test" })).rows).toHaveLength(1);
    expect(await readLagTolerant((client) => client.auditLog.count({ where: { entityId: "replica-test" } }))).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000); // the replica's absence costs at most its connection timeout, once per probe

    await openRelay(port);
    await new Promise((r) => setTimeout(r, REPLICA_PROBE_MS + 100));
    const again = relayed;
    expect(await replicaInUse()).toBe(true);
    expect(lagTolerantReadsOn()).toBe("replica");
    expect((await listAuditLog({ entityId: "replica-test" })).rows).toHaveLength(1);
    expect(relayed).toBeGreaterThan(again);
  });

  it("answers from the primary whatever error the replica gives, and keeps the replica for the next read", async () => {
    let onReplica = 0;
    const count = await readLagTolerant(async (client) => {
      if (onReplica++ === 0) throw new Error("the replica refused this read"); // not a connection error
      return client.auditLog.count({ where: { entityId: "replica-test" } });
    });
    expect(count).toBe(1);
    expect(onReplica).toBe(2);
    expect(lagTolerantReadsOn()).toBe("replica");
  });
});
