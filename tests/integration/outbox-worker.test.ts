import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { queueMail } from "~/data/mail.server.ts";
import { addToOutbox, pendingOutboxCount, relayOutboxBatch } from "~/data/outbox.server.ts";
import { parsePayload } from "~/queues/registry.ts";
import { startWorkers } from "../../workers/index.ts";

// Real BullMQ on the test Redis, under a key prefix of this file's own.
const prefix = `test-${randomBytes(4).toString("hex")}`;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("outbox and worker", () => {
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => stop?.());

  it("relays a mail written in a transaction to BullMQ, and the worker sends it once", async () => {
    const mail = await db().$transaction((tx) => queueMail(tx, { to: "partner@test.example", subject: "Demande reçue", text: "Bonjour", html: "<p>Bonjour</p>" }));
    stop = await startWorkers({ prefix, concurrency: 2 });
    const sent = await waitFor(
      () => db().mail.findUniqueOrThrow({ where: { id: mail.id } }),
      (m) => m.sentAt !== null,
    );
    expect(sent.sentAt).not.toBeNull();
    const row = await db().outboxEvent.findFirstOrThrow({ where: { businessKey: `mail:${mail.id}` } });
    expect(row.publishedAt).not.toBeNull();
  });

  it("writes the same business key once, whatever the number of attempts", async () => {
    await db().$transaction(async (tx) => {
      await addToOutbox(tx, "mail", "send", "mail:same-key", { mailId: "m1" });
      await addToOutbox(tx, "mail", "send", "mail:same-key", { mailId: "m1" });
    });
    expect(await db().outboxEvent.count({ where: { businessKey: "mail:same-key" } })).toBe(1);
  });

  it("keeps work in the outbox while Redis is unreachable, with the error recorded", async () => {
    await stop?.();
    stop = undefined;
    await db().$transaction((tx) => addToOutbox(tx, "mail", "send", "mail:while-down", { mailId: "m2" }));
    const redisDown = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:1");
    };
    const firstPending = await db().outboxEvent.findFirstOrThrow({ where: { publishedAt: null }, orderBy: { id: "asc" } });
    await expect(relayOutboxBatch(redisDown)).rejects.toThrow(/ECONNREFUSED/);
    const row = await db().outboxEvent.findFirstOrThrow({ where: { businessKey: "mail:while-down" } });
    expect(row.publishedAt).toBeNull();
    const failed = await db().outboxEvent.findUniqueOrThrow({ where: { id: firstPending.id } });
    expect(failed.attempts).toBe(firstPending.attempts + 1);
    expect(failed.lastError).toMatch(/ECONNREFUSED/);
    expect(await pendingOutboxCount()).toBeGreaterThan(0);
  });

  it("refuses a payload that does not match the registry", () => {
    expect(() => parsePayload("mail", "send", { mailId: 42 })).toThrow();
    expect(() => parsePayload("mail", "unknown", {})).toThrow(/Unknown job/);
  });
});
