import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { setServiceRule } from "~/data/settings.server.ts";
import type { Actor } from "~/domain/access/roles.ts";
import { createRedis } from "~/queues/connection.server.ts";
import { startWorkers } from "../../workers/index.ts";
import { registerWeeklyOptimisation, registerWeeklyOptimisationAtStart } from "../../workers/scheduling-schedulers.ts";
import { createUser } from "../support/factories.ts";

// The weekly optimisation's day and time are a back-office rule: a change
// reaches the running worker's job scheduler (real BullMQ on the test Redis)
// without a restart, and the daily series horizon is registered at start.
const prefix = `test-${randomBytes(4).toString("hex")}`;
const redis = createRedis("worker");
const queue = new Queue("scheduling", { connection: redis, prefix });
let stop: () => Promise<void>;

const scheduler = async (key: string) => {
  const all = await queue.getJobSchedulers();
  const found = all.find((s) => s.key === key);
  return found ? { pattern: found.pattern, tz: found.tz, next: found.next } : null;
};

beforeAll(async () => {
  stop = await startWorkers({ prefix, concurrency: 2 });
});
afterAll(async () => {
  await stop?.();
  await queue.close();
  redis.disconnect();
});

describe("scheduling's job schedulers", () => {
  it("registers the weekly optimisation from the rule (Thursday 14:00 by default) and the nightly series horizon", async () => {
    expect(await scheduler("weekly-optimisation")).toMatchObject({ pattern: "0 14 * * 4", tz: "Europe/Paris" });
    expect(await scheduler("series-horizon")).toMatchObject({ pattern: "30 2 * * *", tz: "Europe/Paris" });
  });

  it("runs the series horizon's job in the worker", async () => {
    const job = await queue.add("expand-series", {});
    await expect.poll(() => job.getState(), { timeout: 10_000, interval: 100 }).toBe("completed");
    const done = await Queue.prototype.getJob.call(queue, job.id!);
    expect(done?.returnvalue).toMatchObject({ created: expect.any(Number), through: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it("follows a change of the rule in the back office without restarting the worker", async () => {
    const admin = await createUser(db(), { role: "ADMIN" });
    const actor: Actor = { userId: admin.id, organisationId: admin.membership!.organisationId, role: "ADMIN" };
    await setServiceRule(actor, "weeklyOptimisation", { day: 1, time: "06:45" });
    await expect.poll(async () => (await scheduler("weekly-optimisation"))?.pattern, { timeout: 10_000, interval: 100 }).toBe("45 6 * * 1");
    // One scheduler, replaced (same id), whose next run is a Monday at 06:45 in Paris.
    expect((await queue.getJobSchedulers()).filter((s) => s.key === "weekly-optimisation")).toHaveLength(1);
    const next = new Date((await scheduler("weekly-optimisation"))!.next!);
    const paris = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(next);
    expect(paris).toBe("Monday 06:45");
    expect(next.getTime()).toBeGreaterThan(Date.now());

    // Sunday is ISO day 7, cron day 0.
    await setServiceRule(actor, "weeklyOptimisation", { day: 7, time: "20:00" });
    await expect.poll(async () => (await scheduler("weekly-optimisation"))?.pattern, { timeout: 10_000, interval: 100 }).toBe("0 20 * * 0");
    // Another rule writes no job.
    const before = await db().outboxEvent.count({ where: { jobName: "reschedule-optimisation" } });
    await setServiceRule(actor, "retentionMonths", 30);
    expect(await db().outboxEvent.count({ where: { jobName: "reschedule-optimisation" } })).toBe(before);
  });

  it("never writes the default schedule over the admin's when the rules cannot be read, and registers the rule once they can", async () => {
    const admin = await createUser(db(), { role: "ADMIN" });
    await setServiceRule({ userId: admin.id, organisationId: admin.membership!.organisationId, role: "ADMIN" }, "weeklyOptimisation", { day: 2, time: "07:15" });
    await expect.poll(async () => (await scheduler("weekly-optimisation"))?.pattern, { timeout: 10_000, interval: 100 }).toBe("15 7 * * 2");
    // A real failure of the read: the table is away for a moment.
    await db().$executeRawUnsafe(`ALTER TABLE "ServiceSetting" RENAME TO "ServiceSettingAway"`);
    try {
      await expect(registerWeeklyOptimisation(queue)).rejects.toThrow();
      await registerWeeklyOptimisationAtStart(queue);
      expect((await scheduler("weekly-optimisation"))?.pattern).toBe("15 7 * * 2");
      expect(await queue.getJob("reschedule-optimisation-at-start")).toBeTruthy();
    } finally {
      await db().$executeRawUnsafe(`ALTER TABLE "ServiceSettingAway" RENAME TO "ServiceSetting"`);
    }
    // The job registered at start retries until it reads the rule, then is gone.
    await expect.poll(async () => (await queue.getJob("reschedule-optimisation-at-start")) ?? null, { timeout: 30_000, interval: 250 }).toBeNull();
    expect((await scheduler("weekly-optimisation"))?.pattern).toBe("15 7 * * 2");
  }, 60_000);
});
