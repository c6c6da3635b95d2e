// Small builders shared by prisma/seed.ts and the tests. Each takes a Prisma client (or a
// transaction client) and overrides, fills the rest with plain defaults and returns the row.
// Unique columns get a counter plus a per-module-load tag, so two test files sharing a
// database never collide and nothing depends on randomness.
// Includes load at most one relation per level: inside an interactive transaction Prisma fetches
// sibling relations concurrently on the one pg client, which pg 8.19+ flags as deprecated.
import type { Prisma, PrismaClient } from "../../app/generated/prisma/client.ts";
import { OrganisationKind, PricingUnit, Role } from "../../app/generated/prisma/enums.ts";
import { addMinutes } from "../../app/utils/time.ts";

export type Db = PrismaClient | Prisma.TransactionClient;

const DAY_MS = 86_400_000;
const RUN = `${process.pid.toString(36)}${process.hrtime.bigint().toString(36)}`;
let sequence = 0;
const next = () => ++sequence;
const unique = (prefix: string, n: number) => `${prefix}-${n}-${RUN}`;

/** Weekly window of a person: ISO day (1 = Monday), minutes from midnight. */
export type WindowInput = { isoDay: number; fromMinute: number; toMinute: number };
export type AbsenceInput = { startsAt: Date; endsAt: Date };

/** Monday to Friday, 08:00–17:00. */
export const WEEKDAYS_8_TO_17: WindowInput[] = [1, 2, 3, 4, 5].map((isoDay) => ({
  isoDay,
  fromMinute: 8 * 60,
  toMinute: 17 * 60,
}));

const PARTNER_ROLES: Role[] = [Role.PARTNER_ADMIN, Role.PARTNER_MEMBER];

export async function createOrganisation(db: Db, overrides: Partial<Prisma.OrganisationUncheckedCreateInput> = {}) {
  const n = next();
  return db.organisation.create({
    data: { kind: OrganisationKind.PARTNER, name: `Organisation ${n}`, slug: unique("organisation", n), ...overrides },
  });
}

export async function createUser(db: Db, overrides: Partial<Omit<Prisma.UserUncheckedCreateInput, "membership">> & { organisationId?: string; role?: Role } = {}) {
  const n = next();
  const { organisationId, role = Role.PARTNER_MEMBER, ...data } = overrides;
  const orgId =
    organisationId ??
    (
      await createOrganisation(db, {
        kind: PARTNER_ROLES.includes(role) ? OrganisationKind.PARTNER : OrganisationKind.CONCIERGERIE,
      })
    ).id;
  return db.user.create({
    data: {
      email: `${unique("personne", n)}@test.example`,
      name: `Personne ${n}`,
      passwordHash: null, // pass an already-hashed password: hashing here would slow every test
      ...data,
      membership: { create: { organisationId: orgId, role } },
    },
    include: { membership: true },
  });
}

export async function createSite(db: Db, overrides: Partial<Prisma.SiteUncheckedCreateInput> = {}) {
  const n = next();
  const organisationId = overrides.organisationId ?? (await createOrganisation(db)).id;
  return db.site.create({
    data: {
      name: `Site ${n}`,
      address: `${n} rue de l'Exemple`,
      postalCode: "75012",
      city: "Paris",
      ...overrides,
      organisationId,
    },
  });
}

export async function createSkill(db: Db, overrides: Partial<Prisma.SkillUncheckedCreateInput> = {}) {
  const n = next();
  return db.skill.create({ data: { code: unique("competence", n), label: `Compétence ${n}`, ...overrides } });
}

export async function createPrestation(db: Db, overrides: Partial<Prisma.PrestationUncheckedCreateInput> = {}) {
  const n = next();
  const skillId = overrides.skillId ?? (await createSkill(db)).id;
  return db.prestation.create({
    data: {
      code: unique("prestation", n),
      category: "Divers",
      name: `Prestation ${n} ${RUN}`,
      description: `Description de la prestation ${n}.`,
      pricingUnit: PricingUnit.PER_PARTICIPANT_HOUR,
      priceCents: 2000,
      vatRateBasisPoints: 2000,
      minNoticeDays: 2,
      defaultDurationMinutes: 180,
      defaultTeamSize: 3,
      ...overrides,
      skillId,
    },
  });
}

/** One dated occurrence; organisationId and siteId default to the request's. */
export type InterventionInput = Partial<Omit<Prisma.InterventionUncheckedCreateWithoutServiceRequestInput, "assignments">> & {
  participantIds?: string[];
};

/**
 * A service request with its interventions (one SUBMITTED occurrence a week from now by
 * default). Price, VAT, duration and team size are copied from the prestation unless given.
 */
export async function createServiceRequest(
  db: Db,
  overrides: Partial<Omit<Prisma.ServiceRequestUncheckedCreateInput, "interventions">> & {
    interventions?: InterventionInput[];
  } = {},
) {
  const n = next();
  const { interventions = [{}], ...data } = overrides;
  let { organisationId, siteId } = data;
  if (!siteId) {
    const site = await createSite(db, organisationId ? { organisationId } : {});
    siteId = site.id;
    organisationId ??= site.organisationId;
  }
  organisationId ??= (await db.site.findUniqueOrThrow({ where: { id: siteId } })).organisationId;
  const copied = ["unitPriceCents", "vatRateBasisPoints", "durationMinutes", "teamSize"] as const;
  const prestation =
    data.prestationId && copied.every((key) => data[key] !== undefined)
      ? null
      : data.prestationId
        ? await db.prestation.findUniqueOrThrow({ where: { id: data.prestationId } })
        : await createPrestation(db);
  const durationMinutes = data.durationMinutes ?? prestation!.defaultDurationMinutes;
  const teamSize = data.teamSize ?? prestation!.defaultTeamSize;
  return db.serviceRequest.create({
    data: {
      ...data,
      reference: data.reference ?? `DEM-TEST-${String(n).padStart(5, "0")}-${RUN}`,
      prestationId: data.prestationId ?? prestation!.id,
      unitPriceCents: data.unitPriceCents ?? prestation!.priceCents,
      vatRateBasisPoints: data.vatRateBasisPoints ?? prestation!.vatRateBasisPoints,
      durationMinutes,
      teamSize,
      organisationId,
      siteId,
      interventions: {
        create: interventions.map(({ participantIds = [], ...intervention }) => {
          const startsAt = new Date(intervention.startsAt ?? Date.now() + 7 * DAY_MS);
          const endsAt = addMinutes(startsAt, intervention.durationMinutes ?? durationMinutes);
          return {
            durationMinutes,
            participantsNeeded: teamSize,
            organisationId,
            siteId,
            ...intervention,
            startsAt,
            endsAt,
            assignments: { create: participantIds.map((participantId) => ({ participantId, startsAt, endsAt })) },
          };
        }),
      },
    },
    include: { interventions: { include: { assignments: true }, orderBy: { startsAt: "asc" } } },
  });
}

type PersonExtras = { skillIds?: string[]; availability?: WindowInput[]; absences?: AbsenceInput[] };

const FIRST_NAMES = ["Moussa", "Ahmad", "Jean-Pierre", "Fatoumata", "Tesfaye", "Karim", "Ion", "Awa"];

/** A salarié en insertion; available Monday to Friday 08:00–17:00 unless told otherwise. */
export async function createParticipant(db: Db, overrides: Partial<Omit<Prisma.ParticipantUncheckedCreateInput, "skills" | "availability" | "absences" | "assignments">> & PersonExtras = {}) {
  const n = next();
  const { skillIds = [], availability = WEEKDAYS_8_TO_17, absences = [], ...data } = overrides;
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const start = data.contractStart ? new Date(data.contractStart) : today;
  const end = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate()) - DAY_MS);
  return db.participant.create({
    data: {
      firstName: FIRST_NAMES[(n - 1) % FIRST_NAMES.length],
      lastInitial: String.fromCharCode(65 + ((n - 1) % 26)),
      contractStart: start,
      contractEnd: end,
      weeklyTargetMinutes: 360,
      ...data,
      skills: { create: skillIds.map((skillId) => ({ skillId })) },
      availability: { createMany: { data: availability } },
      absences: { createMany: { data: absences } },
    },
  });
}

/** An encadrant technique; available Monday to Friday 08:00–17:00 unless told otherwise. */
export async function createSupervisor(db: Db, overrides: Partial<Omit<Prisma.SupervisorUncheckedCreateInput, "skills" | "availability" | "absences" | "interventions">> & PersonExtras = {}) {
  const n = next();
  const { skillIds = [], availability = WEEKDAYS_8_TO_17, absences = [], ...data } = overrides;
  return db.supervisor.create({
    data: {
      firstName: "Encadrant",
      lastName: `Numéro ${n}`,
      ...data,
      skills: { create: skillIds.map((skillId) => ({ skillId })) },
      availability: { createMany: { data: availability } },
      absences: { createMany: { data: absences } },
    },
  });
}
