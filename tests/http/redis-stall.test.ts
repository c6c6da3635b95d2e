import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
