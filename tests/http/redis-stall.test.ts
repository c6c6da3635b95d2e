import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HttpClient } from "../support/http-client.ts";

// While Redis is stalled (paused: it accepts connections but answers nothing),
// the invoicing run's progress answered after 15 s (issue 22). Every Redis read
// of a web request now gives up within a couple of seconds and says "en attente".
let finance: HttpClient;
let admin: Redis;

beforeAll(async () => {
  finance = await new HttpClient().login("finance@conciergerie.example");
  admin = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  // Once before the stall, so the app's connection to Redis is open (the stall is not a refused connection).
  await (await finance.get("/finance/runs/invoicing-prepare-warm-up")).text();
});
afterAll(async () => {
  await admin.call("CLIENT", "UNPAUSE").catch(() => {});
  admin.disconnect();
});

describe("Redis stalled", () => {
  it("the run's progress answers « en attente » within 3 s instead of hanging", async () => {
    await admin.call("CLIENT", "PAUSE", "6000", "ALL");
    try {
      const started = Date.now();
      const response = await finance.get("/finance/runs/invoicing-prepare-stalled-run");
      const body = (await response.json()) as { state: string; message?: string };
      const elapsed = Date.now() - started;
      expect(response.status).toBe(200);
      expect(body.state).toBe("pending");
      expect(body.message).toMatch(/^En attente/);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await admin.call("CLIENT", "UNPAUSE");
    }
  });
});

describe("a run whose state cannot be read", () => {
  it("says so, instead of « en attente » for ever, and the error is logged", async () => {
    // A job record no code can read (here: its data is not JSON): a bug, not Redis being away.
    const prefix = (JSON.parse(inject("fuzzEnv")) as { QUEUE_PREFIX: string }).QUEUE_PREFIX;
    const key = `${prefix}:invoicing:invoicing-prepare-unreadable`;
    await admin.hset(key, { name: "prepare", data: "{pas du JSON", opts: "{}", timestamp: String(Date.now()) });
    try {
      const response = await finance.get("/finance/runs/invoicing-prepare-unreadable");
      const body = (await response.json()) as { state: string; message?: string };
      expect(response.status).toBe(503);
      expect(body.state).toBe("unknown");
      expect(body.message).toMatch(/^Le suivi de ce traitement a rencontré une erreur/);
    } finally {
      await admin.del(key);
    }
  });
});
