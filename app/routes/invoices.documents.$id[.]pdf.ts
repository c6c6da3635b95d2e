import type { LoaderFunctionArgs } from "@remix-run/node";
import { actorOf, notFound, requireUser } from "~/auth/auth.server.ts";
import { auditDownload, getDocumentFile } from "~/data/einvoicing.server.ts";
import { can } from "~/domain/access/roles.ts";

// A stored Factur-X document (or internal statement), byte for byte as issued.
// Finance reads every partner's; a partner only its own organisation's (any
// other id is a 404, as for a document that does not exist).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const financeView = can(user.role, "finance.view");
  if (!financeView && !can(user.role, "invoices.view")) return notFound(request, user, { type: "InvoiceDocument", id: (params.id ?? "").slice(0, 40) });
  const doc = await getDocumentFile(actorOf(user), params.id ?? "", financeView);
  if (!doc) return notFound(request, user, { type: "InvoiceDocument", id: (params.id ?? "").slice(0, 40) });
  await auditDownload(actorOf(user), doc.id);
  const name = doc.kind === "CREDIT_NOTE" ? `avoir-${doc.number}` : doc.kind === "INTERNAL_STATEMENT" ? `releve-${doc.number}` : `facture-${doc.number}`;
  return new Response(new Uint8Array(doc.bytes), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="${name}.pdf"`,
      "Cache-Control": "private, no-store",
      "X-Content-SHA256": doc.sha256,
    },
  });
}
