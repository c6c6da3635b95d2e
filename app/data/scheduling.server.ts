import type { Instance, Plan } from "~/domain/scheduling/instance.ts";
import { addMinutes } from "~/utils/time.ts";
import { sha256 } from "~/utils/tokens.server.ts";
import { addDays, fromParisLocal, PARIS, toParisLocal } from "~/utils/paris-time.ts";
import { db, rawRows, sqlTimestamp, sqlTransaction, type Db, type TxClient } from "./db.server.ts";
import { releasedByAgreement, settleConfirmations } from "./agreements.server.ts";
import { queueNotifications } from "./notifications.server.ts";
import { HISTORY, LIVE, PLANNABLE } from "~/domain/requests/status.ts";
import { Prisma } from "~/generated/prisma/client.ts";

// The bridge between the database and the assignment engine: it builds the
// engine's instance for one week (Paris wall-clock times) and writes a plan
// back. The engine itself is pure (app/domain/scheduling).

// Checked in, done or billed: never re-planned, but their people are taken at
// those times (the database refuses a double booking) and their hours count.
const hours = (minutes: number) => Math.round((minutes / 60) * 4) / 4;
const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

export type PinPolicy =
  /**
   * Instant mode: everything already staffed stays exactly as it is. A freed
   * intervention confirmed and starting before `lockedBefore` (the notice
   * period) keeps its time and every member who is not absent and has not
   * agreed to a change: only the absent people's places are re-staffed.
   */
  | { kind: "keep-staffed"; free: string[]; lockedBefore?: Date }
  /** Weekly optimisation: only what is confirmed within the notice period, or pinned by hand, stays. */
  | { kind: "notice"; lockedBefore: Date };

type Period = { startsAt: Date; endsAt: Date };
type WeekPeople = { base: Omit<Instance, "requests">; participantIds: Set<string>; supervisorIds: Set<string>; absences: Map<string, Period[]> };

const weekBounds = (weekStart: string) => ({ from: fromParisLocal(`${weekStart}T00:00`), to: fromParisLocal(`${addDays(weekStart, 7)}T00:00`) });

/** Everything the engine needs for the week starting on `weekStart` (a Monday, YYYY-MM-DD). */
export async function loadWeekInstance(weekStart: string, policy: PinPolicy, tx: Db | TxClient = db()): Promise<Instance> {
  const people = await loadWeekPeople(weekStart, tx);
  const { requests } = await loadWeekRequests(weekStart, policy, people, tx);
  return { ...people.base, requests };
}

/** The people, sites and travel times of a week: what plans read but never write. */
async function loadWeekPeople(weekStart: string, tx: Db | TxClient = db()): Promise<WeekPeople> {
  const { from, to } = weekBounds(weekStart);
  type Period = { startsAt: string; endsAt: string };
  type Window = { isoDay: number; fromMinute: number; toMinute: number };
  type Row = {
    participants: { id: string; contractStart: string; contractEnd: string; weeklyTargetMinutes: number; weeklyMaxMinutes: number; skills: string[]; availability: Window[]; absences: Period[] }[];
    supervisors: { id: string; maxTeamSize: number; weeklyMaxMinutes: number; skills: string[]; availability: Window[]; absences: Period[] }[];
    sites: string[];
    travel: { fromSiteId: string; toSiteId: string; minutes: number }[];
  };
  // One statement (every pass of instant mode reads it): the nested Prisma reads take a dozen.
  // Contract dates are days: compared with the UTC days of the week's bounds, as Prisma did.
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const [row] = await rawRows<Row>(
    tx,
    Prisma.sql`
    SELECT
      COALESCE((SELECT json_agg(json_build_object(
        'id', w.id, 'contractStart', w."contractStart", 'contractEnd', w."contractEnd",
        'weeklyTargetMinutes', w."weeklyTargetMinutes", 'weeklyMaxMinutes', w."weeklyMaxMinutes",
        'skills', COALESCE((SELECT json_agg(k.code ORDER BY k.code) FROM "ParticipantSkill" x JOIN "Skill" k ON k.id = x."skillId" WHERE x."participantId" = w.id), '[]'::json),
        'availability', COALESCE((SELECT json_agg(json_build_object('isoDay', a."isoDay", 'fromMinute', a."fromMinute", 'toMinute', a."toMinute") ORDER BY a."isoDay", a."fromMinute", a.id)
          FROM "Availability" a WHERE a."participantId" = w.id), '[]'::json),
        'absences', COALESCE((SELECT json_agg(json_build_object('startsAt', b."startsAt", 'endsAt', b."endsAt") ORDER BY b."startsAt", b.id)
          FROM "Absence" b WHERE b."participantId" = w.id AND b."endsAt" > ${sqlTimestamp(from)}::timestamp(3) AND b."startsAt" < ${sqlTimestamp(to)}::timestamp(3)), '[]'::json)
      ) ORDER BY w.id) FROM "Participant" w
        WHERE w."anonymisedAt" IS NULL AND w."contractStart" < ${day(to)}::date AND w."contractEnd" >= ${day(from)}::date), '[]'::json) AS participants,
      COALESCE((SELECT json_agg(json_build_object(
        'id', s.id, 'maxTeamSize', s."maxTeamSize", 'weeklyMaxMinutes', s."weeklyMaxMinutes",
        'skills', COALESCE((SELECT json_agg(k.code ORDER BY k.code) FROM "SupervisorSkill" x JOIN "Skill" k ON k.id = x."skillId" WHERE x."supervisorId" = s.id), '[]'::json),
        'availability', COALESCE((SELECT json_agg(json_build_object('isoDay', a."isoDay", 'fromMinute', a."fromMinute", 'toMinute', a."toMinute") ORDER BY a."isoDay", a."fromMinute", a.id)
          FROM "Availability" a WHERE a."supervisorId" = s.id), '[]'::json),
        'absences', COALESCE((SELECT json_agg(json_build_object('startsAt', b."startsAt", 'endsAt', b."endsAt") ORDER BY b."startsAt", b.id)
          FROM "Absence" b WHERE b."supervisorId" = s.id AND b."endsAt" > ${sqlTimestamp(from)}::timestamp(3) AND b."startsAt" < ${sqlTimestamp(to)}::timestamp(3)), '[]'::json)
      ) ORDER BY s.id) FROM "Supervisor" s WHERE s.active), '[]'::json) AS supervisors,
      COALESCE((SELECT json_agg(id ORDER BY id) FROM "Site"), '[]'::json) AS sites,
      COALESCE((SELECT json_agg(json_build_object('fromSiteId', t."fromSiteId", 'toSiteId', t."toSiteId", 'minutes', t.minutes)) FROM "SiteTravel" t), '[]'::json) AS travel`,
  );
  // Timestamps come back as UTC wall time (timestamp without time zone, as Prisma stores them).
  const period = (p: Period) => ({ startsAt: new Date(`${p.startsAt}Z`), endsAt: new Date(`${p.endsAt}Z`) });
  const participants = row!.participants.map((w) => ({ ...w, absences: w.absences.map(period) }));
  const supervisors = row!.supervisors.map((s) => ({ ...s, absences: s.absences.map(period) }));
  const sites = row!.sites.map((id) => ({ id }));
  const travel = row!.travel;

  const travelFrom = new Map<string, Record<string, number>>();
  for (const t of travel) {
    const row = travelFrom.get(t.fromSiteId) ?? {};
    row[t.toSiteId] = t.minutes;
    travelFrom.set(t.fromSiteId, row);
  }
  const window = (a: { isoDay: number; fromMinute: number; toMinute: number }) => ({ day: a.isoDay, from: clock(a.fromMinute), to: clock(a.toMinute) });
  const absence = (a: { startsAt: Date; endsAt: Date }) => ({ from: toParisLocal(a.startsAt), to: toParisLocal(a.endsAt) });

  return {
    absences: new Map([...participants, ...supervisors].map((p) => [p.id, p.absences])),
    participantIds: new Set(participants.map((w) => w.id)),
    supervisorIds: new Set(supervisors.map((s) => s.id)),
    base: {
      timezone: PARIS,
      weekStart,
      sites: sites.map((s) => ({ id: s.id, travelMinutes: travelFrom.get(s.id) ?? {} })),
      participants: participants.map((w) => ({
        id: w.id,
        skills: w.skills,
        // The DPH bounds, whatever a record says: 3 to 16 hours.
        weeklyTargetHours: Math.min(16, Math.max(3, hours(w.weeklyTargetMinutes))),
        weeklyMaxHours: Math.min(16, hours(w.weeklyMaxMinutes)),
        hoursAlreadyPlanned: 0, // every intervention of the week is in the instance
        contractStart: w.contractStart,
        contractEnd: w.contractEnd,
        availability: w.availability.map(window),
        absences: w.absences.map(absence),
      })),
      supervisors: supervisors.map((s) => ({
        id: s.id,
        skills: s.skills,
        maxTeamSize: s.maxTeamSize,
        weeklyMaxHours: hours(s.weeklyMaxMinutes),
        availability: s.availability.map(window),
        absences: s.absences.map(absence),
      })),
    },
  };
}

/**
 * The week's plannable interventions, as the engine's requests (pins per the
 * policy) and as they stand. `people` may still be reading (outside a
 * transaction both reads go side by side on the pool).
 */
async function loadWeekRequests(weekStart: string, policy: PinPolicy, people: WeekPeople | Promise<WeekPeople>, tx: Db | TxClient) {
  const { from, to } = weekBounds(weekStart);
  // One statement (read under the week's lock): the nested Prisma read takes six.
  type Row = {
    id: string;
    siteId: string;
    startsAt: Date;
    latestStartAt: Date | null;
    durationMinutes: number;
    participantsNeeded: number;
    status: string;
    confirmedAt: Date | null;
    supervisorId: string | null;
    supervisorPinned: boolean;
    unstaffedRule: string | null;
    unstaffedReason: string | null;
    skill: string;
    assignments: { participantId: string; pinned: boolean }[];
    agreements: { participantId: string }[];
  };
  const interventions = await rawRows<Row>(
    tx,
    Prisma.sql`
    SELECT i.id, i."siteId", i."startsAt", i."latestStartAt", i."durationMinutes", i."participantsNeeded", i.status::text AS status,
      i."confirmedAt", i."supervisorId", i."supervisorPinned", i."unstaffedRule", i."unstaffedReason", k.code AS skill,
      COALESCE((SELECT json_agg(json_build_object('participantId', a."participantId", 'pinned', a.pinned) ORDER BY a."participantId")
        FROM "Assignment" a WHERE a."interventionId" = i.id), '[]'::json) AS assignments,
      COALESCE((SELECT json_agg(json_build_object('participantId', g."participantId") ORDER BY g."participantId")
        FROM "ScheduleChangeAgreement" g WHERE g."interventionId" = i.id AND g."usedAt" IS NULL), '[]'::json) AS agreements
    FROM "Intervention" i
    JOIN "ServiceRequest" r ON r.id = i."requestId"
    JOIN "Prestation" p ON p.id = r."prestationId"
    JOIN "Skill" k ON k.id = p."skillId"
    WHERE i."startsAt" >= ${sqlTimestamp(from)}::timestamp(3) AND i."startsAt" < ${sqlTimestamp(to)}::timestamp(3) AND i.status::text IN (${Prisma.join(LIVE)})
    ORDER BY i."startsAt", i.id`,
  );
  const { participantIds, supervisorIds, absences } = await people;
  const now = new Date();
  // What has already started (or been checked in) is history: its team stays
  // (its hours count towards the week's caps), and an intervention nobody
  // staffed in time is not staffed after the fact.
  const requests: Instance["requests"] = interventions
    .filter((i) => i.startsAt > now || i.status !== "ACCEPTED")
    .map((i) => {
      const staffed = i.status === "SCHEDULED" && i.supervisorId !== null;
      const history = (HISTORY as readonly string[]).includes(i.status);
      const started = i.startsAt <= now || history;
      const underNotice = staffed && i.confirmedAt !== null && policy.lockedBefore !== undefined && i.startsAt < policy.lockedBefore;
      // The one being re-staffed or steered (instant mode, the planning board).
      const steered = policy.kind === "keep-staffed" && policy.free.includes(i.id);
      const freed = steered && !started;
      const keepAll = started || (policy.kind === "keep-staffed" ? staffed && !freed : underNotice);
      // Re-staffing a confirmed intervention within the notice period (someone is absent):
      // the others keep their place, only the absent people's is filled again.
      const keepPresent = freed && underNotice;
      const endsAt = addMinutes(i.startsAt, i.durationMinutes);
      const present = (personId: string) => !(absences.get(personId) ?? []).some((a) => a.startsAt < endsAt && a.endsAt > i.startsAt);
      const pinnedParticipants = i.assignments
        // Kept within the notice period, unless the person agreed to a change (recorded by
        // the encadrant); what has started keeps everyone.
        .filter(
          (a) =>
            (a.pinned ||
              started ||
              (keepAll && !(policy.kind === "notice" && releasedByAgreement(i.agreements, a.participantId))) ||
              (keepPresent && present(a.participantId) && !releasedByAgreement(i.agreements, a.participantId))) &&
            participantIds.has(a.participantId),
        )
        .map((a) => a.participantId);
      const keepSupervisor = keepAll || i.supervisorPinned || (keepPresent && i.supervisorId !== null && present(i.supervisorId));
      const pinnedSupervisor = i.supervisorId && keepSupervisor && supervisorIds.has(i.supervisorId) ? i.supervisorId : undefined;
      // Kept with its whole team and encadrant (not the one being steered): sized to
      // that team, so the engine leaves it exactly as it stands, even a team the
      // coordination forced smaller or larger than asked. Otherwise its people would
      // look free at that time to the engine, not to the database.
      // A team pinned whole by hand (a forced team is) is kept the same way.
      const pinnedWhole = i.supervisorPinned && i.assignments.length > 0 && i.assignments.every((a) => a.pinned);
      const keptWhole = (keepAll || pinnedWhole) && !steered && pinnedSupervisor !== undefined && pinnedParticipants.length > 0 && pinnedParticipants.length === i.assignments.length;
      const start = toParisLocal(i.startsAt);
      // A kept intervention keeps its time too.
      const latest = !keepAll && !keepPresent && i.latestStartAt && i.latestStartAt > i.startsAt ? toParisLocal(i.latestStartAt) : undefined;
      return {
        id: i.id,
        siteId: i.siteId,
        skill: i.skill,
        start,
        durationMinutes: i.durationMinutes,
        // Pinned by hand beyond the team asked (forced): room for all of them.
        participantsNeeded: keptWhole ? pinnedParticipants.length : Math.max(i.participantsNeeded, pinnedParticipants.length),
        ...(latest ? { latestStart: latest } : {}),
        ...(pinnedSupervisor || pinnedParticipants.length
          ? { pinned: { ...(pinnedSupervisor ? { supervisorId: pinnedSupervisor } : {}), ...(pinnedParticipants.length ? { participantIds: pinnedParticipants } : {}) } }
          : {}),
      };
    });
  return { requests, interventions };
}

/**
 * Serialises every plan write of one week across processes: the second
 * worker waits for the first to commit, then plans from what it wrote.
 */
export async function lockWeek(tx: TxClient, weekStart: string) {
  await rawRows(tx, Prisma.sql`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`planning:${weekStart}`}))`);
}

type CurrentIntervention = {
  id: string;
  durationMinutes: number;
  startsAt: Date;
  status: string;
  unstaffedRule: string | null;
  unstaffedReason: string | null;
};
/** As loadWeekRequests read it: with its staffing and open agreements. */
type KnownIntervention = CurrentIntervention & { supervisorId: string | null; assignments: unknown[]; agreements: unknown[] };

/**
 * Writes the plan of the given interventions (others are left untouched), a
 * few statements whatever their number. In two steps, so a person moved from
 * one intervention to another never trips the database's no-double-booking
 * rule halfway. An intervention left unstaffed for the same reason as before
 * is not written again.
 */
export async function applyPlan(tx: TxClient, plan: Plan, interventionIds: readonly string[], known?: readonly KnownIntervention[]) {
  const targets = new Set(interventionIds);
  const assignments = plan.assignments.filter((a) => targets.has(a.requestId));
  const unassigned = plan.unassigned.filter((u) => targets.has(u.requestId));
  const current =
    known?.filter((i) => targets.has(i.id)) ??
    (await rawRows<CurrentIntervention>(
      tx,
      Prisma.sql`SELECT id, "durationMinutes", "startsAt", status::text AS status, "unstaffedRule", "unstaffedReason" FROM "Intervention" WHERE id = ANY(${[...targets]}::text[])`,
    ));
  const byId = new Map<string, CurrentIntervention>(current.map((i) => [i.id, i]));
  const knownById = new Map((known ?? []).map((i) => [i.id, i]));
  const plannable = (id: string) => (PLANNABLE as readonly string[]).includes(byId.get(id)?.status ?? "");

  const staffed = assignments.filter((a) => plannable(a.requestId));
  const ids = [...targets].filter(plannable);
  // Read with the plan (instant mode): a target that nobody staffs yet has nothing to clear.
  const clear = known ? ids.filter((id) => knownById.get(id)!.supervisorId !== null || knownById.get(id)!.assignments.length > 0) : ids;
  // A person pinned by hand stays pinned where the plan keeps them: the pin lasts until the coordination removes it.
  const pinned = new Set<string>();
  if (clear.length > 0) {
    // One statement: the teams removed (with their pins) and the encadrants cleared.
    const removed = await rawRows<{ interventionId: string; participantId: string; pinned: boolean }>(
      tx,
      Prisma.sql`
      WITH cleared AS (UPDATE "Intervention" SET "supervisorId" = NULL WHERE id = ANY(${clear}::text[]))
      DELETE FROM "Assignment" WHERE "interventionId" = ANY(${clear}::text[]) RETURNING "interventionId", "participantId", pinned`,
    );
    for (const a of removed) if (a.pinned) pinned.add(`${a.interventionId}:${a.participantId}`);
  }

  const moved: { interventionId: string; from: Date; to: Date }[] = [];
  const notifications: Parameters<typeof queueNotifications>[1] = [];
  const rows = staffed.map((a) => {
    const intervention = byId.get(a.requestId)!;
    const startsAt = fromParisLocal(a.start);
    const endsAt = addMinutes(startsAt, intervention.durationMinutes);
    const timeChanged = startsAt.getTime() !== intervention.startsAt.getTime();
    if (timeChanged) moved.push({ interventionId: a.requestId, from: intervention.startsAt, to: startsAt });
    // Partners hear of a new team, and of a new time; a change of people alone is ours to handle.
    if (intervention.status === "ACCEPTED") {
      notifications.push({ kind: "intervention.scheduled", subject: { interventionId: a.requestId }, version: startsAt.toISOString() });
    } else if (timeChanged) {
      notifications.push({ kind: "intervention.changed", subject: { interventionId: a.requestId }, version: startsAt.toISOString(), previousStartsAt: intervention.startsAt });
    }
    return { id: a.requestId, startsAt, endsAt, supervisorId: a.supervisorId, participantIds: a.participantIds };
  });
  const now = sqlTimestamp();
  if (rows.length > 0) {
    // One statement: the interventions staffed and their teams booked.
    const values = JSON.stringify(rows.map((r) => ({ id: r.id, startsAt: sqlTimestamp(r.startsAt), endsAt: sqlTimestamp(r.endsAt), supervisorId: r.supervisorId })));
    const team = JSON.stringify(
      rows.flatMap((r) =>
        r.participantIds.map((participantId) => ({
          interventionId: r.id,
          participantId,
          startsAt: sqlTimestamp(r.startsAt),
          endsAt: sqlTimestamp(r.endsAt),
          pinned: pinned.has(`${r.id}:${participantId}`),
        })),
      ),
    );
    await rawRows(
      tx,
      Prisma.sql`
      WITH staffed AS (
        UPDATE "Intervention" AS i
        SET "startsAt" = v."startsAt", "endsAt" = v."endsAt", "supervisorId" = v."supervisorId", status = 'SCHEDULED',
            "unstaffedRule" = NULL, "unstaffedReason" = NULL, "confirmedAt" = COALESCE(i."confirmedAt", ${now}::timestamp(3)),
            "updatedAt" = ${now}::timestamp(3)
        FROM jsonb_to_recordset(${values}::jsonb) AS v(id text, "startsAt" timestamp(3), "endsAt" timestamp(3), "supervisorId" text)
        WHERE i.id = v.id)
      INSERT INTO "Assignment" ("interventionId", "participantId", "startsAt", "endsAt", pinned, "createdAt")
      SELECT a."interventionId", a."participantId", a."startsAt", a."endsAt", a.pinned, ${now}::timestamp(3)
      FROM jsonb_to_recordset(${team}::jsonb) AS a("interventionId" text, "participantId" text, "startsAt" timestamp(3), "endsAt" timestamp(3), pinned boolean)`,
    );
  }
  await queueNotifications(tx, notifications);

  const explained = unassigned.filter((u) => {
    const i = byId.get(u.requestId);
    return i && plannable(u.requestId) && (i.status !== "ACCEPTED" || i.unstaffedRule !== u.rule || i.unstaffedReason !== u.reason);
  });
  if (explained.length > 0) {
    const values = JSON.stringify(explained.map((u) => ({ id: u.requestId, rule: u.rule, reason: u.reason })));
    await rawRows(
      tx,
      Prisma.sql`
      UPDATE "Intervention" AS i
      SET status = 'ACCEPTED', "unstaffedRule" = v.rule, "unstaffedReason" = v.reason, "updatedAt" = ${now}::timestamp(3)
      FROM jsonb_to_recordset(${values}::jsonb) AS v(id text, rule text, reason text)
      WHERE i.id = v.id`,
    );
    // Coordination hears of an intervention no team can do (once per cause and time).
    await queueNotifications(
      tx,
      explained.map((u) => ({ kind: "intervention.unstaffable" as const, subject: { interventionId: u.requestId }, version: `${u.rule}:${byId.get(u.requestId)!.startsAt.toISOString()}` })),
    );
  }
  // Staffed is confirmed (set above); agreements to settle exist only where the plan read some.
  await settleConfirmations(tx, known ? ids.filter((id) => knownById.get(id)!.agreements.length > 0) : ids);
  return { staffed: staffed.length, unstaffed: unassigned.length, moved, staffedIds: staffed.map((a) => a.requestId) };
}

/**
 * Plans one week in one transaction, under the week's lock: loads the
 * instance, lets the engine solve it (a pure function passed in), and writes
 * the plan of the target interventions (all of the week's when omitted).
 */
export async function planWeek(weekStart: string, policy: PinPolicy, solve: (instance: Instance) => Promise<Plan> | Plan, targetIds?: readonly string[] | ((instance: Instance) => string[])) {
  return db().$transaction(
    async (tx) => {
      await lockWeek(tx, weekStart);
      const instance = await loadWeekInstance(weekStart, policy, tx);
      const plan = await solve(instance);
      // Started interventions are in the instance for the week's hours only (or
      // not at all, unstaffed): never rewritten, whatever the caller targets.
      const now = new Date();
      const open = new Set(instance.requests.filter((r) => fromParisLocal(r.start) > now).map((r) => r.id));
      const wanted = typeof targetIds === "function" ? targetIds(instance) : (targetIds ?? [...open]);
      const targets = wanted.filter((id) => open.has(id));
      return { instance, plan, ...(await applyPlan(tx, plan, targets)) };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/**
 * Instant mode's pass over one week: every accepted intervention of the week
 * still waiting is placed around the staffed ones, which stay exactly as they
 * are (`insert` is the engine's insertion). As the weekly job does, the week
 * is read and the insertion computed without the lock; under the week's lock
 * the week is read again (one statement) and the plan written at once if it
 * is still the week the insertion saw, give or take interventions accepted
 * since (insertionHolds: the next pass's). If another pass or process wrote in
 * between, the insertion is computed again there, on the week as it is now
 * (the fallback: correct whatever happened, only slower). The lock is held
 * for one read, a comparison and the writes.
 */
export async function staffWaitingInWeek(weekStart: string, insert: (instance: Instance) => Plan, onSnapshot = () => {}) {
  const timings: Partial<PassTimings> = { started: Date.now() };
  const policy: PinPolicy = { kind: "keep-staffed", free: [] };
  // Both reads at once on the pool: one round trip for the pass, not two.
  const reading = loadWeekPeople(weekStart);
  reading.catch(() => {}); // awaited below; a failure is thrown there, not left unhandled meanwhile
  const seen = await loadWeekRequests(weekStart, policy, reading, db());
  const people = await reading;
  timings.read = Date.now();
  onSnapshot();
  const proposal = proposeInsertion(seen, people, insert);
  timings.computed = Date.now();
  // Straight on a pool connection, not Prisma's interactive transaction: several passes a
  // second hold the week's lock, and Prisma's engine cost the worker several times the statements.
  const pass = await sqlTransaction(async (tx) => {
    await lockWeek(tx, weekStart);
    timings.locked = Date.now();
    const read = await loadWeekRequests(weekStart, policy, people, tx);
    const stillSeen = insertionHolds(read, seen);
    const { waiting, plan } = stillSeen ? proposal : proposeInsertion(read, people, insert);
    const result = plan === null ? null : await applyPlan(tx, plan, waiting, read.interventions);
    timings.written = Date.now();
    const before = read.interventions.filter((i) => i.status === "SCHEDULED").map((i) => i.id);
    /** Every intervention of the week staffed once the pass commits. */
    return { scheduled: new Set([...before, ...(result?.staffedIds ?? [])]), staffed: result?.staffed ?? 0, optimistic: stillSeen };
  });
  return { ...pass, timings: { ...timings, committed: Date.now(), optimistic: pass.optimistic } as PassTimings };
}

/** When a pass of instant mode reached each step (epoch ms), and whether its insertion held: where its time goes (the benchmark prints them). */
export type PassTimings = { started: number; read: number; computed: number; locked: number; written: number; committed: number; optimistic: boolean };

type WeekRead = Awaited<ReturnType<typeof loadWeekRequests>>;

/** The waiting interventions of a read of the week and the engine's insertion of them (none: no plan). */
function proposeInsertion(read: WeekRead, people: WeekPeople, insert: (instance: Instance) => Plan) {
  const inPlan = new Set(read.requests.map((r) => r.id));
  const waiting = read.interventions.filter((i) => i.status === "ACCEPTED" && inPlan.has(i.id)).map((i) => i.id);
  return { waiting, plan: waiting.length === 0 ? null : insert({ ...people.base, requests: read.requests }) };
}

/**
 * The insertion computed on `seen` still holds on `read` (the week under the
 * lock) when both give the same requests and the same rows as they stand,
 * apart from interventions accepted since `seen` was read: they wait, so they
 * take nobody's time nor hours, and the insertion of the others is the one the
 * pass would have computed had it read a moment earlier. They are left to the
 * next pass (their own job starts or joins one: this one had already read).
 * At 20 acceptances a second nearly every pass meets some; computing again
 * under the lock for them made the lock the bottleneck.
 */
function insertionHolds(read: WeekRead, seen: WeekRead) {
  const seenIds = new Set(seen.interventions.map((i) => i.id));
  const newlyWaiting = new Set(read.interventions.filter((i) => !seenIds.has(i.id) && i.status === "ACCEPTED" && i.supervisorId === null && i.assignments.length === 0).map((i) => i.id));
  const requests = read.requests.filter((r) => !newlyWaiting.has(r.id));
  const interventions = read.interventions.filter((i) => !newlyWaiting.has(i.id));
  return JSON.stringify(requests) === JSON.stringify(seen.requests) && JSON.stringify(interventions) === JSON.stringify(seen.interventions);
}

/** The interventions of a request still waiting for a team, with their weeks. */
export async function interventionsToStaff(requestId: string) {
  // Every acceptance's job reads it: straight on the pool (Prisma's engine costs several times the query).
  // Already explained as unstaffed: tried, and left to the re-planning jobs.
  return rawRows<{ id: string; startsAt: Date }>(
    db(),
    Prisma.sql`SELECT id, "startsAt" FROM "Intervention" WHERE "requestId" = ${requestId} AND status = 'ACCEPTED' AND "unstaffedReason" IS NULL ORDER BY "startsAt", id`,
  );
}

export async function getIntervention(interventionId: string) {
  return db().intervention.findUnique({ where: { id: interventionId }, select: { id: true, startsAt: true, status: true } });
}

/**
 * A run of the optimisation. The weekly job's runs are one per job: a job
 * taken up again after its worker died carries on the same run, rather than
 * leaving the first one "running" for ever beside a second.
 */
export async function startPlanningRun(weekStart: string, trigger: "schedule" | "coordinator", jobId?: string) {
  const data = { weekStart: new Date(`${weekStart}T00:00:00Z`), trigger, status: "running" };
  if (!jobId) return db().planningRun.create({ data });
  const id = `job-${sha256(jobId).slice(0, 24)}`;
  return db().planningRun.upsert({ where: { id }, create: { id, ...data }, update: { status: "running", finishedAt: null } });
}

export async function finishPlanningRun(id: string, status: "done" | "failed", stats: object) {
  await db().planningRun.update({ where: { id }, data: { status, stats: stats as never, finishedAt: new Date() } });
}
