import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { auditPeopleExport, workedEntries } from "~/data/people.server.ts";
import { dphCsv, payrollCsv } from "~/domain/planning/people.ts";
import { csvResponse } from "~/utils/csv.ts";
import { toParisDate } from "~/utils/paris-time.ts";
import { monthField } from "~/utils/validation.ts";

// Hours actually worked in a month: per person for payroll, or the DPH activity report. Audited.
const querySchema = z.object({
  what: z.enum(["payroll", "dph"]).catch("payroll"),
  month: monthField("", "search").catch(() => toParisDate(new Date()).slice(0, 7)),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "people.manage");
  const { what, month } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const entries = await workedEntries(month);
  await auditPeopleExport(actorOf(user), `${what}-${month}`);
  const csv = what === "payroll" ? payrollCsv(month, entries) : dphCsv(month, entries);
  return csvResponse(`conciergerie-${what === "payroll" ? "heures-paie" : "rapport-dph"}-${month}.csv`, csv);
}
