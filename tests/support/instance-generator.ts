// Deterministic generator of realistic scheduling instances (one week of La
// Conciergerie Solidaire's work, scaled to N requests) for property tests and
// the benchmark. Same options, same instance. It has its own seeded random
// generator and depends on the domain only for the Instance type.
import type { Instance } from "../../app/domain/scheduling/instance";
import { seededRandom } from "../../app/utils/seeded-random.ts";

export interface GeneratorOptions {
  /** Number of requests (interventions) in the week. */
  requests: number;
  seed?: number;
  /** Give ~60% of the requests a latestStart 15 min to 2 h after start. */
  timeWindows?: boolean;
  /** Share of requests given a latestStart (default 0.6 with timeWindows, else 0). */
  timeWindowShare?: number;
  /** Share of pinned requests (default 0.03). */
  pinnedShare?: number;
  /** Participant-minutes asked / participant-minutes targeted (default 1.15: a bit more work than hours). */
  tightness?: number;
  /** Override the number of workers / supervisors (default: scaled to the demand). */
  participants?: number;
  supervisors?: number;
  /** A Monday (default 2026-12-07). */
  weekStart?: string;
}

type Site = { id: string; skills: string[]; weight: number };

const SITES: Site[] = [
  { id: "gare-de-lyon", skills: ["nettoyage", "dechets"], weight: 4 },
  { id: "bercy-sncf", skills: ["nettoyage", "espaces-verts", "dechets"], weight: 3 },
  { id: "austerlitz", skills: ["accueil", "tri-vestiaire", "nettoyage", "bricolage", "courrier"], weight: 3 },
  { id: "bastion-de-bercy", skills: ["espaces-verts", "compostage", "bricolage"], weight: 2 },
  { id: "cinq-toits", skills: ["service-salle", "cuisine", "espaces-verts", "courrier"], weight: 3 },
  { id: "mon-jardin-chocolate", skills: ["espaces-verts", "compostage"], weight: 1 },
  { id: "table-du-recho", skills: ["service-salle", "cuisine"], weight: 2 },
  { id: "chaumes-en-brie", skills: ["espaces-verts", "bricolage", "compostage"], weight: 1 },
];

// Travel minutes between sites; pairs left out default to 60 in the contract.
const TRAVEL: Record<string, Record<string, number>> = {
  "gare-de-lyon": { "bercy-sncf": 10, austerlitz: 15, "bastion-de-bercy": 15, "cinq-toits": 40, "mon-jardin-chocolate": 30, "table-du-recho": 35 },
  "bercy-sncf": { austerlitz: 20, "bastion-de-bercy": 10, "cinq-toits": 45, "table-du-recho": 40 },
  austerlitz: { "bastion-de-bercy": 20, "cinq-toits": 35, "mon-jardin-chocolate": 30, "table-du-recho": 40 },
  "bastion-de-bercy": { "cinq-toits": 35, "mon-jardin-chocolate": 25, "chaumes-en-brie": 70 },
  "cinq-toits": { "table-du-recho": 45 },
  "mon-jardin-chocolate": { "table-du-recho": 30 },
  "table-du-recho": {},
  "chaumes-en-brie": {},
};

const PARTICIPANT_WINDOWS = [
  ["08:00", "12:00"],
  ["13:00", "17:00"],
  ["08:00", "17:00"],
  ["09:00", "16:00"],
  ["07:30", "13:30"],
];
const SUPERVISOR_WINDOWS = [
  ["08:00", "17:00"],
  ["07:30", "16:30"],
  ["09:00", "18:00"],
];

const pad = (n: number) => String(n).padStart(2, "0");
const DAY_MS = 86_400_000;

function dateText(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}
function dateTimeText(dayMs: number, minuteOfDay: number): string {
  return `${dateText(dayMs)}T${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}

export function generateInstance(options: GeneratorOptions): Instance {
  const random = seededRandom(options.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weighted = <T>(items: readonly T[], weights: readonly number[]): T => {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = random() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i];
      if (x < 0) return items[i];
    }
    return items[items.length - 1];
  };
  const pickDistinct = <T>(items: readonly T[], weights: readonly number[], count: number): T[] => {
    const chosen = new Set<T>();
    for (let guard = 0; chosen.size < Math.min(count, items.length) && guard < 100; guard++) chosen.add(weighted(items, weights));
    return [...chosen];
  };

  const weekStart = options.weekStart ?? "2026-12-07";
  const mondayMs = Date.parse(`${weekStart}T00:00:00Z`);
  const tightness = options.tightness ?? 1.15;
  const pinnedShare = options.pinnedShare ?? 0.03;
  const timeWindowShare = options.timeWindowShare ?? (options.timeWindows ? 0.6 : 0);

  // Requests first, so people can be scaled to the demand.
  type Draft = Instance["requests"][number];
  const requests: Draft[] = [];
  const skillDemand = new Map<string, number>();
  let participantMinutes = 0;
  let supervisorMinutes = 0;
  for (let i = 0; i < options.requests; i++) {
    const site = weighted(
      SITES,
      SITES.map((s) => s.weight),
    );
    const skill = pick(site.skills);
    const day = chance(0.05) ? 5 : int(0, 4);
    const start = 7 * 60 + 30 + 30 * int(0, 15); // 07:30 .. 15:00
    const durationMinutes = weighted([90, 120, 150, 180, 210, 240], [2, 4, 3, 4, 1, 2]);
    const participantsNeeded = weighted([1, 2, 3, 4], [35, 40, 18, 7]);
    const request: Draft = {
      id: `r-${String(i + 1).padStart(4, "0")}`,
      siteId: site.id,
      skill,
      start: dateTimeText(mondayMs + day * DAY_MS, start),
      durationMinutes,
      participantsNeeded,
    };
    if (timeWindowShare > 0 && chance(timeWindowShare)) request.latestStart = dateTimeText(mondayMs + day * DAY_MS, start + 15 * int(1, 8));
    requests.push(request);
    skillDemand.set(skill, (skillDemand.get(skill) ?? 0) + durationMinutes * participantsNeeded);
    participantMinutes += durationMinutes * participantsNeeded;
    supervisorMinutes += durationMinutes;
  }
  const skills = [...new Set(SITES.flatMap((s) => s.skills))].sort();
  const skillWeights = skills.map((s) => (skillDemand.get(s) ?? 0) + 60);

  const participantCount = options.participants ?? Math.max(2, Math.round(participantMinutes / (9 * 60 * tightness)));
  const participants: Instance["participants"] = [];
  for (let i = 0; i < participantCount; i++) {
    const target = weighted([3, 4, 5, 6, 8, 10, 12, 14, 16], [1, 2, 2, 3, 3, 3, 2, 1, 1]);
    const max = Math.min(16, target + pick([0, 2, 4, 6]));
    const already = chance(0.3) ? Math.min(max - 1, pick([1, 2, 3, 4])) : 0;
    // Most contracts cover the week; a few end or start during it.
    let contractStartMs = mondayMs - int(0, 330) * DAY_MS;
    let contractEndMs = Date.UTC(new Date(contractStartMs).getUTCFullYear() + 1, new Date(contractStartMs).getUTCMonth(), new Date(contractStartMs).getUTCDate()) - DAY_MS;
    if (chance(0.04)) contractEndMs = mondayMs + int(0, 4) * DAY_MS;
    if (chance(0.04)) {
      contractStartMs = mondayMs + int(1, 4) * DAY_MS;
      contractEndMs = contractStartMs + 300 * DAY_MS;
    }
    if (contractEndMs < contractStartMs) contractEndMs = contractStartMs;
    const days = pickDistinct([1, 2, 3, 4, 5, 6], [5, 5, 5, 5, 5, 1], int(2, 5)).sort();
    const availability = days.map((day) => {
      const [from, to] = pick(PARTICIPANT_WINDOWS);
      return { day, from, to };
    });
    const absences: Instance["participants"][number]["absences"] = [];
    if (chance(0.08)) {
      const dayMs = mondayMs + int(0, 5) * DAY_MS;
      absences.push({ from: dateTimeText(dayMs, 0), to: dateTimeText(dayMs + DAY_MS, 0) });
    } else if (chance(0.03)) {
      const dayMs = mondayMs + int(0, 4) * DAY_MS;
      absences.push({ from: dateTimeText(dayMs, 8 * 60), to: dateTimeText(dayMs, 12 * 60) });
    }
    participants.push({
      id: `w-${String(i + 1).padStart(3, "0")}`,
      skills: pickDistinct(skills, skillWeights, int(2, 3)).sort(),
      weeklyTargetHours: target,
      weeklyMaxHours: max,
      hoursAlreadyPlanned: already,
      contractStart: dateText(contractStartMs),
      contractEnd: dateText(contractEndMs),
      availability,
      absences,
    });
  }

  const supervisorCount = options.supervisors ?? Math.max(1, Math.ceil(supervisorMinutes / (26 * 60)));
  const supervisors: Instance["supervisors"] = [];
  for (let i = 0; i < supervisorCount; i++) {
    const [from, to] = pick(SUPERVISOR_WINDOWS);
    const dayOff = chance(0.3) ? int(1, 5) : 0;
    const availability = [1, 2, 3, 4, 5].filter((d) => d !== dayOff).map((day) => ({ day, from, to }));
    if (chance(0.15)) availability.push({ day: 6, from: "08:00", to: "13:00" });
    const absences: Instance["supervisors"][number]["absences"] = [];
    if (chance(0.05)) {
      const dayMs = mondayMs + int(0, 4) * DAY_MS;
      absences.push({ from: dateTimeText(dayMs, 0), to: dateTimeText(dayMs + DAY_MS, 0) });
    }
    supervisors.push({
      id: `e-${String(i + 1).padStart(2, "0")}`,
      skills: pickDistinct(skills, skillWeights, int(3, 5)).sort(),
      maxTeamSize: weighted([3, 4, 5, 6], [1, 2, 3, 3]),
      ...(chance(0.2) ? { weeklyMaxHours: 28 } : {}),
      availability,
      absences,
    });
  }

  // Pins: a supervisor and/or workers who have the skill (not always free: that is H8).
  for (const request of requests) {
    if (!chance(pinnedShare)) continue;
    const skilledSupervisors = supervisors.filter((s) => s.skills.includes(request.skill));
    const skilledParticipants = participants.filter((w) => w.skills.includes(request.skill));
    const pin: NonNullable<Draft["pinned"]> = {};
    if (skilledSupervisors.length && chance(0.7)) pin.supervisorId = pick(skilledSupervisors).id;
    if (skilledParticipants.length && chance(0.6)) {
      const count = int(1, Math.min(request.participantsNeeded, skilledParticipants.length));
      pin.participantIds = pickDistinct(
        skilledParticipants.map((w) => w.id),
        skilledParticipants.map(() => 1),
        count,
      );
    }
    request.pinned = pin;
  }

  const sites = SITES.map((s) => ({ id: s.id, travelMinutes: { ...TRAVEL[s.id] } }));
  return { timezone: "Europe/Paris", weekStart, sites, participants, supervisors, requests };
}
