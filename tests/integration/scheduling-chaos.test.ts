import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/data/db.server.ts";
import { addManyToOutbox } from "~/data/outbox.server.ts";
import { addDays, fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { DAY_MS } from "~/utils/time.ts";
import { createPrestation, createServiceRequest, createSite, createSkill, createSupervisor, createParticipant } from "../support/factories.ts";
import { startWorkerProcess } from "../support/spawn-worker.ts";

// 200 requests accepted at once, two worker processes, one killed with SIGKILL
// mid-run: every intervention ends staffed once or explicitly unstaffed, and
// nobody is booked twice. `npm run test:chaos` runs it many times.
const REQUESTS = Number(process.env.CHAOS_REQUESTS ?? 200);
const prefix = `chaos-${randomBytes(4).toString("hex")}`;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("scheduling under failure", () => {
  it(`staffs ${REQUESTS} requests accepted at once while a worker is killed mid-run`, { timeout: 300_000 }, async () => {
    const weeks = [21, 28].map((d) => parisWeekStart(new Date(Date.now() + d * DAY_MS)));
    const skills = [await createSkill(db()), await createSkill(db())];
    const prestations = await Promise.all(skills.map((skill) => createPrestation(db(), { skillId: skill.id })));
    const sites = [await createSite(db()), await createSite(db())];
    for (let i = 0; i < 8; i++) await createSupervisor(db(), { skillIds: [skills[i % 2]!.id], maxTeamSize: 4 });
    for (let i = 0; i < 40; i++) await createParticipant(db(), { skillIds: [skills[i % 2]!.id, ...(i % 5 === 0 ? [skills[(i + 1) % 2]!.id] : [])], weeklyTargetMinutes: 600 });

    const requestIds: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const week = weeks[i % 2]!;
      const startsAt = fromParisLocal(`${addDays(week, i % 5)}T${String(8 + ((i * 3) % 8)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`);
      const serviceRequest = await createServiceRequest(db(), {
        prestationId: prestations[i % 2]!.id,
        siteId: sites[i % 2]!.id,
        organisationId: sites[i % 2]!.organisationId,
        teamSize: 1 + (i % 3),
        interventions: [{ startsAt, durationMinutes: 90, participantsNeeded: 1 + (i % 3), status: "ACCEPTED" }],
      });
      requestIds.push(serviceRequest.id);
    }
    // Accepted all at once: the outbox rows the portal writes on acceptance.
    await db().$transaction((tx) =>
      addManyToOutbox(
        tx,
        "scheduling",
        "staff-request",
        requestIds.map((id) => ({ businessKey: `request-accepted:${id}`, payload: { requestId: id } })),
      ),
    );

    const first = await startWorkerProcess(prefix, children);
    await startWorkerProcess(prefix, children);
    // Kill one mid-run: once the relay has handed jobs to the workers, before they are done.
    const deadline = Date.now() + 60_000;
    while ((await db().outboxEvent.count({ where: { publishedAt: { not: null } } })) === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    first.kill("SIGKILL");
    const killedAt = Date.now();

    const waiting = () => db().intervention.count({ where: { status: "ACCEPTED", unstaffedReason: null } });
    while ((await waiting()) > 0 && Date.now() < deadline + 120_000) await new Promise((r) => setTimeout(r, 250));
    expect(await waiting()).toBe(0);
    process.stdout.write(`chaos: all ${REQUESTS} requests settled ${Math.round((Date.now() - killedAt) / 1000)} s after the kill\n`);

    // Staffed once: a whole team, no duplicates; or unstaffed with a reason.
    const interventions = await db().intervention.findMany({
      select: { status: true, participantsNeeded: true, supervisorId: true, unstaffedReason: true, _count: { select: { assignments: true } } },
    });
    for (const i of interventions) {
      if (i.status === "SCHEDULED") {
        expect(i.supervisorId).not.toBeNull();
        expect(i._count.assignments).toBe(i.participantsNeeded);
      } else {
        expect(i.unstaffedReason).toBeTruthy();
      }
    }
    // Nobody double-booked (the database also refuses it; check what it holds).
    const overlaps = await db().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Assignment" a JOIN "Assignment" b
        ON a."participantId" = b."participantId" AND a."interventionId" < b."interventionId"
       AND tsrange(a."startsAt", a."endsAt") && tsrange(b."startsAt", b."endsAt")`;
    expect(Number(overlaps[0]!.n)).toBe(0);
    expect(interventions.filter((i) => i.status === "SCHEDULED").length).toBeGreaterThan(REQUESTS / 3);
  });
});
