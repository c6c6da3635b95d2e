// Steering the plan by hand: the plan as it would be after a coordinator's
// change to one intervention, checked with the engine's own rule checker
// (app/domain/scheduling/rules.ts). Pure: the data layer passes the week's
// instance and the current staffing.
import type { Instance, Plan } from "~/domain/scheduling/instance.ts";
import { checkPlan, type Violation } from "~/domain/scheduling/rules.ts";

export type Staffing = { interventionId: string; supervisorId: string | null; participantIds: string[] };

export type TeamChange = {
  interventionId: string;
  supervisorId: string;
  participantIds: string[];
  supervisorPinned: boolean;
  pinnedParticipantIds: string[];
  /** A new start (Paris wall clock, YYYY-MM-DDTHH:MM) when the coordination moves it; else its time stays. */
  start?: string;
};

/** The French name of each rule of the engine (app/domain/scheduling/rules.ts), the only one shown: never "H4" or "capacity". */
export const RULE_LABELS: Record<string, string> = {
  H1: "Intervention planifiée une seule fois",
  H2: "Équipe complète, dans la limite de l'encadrant",
  H3: "Compétence",
  H4: "Disponibilité et absences",
  H5: "Dates du contrat",
  H6: "Pas de chevauchement, trajets compris",
  H7: "Plafond d'heures de la semaine (16 h en DPH)",
  H8: "Personnes épinglées",
  start: "Horaire",
  capacity: "Personnes déjà prises ailleurs",
};

/** "Disponibilité et absences" for "H4"; a rule unknown to this version reads as French too. */
export function ruleLabel(rule: string): string {
  return Object.hasOwn(RULE_LABELS, rule) ? RULE_LABELS[rule]! : "Règle de planification";
}

/** The plan of the week as it stands: staffed interventions assigned, the others unassigned. */
export function currentPlan(instance: Instance, staffing: readonly Staffing[]): Plan {
  const byId = new Map(staffing.map((s) => [s.interventionId, s]));
  const plan: Plan = { assignments: [], unassigned: [] };
  for (const r of instance.requests) {
    const s = byId.get(r.id);
    if (s?.supervisorId) plan.assignments.push({ requestId: r.id, start: r.start, supervisorId: s.supervisorId, participantIds: [...s.participantIds] });
    else plan.unassigned.push({ requestId: r.id, rule: "capacity", reason: "non affectée" });
  }
  return plan;
}

/**
 * The hard rules the week would break after the change. Only violations that
 * involve the changed intervention or its people count: an older problem
 * elsewhere in the week is not this change's doing.
 */
export function checkChange(instance: Instance, staffing: readonly Staffing[], change: TeamChange): Violation[] {
  const pinned = {
    ...(change.supervisorPinned ? { supervisorId: change.supervisorId } : {}),
    ...(change.pinnedParticipantIds.length ? { participantIds: change.pinnedParticipantIds.filter((w) => change.participantIds.includes(w)) } : {}),
  };
  const edited: Instance = {
    ...instance,
    requests: instance.requests.map((r) => {
      if (r.id !== change.interventionId) return r;
      const { pinned: _old, ...rest } = r;
      // Its time stays unless moved: steering changes people, not the hour told to the partner.
      const { latestStart: _late, ...kept } = rest;
      const fixed = change.start ? { ...kept, start: change.start } : kept;
      return Object.keys(pinned).length ? { ...fixed, pinned } : fixed;
    }),
  };
  const before = currentPlan(edited, staffing);
  const plan: Plan = {
    assignments: [
      ...before.assignments.filter((a) => a.requestId !== change.interventionId),
      {
        requestId: change.interventionId,
        start: edited.requests.find((r) => r.id === change.interventionId)?.start ?? "",
        supervisorId: change.supervisorId,
        participantIds: change.participantIds,
      },
    ],
    unassigned: before.unassigned.filter((u) => u.requestId !== change.interventionId),
  };
  const people = new Set([change.supervisorId, ...change.participantIds]);
  return checkPlan(edited, plan).filter((v) => v.rule !== "H1" && (v.requestId === change.interventionId || (v.personId !== undefined && people.has(v.personId))));
}

/**
 * The engine names people and interventions by id, and skills by code
 * ("la compétence espaces-verts"): show their names and the skill's label
 * from the catalogue instead.
 */
export function humanise(message: string, names: ReadonlyMap<string, string>, skillLabels: ReadonlyMap<string, string> = new Map()): string {
  // Only after "compétence": a short code could be part of another word.
  let text = message.replace(/\bcompétence ([a-z0-9]+(?:-[a-z0-9]+)*)/g, (whole, code: string) => {
    const label = skillLabels.get(code);
    return label ? `compétence « ${label} »` : whole;
  });
  // Longest ids first, so an id that contains another is replaced whole.
  for (const id of [...names.keys()].sort((a, b) => b.length - a.length)) {
    if (id) text = text.split(id).join(names.get(id)!);
  }
  return text;
}

/** Distinct rule ids of a list of violations, in order. */
export const ruleIds = (violations: readonly { rule: string }[]) => [...new Set(violations.map((v) => v.rule))].sort();
