// Deterministic generator of city-scale scheduling weeks: every insertion
// structure of a city on one platform (issue 23). Each structure has its own
// encadrants and people, its sites around its base in Paris or the suburbs,
// and its own prestations; a share of the sites is also served by a
// neighbouring structure. Demand (participant-minutes asked) is close to the
// people's weekly targets. Same options, same week.
//
// People of a structure are its own: the instance format has no structure,
// so a structure's prestations are skills of its own ("s-017/nettoyage"); only
// its people have them, and a request asks one structure's skill (on a shared
// site, either structure's). Travel is listed between the sites one structure
// serves (pairs left out default to 60 minutes, and no one travels between them).
import type { Instance } from "../../app/domain/scheduling/instance";
import { seededRandom } from "../../app/utils/seeded-random.ts";

/** The city the issue asks for: 100 structures, 800 encadrants, 15,000 people, 20,000 interventions. */
export const CITY_SCALE = { requests: 20_000, structures: 100, supervisors: 800, participants: 15_000 } as const;

export interface CityOptions {
  /** Interventions in the week; the other counts scale with it (CITY_SCALE's ratios) unless given. */
  requests: number;
  seed?: number;
  structures?: number;
  supervisors?: number;
  participants?: number;
  /** Participant-minutes asked / participant-minutes the people target (default 1: demand close to capacity). */
  tightness?: number;
  /** Share of requests with a start window (latestStart 15 min to 2 h later); default 0.3. */
  timeWindowShare?: number;
  /** Share of pinned requests (default 0.02). */
  pinnedShare?: number;
  /** Share of a structure's sites also served by its nearest neighbour (default 0.1). */
  sharedSiteShare?: number;
  /** A Monday (default 2026-12-07). */
  weekStart?: string;
}

export interface CityStructure {
  id: string;
  /** Where it is based, in km from Notre-Dame (x east, y north). */
  x: number;
  y: number;
  inParis: boolean;
  skills: string[];
  /** Sites it owns, then sites of a neighbour it also serves. */
  siteIds: string[];
  sharedSiteIds: string[];
  participantIds: string[];
  supervisorIds: string[];
}

export interface City {
  instance: Instance;
  structures: CityStructure[];
  /** Where each site is, in km from Notre-Dame. */
  sites: Record<string, { x: number; y: number; structureId: string }>;
}

const PRESTATIONS = ["espaces-verts", "nettoyage", "dechets", "tri-vestiaire", "bricolage", "service-salle", "cuisine", "accueil", "courrier", "compostage"];
/** Paris intra-muros is about 6 km around Notre-Dame; the inner suburbs reach some 12 km, the outer ones 30. */
const PARIS_RADIUS_KM = 6;
const TEAM_SIZES = [2, 3, 4];
const TEAM_WEIGHTS = [4, 4, 2];
/** Durations as multiples of the mean (rounded to 15 minutes). */
const DURATION_FACTORS = [0.67, 0.83, 1, 1.17, 1.33];
const DURATION_WEIGHTS = [2, 3, 4, 3, 2];
const TARGET_HOURS = [8, 10, 12, 14, 16];
const TARGET_WEIGHTS = [2, 3, 4, 3, 2];
const PARTICIPANT_WINDOWS: Array<[string, string]> = [
  ["08:00", "17:00"],
  ["08:00", "17:00"],
  ["08:00", "12:30"],
  ["13:00", "17:30"],
  ["09:00", "16:00"],
];
const SUPERVISOR_WINDOWS: Array<[string, string]> = [
  ["08:00", "17:30"],
  ["07:30", "16:30"],
  ["09:00", "18:00"],
];
const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const dateText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateTimeText = (dayMs: number, minute: number) => `${dateText(dayMs)}T${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;

/** Minutes by public transport between two points: 10 to get going, then about 20 km/h, in steps of 5, at most 2 hours. */
export function travelMinutes(a: { x: number; y: number }, b: { x: number; y: number }): number {
  const km = Math.hypot(a.x - b.x, a.y - b.y);
  return Math.min(120, 5 * Math.round((10 + 3 * km) / 5));
}

export function generateCity(options: CityOptions): City {
  const random = seededRandom(options.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weighted = <T>(items: readonly T[], weights: readonly number[]): T => {
    let x = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((x -= weights[i]) < 0) return items[i];
    return items[items.length - 1];
  };
  const distinct = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    return chosen;
  };
  /** Split `total` into parts proportional to `weights`, each at least `least`, summing to total. */
  const apportion = (total: number, weights: number[], least: number): number[] => {
    const sum = weights.reduce((a, b) => a + b, 0);
    const parts = weights.map((w) => Math.max(least, Math.floor((total * w) / sum)));
    for (let i = 0, left = total - parts.reduce((a, b) => a + b, 0); left !== 0; i = (i + 1) % parts.length) {
      if (left > 0) {
        parts[i]++;
        left--;
      } else if (parts[i] > least) {
        parts[i]--;
        left++;
      }
    }
    return parts;
  };

  const scale = options.requests / CITY_SCALE.requests;
  const structureCount = options.structures ?? Math.max(2, Math.round(CITY_SCALE.structures * scale));
  const supervisorCount = Math.max(structureCount, options.supervisors ?? Math.round(CITY_SCALE.supervisors * scale));
  const participantCount = Math.max(2 * structureCount, options.participants ?? Math.round(CITY_SCALE.participants * scale));
  const tightness = options.tightness ?? 1;
  const timeWindowShare = options.timeWindowShare ?? 0.3;
  const pinnedShare = options.pinnedShare ?? 0.02;
  const sharedSiteShare = options.sharedSiteShare ?? 0.1;
  const weekStart = options.weekStart ?? "2026-12-07";
  const mondayMs = Date.parse(`${weekStart}T00:00:00Z`);

  // Structures: a base in Paris (40 %), the inner (45 %) or outer suburbs, a size, 3 to 5 prestations.
  const structures: CityStructure[] = [];
  const sizes: number[] = [];
  for (let s = 0; s < structureCount; s++) {
    const ring = weighted(["paris", "inner", "outer"], [40, 45, 15]);
    const radius = ring === "paris" ? PARIS_RADIUS_KM * Math.sqrt(random()) : ring === "inner" ? 6 + 6 * random() : 12 + 18 * random();
    const angle = 2 * Math.PI * random();
    const id = `s-${pad(s + 1, 3)}`;
    structures.push({
      id,
      x: Math.round(radius * Math.cos(angle) * 100) / 100,
      y: Math.round(radius * Math.sin(angle) * 100) / 100,
      inParis: ring === "paris",
      skills: distinct(PRESTATIONS, int(3, 5))
        .map((p) => `${id}/${p}`)
        .sort(),
      siteIds: [],
      sharedSiteIds: [],
      participantIds: [],
      supervisorIds: [],
    });
    sizes.push(0.5 + random());
  }
  const requestShares = apportion(options.requests, sizes, 1);
  const participantShares = apportion(participantCount, sizes, 2);
  const supervisorShares = apportion(supervisorCount, sizes, 1);

  // Sites: about one per 12 interventions, within 3 km of a Paris base, 6 km of a suburban one.
  const sites: City["sites"] = {};
  const siteSkills = new Map<string, string[]>();
  let siteNumber = 0;
  structures.forEach((structure, s) => {
    const count = Math.max(1, Math.round(requestShares[s] / 12));
    const spread = structure.inParis ? 3 : 6;
    for (let i = 0; i < count; i++) {
      const id = `site-${pad(++siteNumber, 5)}`;
      const r = spread * Math.sqrt(random());
      const angle = 2 * Math.PI * random();
      sites[id] = { x: Math.round((structure.x + r * Math.cos(angle)) * 100) / 100, y: Math.round((structure.y + r * Math.sin(angle)) * 100) / 100, structureId: structure.id };
      structure.siteIds.push(id);
      siteSkills.set(id, distinct(structure.skills, Math.min(structure.skills.length, int(1, 3))));
    }
  });
  // Shared sites: some of each structure's sites are also served by its nearest other structure.
  if (structureCount > 1) {
    for (const structure of structures) {
      const nearest = structures
        .filter((other) => other !== structure)
        .reduce((best, other) => (Math.hypot(other.x - structure.x, other.y - structure.y) < Math.hypot(best.x - structure.x, best.y - structure.y) ? other : best));
      for (const siteId of structure.siteIds) {
        if (!chance(sharedSiteShare)) continue;
        nearest.sharedSiteIds.push(siteId);
        siteSkills.get(siteId)!.push(pick(nearest.skills));
      }
    }
  }

  // People: targets around 12 hours, available 3 to 5 days; encadrants five days, teams of 4 to 6.
  const participants: Instance["participants"] = [];
  const supervisors: Instance["supervisors"] = [];
  let targetMinutes = 0;
  structures.forEach((structure, s) => {
    for (let i = 0; i < participantShares[s]; i++) {
      const target = weighted(TARGET_HOURS, TARGET_WEIGHTS);
      targetMinutes += 60 * target;
      const contractStartMs = mondayMs - int(0, 300) * DAY_MS;
      const start = new Date(contractStartMs);
      const id = `w-${structure.id.slice(2)}-${pad(i + 1, 3)}`;
      const days = distinct([1, 2, 3, 4, 5], int(3, 5)).sort();
      participants.push({
        id,
        skills: distinct(structure.skills, int(1, Math.min(3, structure.skills.length))).sort(),
        weeklyTargetHours: target,
        weeklyMaxHours: Math.min(16, target + pick([0, 2, 4])),
        hoursAlreadyPlanned: 0,
        contractStart: dateText(contractStartMs),
        contractEnd: dateText(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate()) - DAY_MS),
        availability: days.map((day) => {
          const [from, to] = pick(PARTICIPANT_WINDOWS);
          return { day, from, to };
        }),
        absences: chance(0.05) ? [{ from: dateTimeText(mondayMs + int(0, 4) * DAY_MS, 0), to: dateTimeText(mondayMs + int(0, 4) * DAY_MS + DAY_MS, 0) }] : [],
      });
      structure.participantIds.push(id);
    }
    for (let i = 0; i < supervisorShares[s]; i++) {
      const id = `e-${structure.id.slice(2)}-${pad(i + 1, 2)}`;
      const [from, to] = pick(SUPERVISOR_WINDOWS);
      supervisors.push({
        id,
        skills: [...structure.skills],
        maxTeamSize: weighted([4, 5, 6], [2, 2, 1]),
        availability: [1, 2, 3, 4, 5].map((day) => ({ day, from, to })),
        absences: [],
      });
      structure.supervisorIds.push(id);
    }
  });
  // Absences' two draws can put the end before the start: keep only the well-formed ones.
  for (const participant of participants) participant.absences = participant.absences.filter((a) => a.from < a.to);

  // Requests: the mean duration makes the participant-minutes asked match the people's targets.
  const meanTeam = TEAM_SIZES.reduce((sum, size, i) => sum + size * TEAM_WEIGHTS[i], 0) / TEAM_WEIGHTS.reduce((a, b) => a + b, 0);
  const meanDuration = (tightness * targetMinutes) / (options.requests * meanTeam);
  const requests: Instance["requests"] = [];
  const skillsOf = new Map(participants.map((w) => [w.id, w.skills]));
  structures.forEach((structure, s) => {
    const served = [...structure.siteIds, ...structure.sharedSiteIds];
    for (let i = 0; i < requestShares[s]; i++) {
      const siteId = pick(served);
      const skill = pick(siteSkills.get(siteId)!.filter((k) => k.startsWith(`${structure.id}/`)));
      const durationMinutes = Math.max(60, 15 * Math.round((meanDuration * weighted(DURATION_FACTORS, DURATION_WEIGHTS)) / 15));
      const day = chance(0.03) ? 5 : int(0, 4);
      const latest = Math.max(8 * 60, 17 * 60 - durationMinutes);
      const start = 8 * 60 + 30 * int(0, Math.floor((latest - 8 * 60) / 30));
      const dayMs = mondayMs + day * DAY_MS;
      const request: Instance["requests"][number] = {
        id: `r-${pad(requests.length + 1, 5)}`,
        siteId,
        skill,
        start: dateTimeText(dayMs, start),
        durationMinutes,
        participantsNeeded: weighted(TEAM_SIZES, TEAM_WEIGHTS),
      };
      if (chance(timeWindowShare)) request.latestStart = dateTimeText(dayMs, Math.min(latest, start + 15 * int(1, 8)));
      if (request.latestStart === request.start) delete request.latestStart;
      if (chance(pinnedShare)) {
        const skilled = structure.participantIds.filter((id) => skillsOf.get(id)!.includes(skill));
        const pin: NonNullable<typeof request.pinned> = {};
        if (chance(0.7)) pin.supervisorId = pick(structure.supervisorIds);
        if (skilled.length > 0 && chance(0.6)) pin.participantIds = distinct(skilled, int(1, Math.min(request.participantsNeeded, skilled.length)));
        request.pinned = pin;
      }
      requests.push(request);
    }
  });

  // Travel between the sites each structure serves (both ways are the same: listed once).
  const travel = new Map<string, Record<string, number>>(Object.keys(sites).map((id) => [id, {}]));
  for (const structure of structures) {
    const served = [...structure.siteIds, ...structure.sharedSiteIds].sort();
    for (let i = 0; i < served.length; i++) {
      for (let j = i + 1; j < served.length; j++) travel.get(served[i])![served[j]] = travelMinutes(sites[served[i]], sites[served[j]]);
    }
  }
  const instance: Instance = {
    timezone: "Europe/Paris",
    weekStart,
    sites: [...travel].map(([id, travelMinutes]) => ({ id, travelMinutes })),
    participants,
    supervisors,
    requests,
  };
  return { instance, structures, sites };
}
