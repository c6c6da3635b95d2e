// Who could join a team, as the coordinator reads the list: available at that
// time, busy elsewhere, outside their availability, absent, or new (no
// availability recorded yet). Pure: the week's instance gives everything.
import type { InstanceRequest, InstanceParticipant } from "~/domain/scheduling/instance.ts";
import { isoWeekday, MINUTES_PER_DAY, parseClock, parseDateTime } from "~/domain/scheduling/time.ts";

export type CandidateStatus = "available" | "busy" | "unavailable" | "new" | "absent";

export const CANDIDATE_LABELS: Record<CandidateStatus, string> = {
  available: "Disponible",
  busy: "Déjà sur une autre intervention",
  unavailable: "Pas disponible à cette heure",
  new: "Nouveau, sans disponibilités saisies",
  absent: "Absent",
};
export const CANDIDATE_TONES: Record<CandidateStatus, "green" | "amber" | "red" | "blue"> = {
  available: "green",
  busy: "amber",
  unavailable: "amber",
  new: "blue",
  absent: "red",
};
/** The order of the list: who can come first. */
const RANK: Record<CandidateStatus, number> = { available: 0, new: 1, busy: 2, unavailable: 3, absent: 4 };

type Person = Pick<InstanceParticipant, "availability" | "absences">;
type Slot = Pick<InstanceRequest, "start" | "durationMinutes">;

/** busyAt: the slots this person already holds elsewhere that week. */
export function candidateStatus(person: Person, slot: Slot, busyAt: readonly Slot[] = []): CandidateStatus {
  const start = parseDateTime(slot.start);
  if (start === null) return "unavailable";
  const end = start + slot.durationMinutes;
  const overlaps = (from: number | null, to: number | null) => from !== null && to !== null && from < end && to > start;
  if (person.absences.some((a) => overlaps(parseDateTime(a.from), parseDateTime(a.to)))) return "absent";
  if (person.availability.length === 0) return "new";
  const day = Math.floor(start / MINUTES_PER_DAY);
  const from = start - day * MINUTES_PER_DAY;
  const covered = person.availability.some((w) => w.day === isoWeekday(day) && (parseClock(w.from) ?? 1e9) <= from && (parseClock(w.to) ?? -1) >= from + slot.durationMinutes);
  if (!covered) return "unavailable";
  if (busyAt.some((b) => overlaps(parseDateTime(b.start), (parseDateTime(b.start) ?? 0) + b.durationMinutes))) return "busy";
  return "available";
}

/** Available first, then the new, the busy, the unavailable, the absent; by name within each. */
export function byAvailability<T extends { status: CandidateStatus; name: string }>(a: T, b: T): number {
  return RANK[a.status] - RANK[b.status] || a.name.localeCompare(b.name, "fr");
}
