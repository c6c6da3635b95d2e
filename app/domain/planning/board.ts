import { z } from "zod";
import { fromParisLocal, parisWeekStart } from "~/utils/paris-time.ts";
import { isDayWithin, isRecordId } from "~/utils/validation.ts";
import { BILLED, isIn } from "~/domain/requests/status.ts";

// The planning board's filters, read from the address (?encadrant=&site=&prestation=&status=)
// so a reload or a shared link shows the same board. A value that does not
// read is ignored, never an error: the board shows everything instead.

/** ?week= of a board address: any day of the week will do, read as its Monday. */
export const weekParam = z
  .string({ error: "Choisissez une semaine." })
  .refine((v) => isDayWithin(v, "search"), "Choisissez une semaine.")
  .transform((v) => parisWeekStart(fromParisLocal(`${v}T12:00`)));

/** The Monday of ?week=, or this week's when it is missing or does not read. */
export function boardWeek(params: URLSearchParams, now = new Date()): string {
  const parsed = weekParam.safeParse(params.get("week"));
  return parsed.success ? parsed.data : parisWeekStart(now);
}

export const BOARD_STATUSES = ["unstaffed", "SCHEDULED", "IN_PROGRESS", "DONE", "BILLED"] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];
export const BOARD_STATUS_LABELS: Record<BoardStatus, string> = {
  unstaffed: "Sans équipe",
  SCHEDULED: "Planifiée",
  IN_PROGRESS: "En cours",
  DONE: "Réalisée",
  BILLED: "Facturée ou payée",
};

const optionalId = z.string().refine(isRecordId).optional().catch(undefined);

export const boardFiltersSchema = z.object({
  encadrant: optionalId,
  site: optionalId,
  prestation: optionalId,
  status: z.enum(BOARD_STATUSES).optional().catch(undefined),
});
export type BoardFilters = z.infer<typeof boardFiltersSchema>;
export const FILTER_KEYS = ["encadrant", "site", "prestation", "status"] as const;

/** The filters of an address; each bad or empty value is dropped alone. */
export function readBoardFilters(params: URLSearchParams): BoardFilters {
  const raw = Object.fromEntries(FILTER_KEYS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
  const parsed = boardFiltersSchema.parse(raw);
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as BoardFilters;
}

/** The query string of a board address with these filters (and a week), for links. */
export function boardQuery(week: string, filters: BoardFilters): string {
  const params = new URLSearchParams({ week });
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]!);
  return params.toString();
}

type BoardItem = { status: string; supervisorId: string | null; siteId: string; prestationId: string };

export function boardStatusOf(i: Pick<BoardItem, "status" | "supervisorId">): BoardStatus {
  if (i.status === "ACCEPTED" || !i.supervisorId) return "unstaffed";
  if (isIn(BILLED, i.status)) return "BILLED";
  return i.status as BoardStatus;
}

export function matchesBoardFilters(i: BoardItem, f: BoardFilters): boolean {
  return (!f.encadrant || i.supervisorId === f.encadrant) && (!f.site || i.siteId === f.site) && (!f.prestation || i.prestationId === f.prestation) && (!f.status || boardStatusOf(i) === f.status);
}
