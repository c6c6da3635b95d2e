import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCapability } from "~/auth/auth.server.ts";
import { clientIp } from "~/auth/csrf.server.ts";
import { audit, auditLogForExport } from "~/data/audit.server.ts";
import { auditFilterFrom } from "~/domain/backoffice/audit-filters.ts";
import { auditActionLabel, auditEntityLabel } from "~/domain/backoffice/audit-labels.ts";
import { csvResponse, toCsv } from "~/utils/csv.ts";

// The audit log as CSV, with the viewer's filters. Admin only; the export itself is audited.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "audit.view");
  const { form, filter } = auditFilterFrom(new URL(request.url).searchParams);
  const rows = await auditLogForExport({ ...filter, cursor: undefined });
  await audit({
    action: "audit.exported",
    outcome: "ok",
    actorUserId: user.userId,
    organisationId: user.organisationId,
    ip: clientIp(request),
    details: { filters: form, rows: rows.length },
  });
  const csv = toCsv(
    ["id", "date", "personne", "organisation", "action", "code action", "résultat", "type", "enregistrement", "ip", "détails"],
    rows.map((r) => [
      r.id,
      new Date(r.at).toISOString(),
      r.actorEmail ?? r.actorUserId ?? "",
      r.organisationId ?? "",
      auditActionLabel(r.action),
      r.action,
      r.outcome === "ok" ? "effectué" : "refusé",
      r.entityType ? auditEntityLabel(r.entityType) : "",
      r.entityId ?? "",
      r.ip ?? "",
      r.details ?? "",
    ]),
  );
  const stamp = new Date().toISOString().slice(0, 10);
  return csvResponse(`journal-audit-${stamp}.csv`, csv);
}
