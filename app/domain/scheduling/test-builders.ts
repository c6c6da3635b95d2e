// Small builders for hand-made scheduling instances in tests. The week starts
// Monday 2026-12-07; two sites 30 minutes apart; everyone is available
// Monday to Friday 08:00-18:00 unless told otherwise.
import { parseInstance, type Instance, type InstanceRequest, type InstanceSupervisor, type InstanceParticipant } from "./instance";

/** The instance as parseInstance accepts it: a hand-made week that does not parse is a mistake of the test. */
export function parsed(json: unknown): Instance {
  const result = parseInstance(json);
  if (!result.ok) throw new Error(`${result.path}: ${result.message}`);
  return result.instance;
}

const WEEKDAYS_8_TO_18 = [1, 2, 3, 4, 5].map((day) => ({ day, from: "08:00", to: "18:00" }));

export function aParticipant(id: string, overrides: Partial<InstanceParticipant> = {}): InstanceParticipant {
  return {
    id,
    skills: ["nettoyage"],
    weeklyTargetHours: 3,
    weeklyMaxHours: 16,
    hoursAlreadyPlanned: 0,
    contractStart: "2026-06-01",
    contractEnd: "2027-05-31",
    availability: WEEKDAYS_8_TO_18,
    absences: [],
    ...overrides,
  };
}

export function aSupervisor(id: string, overrides: Partial<InstanceSupervisor> = {}): InstanceSupervisor {
  return {
    id,
    skills: ["nettoyage"],
    maxTeamSize: 4,
    availability: WEEKDAYS_8_TO_18,
    absences: [],
    ...overrides,
  };
}

/** Tuesday 8 December 09:00, 2 h, one worker, at site "gare", skill nettoyage. */
export function aRequest(id: string, overrides: Partial<InstanceRequest> = {}): InstanceRequest {
  return {
    id,
    siteId: "gare",
    skill: "nettoyage",
    start: "2026-12-08T09:00",
    durationMinutes: 120,
    participantsNeeded: 1,
    ...overrides,
  };
}

export function aWeek(parts: { participants?: InstanceParticipant[]; supervisors?: InstanceSupervisor[]; requests?: InstanceRequest[] }): Instance {
  return {
    timezone: "Europe/Paris",
    weekStart: "2026-12-07",
    sites: [
      { id: "gare", travelMinutes: { bercy: 30 } },
      { id: "bercy", travelMinutes: {} },
    ],
    participants: parts.participants ?? [],
    supervisors: parts.supervisors ?? [],
    requests: parts.requests ?? [],
  };
}
