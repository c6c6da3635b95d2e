// The scheduling instance (one week to staff) and the plan, as JSON, exactly as
// in /shared/scheduling/CONTRACT.md. parseInstance() checks the shape with zod
// and then the meaning (ids that exist, times inside the week, DPH limits), and
// reports the JSON path of the first problem with a French message.
import { z } from "zod";
import { MINUTES_PER_DAY, MINUTES_PER_WEEK, isoWeekday, parseClock, parseDate, parseDateTime } from "./time";
import { DPH_MAX_CONTRACT_MONTHS, DPH_MAX_WEEKLY_HOURS, DPH_MIN_WEEKLY_HOURS, lastContractDay } from "~/domain/dph.ts";

/** DPH (Dispositif Premières Heures): 3 to 16 hours a week, at most 12 months (app/domain/dph.ts). */
export { DPH_MAX_CONTRACT_MONTHS, DPH_MAX_WEEKLY_HOURS, DPH_MIN_WEEKLY_HOURS } from "~/domain/dph.ts";
export const DEFAULT_SUPERVISOR_WEEKLY_MAX_HOURS = 35;
/** Travel time between two sites when the instance does not give it. */
export const DEFAULT_TRAVEL_MINUTES = 60;

const id = z.string().min(1, "identifiant vide");
const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date attendue au format AAAA-MM-JJ");
const dateTimeText = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "date et heure attendues au format AAAA-MM-JJTHH:MM");
const clockText = z.string().regex(/^\d{2}:\d{2}$/, "heure attendue au format HH:MM");
const hours = z.number().finite();

const availabilitySchema = z.strictObject({
  day: z.number().int("le jour doit être un entier de 1 (lundi) à 7 (dimanche)").min(1).max(7),
  from: clockText,
  to: clockText,
});
const absenceSchema = z.strictObject({ from: dateTimeText, to: dateTimeText });

const siteSchema = z.strictObject({
  id,
  travelMinutes: z.record(z.string(), z.number().int("durée de trajet en minutes entières").min(0)),
});

const participantSchema = z.strictObject({
  id,
  skills: z.array(z.string().min(1, "compétence vide")),
  weeklyTargetHours: hours,
  weeklyMaxHours: hours,
  hoursAlreadyPlanned: hours.min(0, "ne peut pas être négatif"),
  contractStart: dateText,
  contractEnd: dateText,
  availability: z.array(availabilitySchema),
  absences: z.array(absenceSchema),
});

const supervisorSchema = z.strictObject({
  id,
  skills: z.array(z.string().min(1, "compétence vide")),
  maxTeamSize: z.number().int("doit être un entier").min(1, "doit être au moins 1"),
  weeklyMaxHours: hours
    .positive("doit être positif")
    .max(7 * 24)
    .optional(),
  availability: z.array(availabilitySchema),
  absences: z.array(absenceSchema),
});

const pinSchema = z.strictObject({
  supervisorId: id.optional(),
  participantIds: z.array(id).optional(),
});

const requestSchema = z.strictObject({
  id,
  siteId: id,
  skill: z.string().min(1, "compétence vide"),
  start: dateTimeText,
  durationMinutes: z.number().int("durée en minutes entières").positive("la durée doit être strictement positive"),
  participantsNeeded: z.number().int("doit être un entier").min(1, "il faut au moins 1 salarié"),
  latestStart: dateTimeText.optional(),
  pinned: pinSchema.optional(),
});

export const instanceSchema = z.strictObject({
  timezone: z.string().min(1),
  weekStart: dateText,
  sites: z.array(siteSchema),
  participants: z.array(participantSchema),
  supervisors: z.array(supervisorSchema),
  requests: z.array(requestSchema),
});

export type Instance = z.infer<typeof instanceSchema>;
export type InstanceParticipant = Instance["participants"][number];
export type InstanceSupervisor = Instance["supervisors"][number];
export type InstanceRequest = Instance["requests"][number];

export type RuleId = "H1" | "H2" | "H3" | "H4" | "H5" | "H6" | "H7" | "H8";
export type UnassignedRule = Exclude<RuleId, "H1"> | "capacity";

export interface Assignment {
  requestId: string;
  start: string;
  supervisorId: string;
  participantIds: string[];
}
export interface Unassigned {
  requestId: string;
  rule: UnassignedRule;
  reason: string;
}
export interface Plan {
  assignments: Assignment[];
  unassigned: Unassigned[];
}

export type ParseResult = { ok: true; instance: Instance } | { ok: false; path: string; message: string };

/** JSON path as people read it: workers[3].weeklyTargetHours. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || "(racine)";
}

// French messages for the generic zod issues; field-specific ones are on the schema.
const frenchIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "champ obligatoire manquant";
    const expected: Record<string, string> = {
      string: "une chaîne de caractères",
      number: "un nombre",
      int: "un entier",
      array: "une liste",
      object: "un objet",
      record: "un objet",
    };
    return `${expected[issue.expected] ?? issue.expected} attendu`;
  }
  if (issue.code === "unrecognized_keys") {
    return `champ inconnu : ${issue.keys.join(", ")} (voir CONTRACT.md)`;
  }
  if (issue.code === "too_small") return `doit être ${issue.inclusive ? "au moins" : "supérieur à"} ${issue.minimum}`;
  if (issue.code === "too_big") return `doit être ${issue.inclusive ? "au plus" : "inférieur à"} ${issue.maximum}`;
  return undefined;
};

class InstanceProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function fail(path: string, message: string): never {
  throw new InstanceProblem(path, message);
}

/** Parses and checks an instance; never throws for bad input. */
export function parseInstance(json: unknown): ParseResult {
  const shape = instanceSchema.safeParse(json, { error: frenchIssue });
  if (!shape.success) {
    const issue = shape.error.issues[0];
    // Report the deepest useful path: for unknown keys, point at the key itself.
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    return { ok: false, path: formatPath(path), message: issue.message };
  }
  try {
    checkMeaning(shape.data);
    return { ok: true, instance: shape.data };
  } catch (error) {
    if (error instanceof InstanceProblem) return { ok: false, path: error.path, message: error.message };
    throw error;
  }
}

/** Whole minutes: the engine counts time in integer minutes. */
function checkWholeMinutes(value: number, path: string) {
  if (Math.abs(value * 60 - Math.round(value * 60)) > 1e-9) {
    fail(path, `${value} h ne fait pas un nombre entier de minutes`);
  }
}

function checkAvailability(list: { day: number; from: string; to: string }[], path: string) {
  list.forEach((slot, i) => {
    const from = parseClock(slot.from);
    const to = parseClock(slot.to);
    if (from === null || from === 24 * 60) fail(`${path}[${i}].from`, `heure invalide « ${slot.from} »`);
    if (to === null) fail(`${path}[${i}].to`, `heure invalide « ${slot.to} »`);
    if (from >= to) fail(`${path}[${i}].from`, `« from » (${slot.from}) doit précéder « to » (${slot.to})`);
  });
}

function checkAbsences(list: { from: string; to: string }[], path: string) {
  list.forEach((absence, i) => {
    const from = parseDateTime(absence.from);
    const to = parseDateTime(absence.to);
    if (from === null) fail(`${path}[${i}].from`, `date et heure inexistantes « ${absence.from} »`);
    if (to === null) fail(`${path}[${i}].to`, `date et heure inexistantes « ${absence.to} »`);
    if (from >= to) fail(`${path}[${i}].from`, `« from » (${absence.from}) doit précéder « to » (${absence.to})`);
  });
}

function checkMeaning(instance: Instance) {
  try {
    new Intl.DateTimeFormat("fr-FR", { timeZone: instance.timezone });
  } catch {
    fail("timezone", `fuseau horaire inconnu « ${instance.timezone} »`);
  }

  const weekStart = parseDate(instance.weekStart);
  if (weekStart === null) fail("weekStart", `date inexistante « ${instance.weekStart} »`);
  if (isoWeekday(weekStart) !== 1) fail("weekStart", `${instance.weekStart} n'est pas un lundi`);
  const weekFirstMinute = weekStart * MINUTES_PER_DAY;
  const weekEndMinute = weekFirstMinute + MINUTES_PER_WEEK;

  const siteIds = new Set<string>();
  instance.sites.forEach((site, i) => {
    if (siteIds.has(site.id)) fail(`sites[${i}].id`, `site « ${site.id} » en double`);
    siteIds.add(site.id);
  });
  const declaredTravel = new Map<string, number>();
  instance.sites.forEach((site, i) => {
    for (const [other, minutes] of Object.entries(site.travelMinutes)) {
      const path = `sites[${i}].travelMinutes[${JSON.stringify(other)}]`;
      if (!siteIds.has(other)) fail(path, `site inconnu « ${other} »`);
      if (other === site.id && minutes !== 0) fail(path, "le trajet d'un site vers lui-même vaut 0");
      const reverse = declaredTravel.get(`${other}\u0000${site.id}`);
      if (reverse !== undefined && reverse !== minutes) {
        fail(path, `trajet ${site.id} → ${other} (${minutes} min) différent du trajet inverse (${reverse} min) : le trajet est symétrique`);
      }
      declaredTravel.set(`${site.id}\u0000${other}`, minutes);
    }
  });

  const personIds = new Map<string, string>();
  const claimPersonId = (personId: string, path: string) => {
    const previous = personIds.get(personId);
    if (previous) fail(path, `identifiant « ${personId} » déjà utilisé (${previous})`);
    personIds.set(personId, path);
  };

  instance.participants.forEach((participant, i) => {
    const path = `participants[${i}]`;
    claimPersonId(participant.id, `${path}.id`);
    if (participant.weeklyTargetHours < DPH_MIN_WEEKLY_HOURS || participant.weeklyTargetHours > DPH_MAX_WEEKLY_HOURS) {
      fail(`${path}.weeklyTargetHours`, `${participant.weeklyTargetHours} h hors des limites du DPH (3 à 16 h par semaine)`);
    }
    checkWholeMinutes(participant.weeklyTargetHours, `${path}.weeklyTargetHours`);
    if (participant.weeklyMaxHours <= 0 || participant.weeklyMaxHours > DPH_MAX_WEEKLY_HOURS) {
      fail(`${path}.weeklyMaxHours`, `${participant.weeklyMaxHours} h : le plafond d'un salarié en DPH est de 16 h par semaine au plus`);
    }
    checkWholeMinutes(participant.weeklyMaxHours, `${path}.weeklyMaxHours`);
    if (participant.weeklyTargetHours > participant.weeklyMaxHours) {
      fail(`${path}.weeklyTargetHours`, `l'objectif (${participant.weeklyTargetHours} h) dépasse le plafond weeklyMaxHours (${participant.weeklyMaxHours} h)`);
    }
    checkWholeMinutes(participant.hoursAlreadyPlanned, `${path}.hoursAlreadyPlanned`);
    const contractStart = parseDate(participant.contractStart);
    const contractEnd = parseDate(participant.contractEnd);
    if (contractStart === null) fail(`${path}.contractStart`, `date inexistante « ${participant.contractStart} »`);
    if (contractEnd === null) fail(`${path}.contractEnd`, `date inexistante « ${participant.contractEnd} »`);
    if (contractEnd < contractStart) {
      fail(`${path}.contractEnd`, `la fin du contrat (${participant.contractEnd}) précède son début (${participant.contractStart})`);
    }
    const lastAllowed = lastContractDay(participant.contractStart);
    if (participant.contractEnd > lastAllowed) {
      fail(`${path}.contractEnd`, `contrat de plus de ${DPH_MAX_CONTRACT_MONTHS} mois (DPH) : il doit finir au plus tard le ${lastAllowed}`);
    }
    checkAvailability(participant.availability, `${path}.availability`);
    checkAbsences(participant.absences, `${path}.absences`);
  });

  instance.supervisors.forEach((supervisor, i) => {
    const path = `supervisors[${i}]`;
    claimPersonId(supervisor.id, `${path}.id`);
    if (supervisor.weeklyMaxHours !== undefined) checkWholeMinutes(supervisor.weeklyMaxHours, `${path}.weeklyMaxHours`);
    checkAvailability(supervisor.availability, `${path}.availability`);
    checkAbsences(supervisor.absences, `${path}.absences`);
  });

  const participantIds = new Set(instance.participants.map((w) => w.id));
  const supervisorIds = new Set(instance.supervisors.map((s) => s.id));
  const requestIds = new Set<string>();
  instance.requests.forEach((request, i) => {
    const path = `requests[${i}]`;
    if (requestIds.has(request.id)) fail(`${path}.id`, `intervention « ${request.id} » en double`);
    requestIds.add(request.id);
    if (!siteIds.has(request.siteId)) fail(`${path}.siteId`, `site inconnu « ${request.siteId} »`);
    const start = parseDateTime(request.start);
    if (start === null) fail(`${path}.start`, `date et heure inexistantes « ${request.start} »`);
    if (start < weekFirstMinute || start >= weekEndMinute) {
      fail(`${path}.start`, `${request.start} est hors de la semaine du ${instance.weekStart} (lundi au dimanche)`);
    }
    if (request.latestStart !== undefined) {
      const latest = parseDateTime(request.latestStart);
      if (latest === null) fail(`${path}.latestStart`, `date et heure inexistantes « ${request.latestStart} »`);
      if (latest < start) fail(`${path}.latestStart`, `latestStart (${request.latestStart}) précède start (${request.start})`);
      if (latest >= weekEndMinute) fail(`${path}.latestStart`, `${request.latestStart} est hors de la semaine du ${instance.weekStart}`);
    }
    const pin = request.pinned;
    if (pin?.supervisorId !== undefined && !supervisorIds.has(pin.supervisorId)) {
      const hint = participantIds.has(pin.supervisorId) ? " (c'est un salarié, pas un encadrant)" : "";
      fail(`${path}.pinned.supervisorId`, `encadrant inconnu « ${pin.supervisorId} »${hint}`);
    }
    const pinnedParticipants = pin?.participantIds ?? [];
    const seen = new Set<string>();
    pinnedParticipants.forEach((participantId, j) => {
      const hint = supervisorIds.has(participantId) ? " (c'est un encadrant, pas un salarié)" : "";
      if (!participantIds.has(participantId)) fail(`${path}.pinned.participantIds[${j}]`, `salarié inconnu « ${participantId} »${hint}`);
      if (seen.has(participantId)) fail(`${path}.pinned.participantIds[${j}]`, `salarié « ${participantId} » épinglé deux fois`);
      seen.add(participantId);
    });
    if (pinnedParticipants.length > request.participantsNeeded) {
      fail(`${path}.pinned.participantIds`, `${pinnedParticipants.length} salariés épinglés pour une équipe de ${request.participantsNeeded}`);
    }
  });
}
