import { z } from "zod";
import { addDays } from "~/domain/calendar/holidays.ts";
import { parisInstant } from "~/domain/calendar/paris.ts";
import { isDayWithin } from "~/utils/validation.ts";

// The audit log's filters, read from the query string by the viewer and the CSV
// export alike. A malformed value is ignored rather than refused (it is a search).
const day = z.string().refine((s) => isDayWithin(s, "search"));
// The log's ids are PostgreSQL bigints: a larger number is no page of it.
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export const auditFiltersSchema = z.object({
  person: z.string().trim().max(254).optional().catch(undefined),
  entity: z.string().trim().max(60).optional().catch(undefined),
  action: z.string().trim().max(60).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  before: z
    .string()
    .regex(/^\d{1,19}$/)
    .refine((s) => BigInt(s) <= MAX_BIGINT)
    .optional()
    .catch(undefined),
});

export function auditFilterFrom(params: URLSearchParams) {
  const f = auditFiltersSchema.parse(Object.fromEntries(params));
  return {
    form: { person: f.person ?? "", entity: f.entity ?? "", action: f.action ?? "", from: f.from ?? "", to: f.to ?? "" },
    filter: {
      actorEmail: f.person || undefined,
      entityId: f.entity || undefined,
      action: f.action || undefined,
      // Days are Paris days; "to" includes its whole day.
      from: f.from ? parisInstant(f.from, 0) : undefined,
      to: f.to ? parisInstant(addDays(f.to, 1), 0) : undefined,
      cursor: f.before ? BigInt(f.before) : undefined,
    },
  };
}
