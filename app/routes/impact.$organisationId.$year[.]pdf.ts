import type { LoaderFunctionArgs } from "@remix-run/node";
import { actorOf, forbidden, notFound, requireUser } from "~/auth/auth.server.ts";
import { loadImpactCertificate } from "~/data/impact.server.ts";
import { can } from "~/domain/access/roles.ts";
import { certificateFigures, impactCertificatePdf } from "~/domain/invoicing/impact-certificate.ts";
import { monthOf } from "~/domain/invoicing/period.ts";
import { formatDate } from "~/utils/format.ts";

// The yearly impact certificate (PDF): partners download their own from
// "Mes factures", finance and admin any partner's from the finance screen.
const FIRST_YEAR = 2020;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user.role, "invoices.view") && !can(user.role, "finance.view")) throw forbidden();
  const now = new Date();
  const currentYear = Number(monthOf(now).slice(0, 4));
  const organisationId = (params.organisationId ?? "").slice(0, 40);
  const year = /^\d{4}$/.test(params.year ?? "") ? Number(params.year) : NaN;
  const found = year >= FIRST_YEAR && year <= currentYear ? await loadImpactCertificate(actorOf(user), organisationId, year) : null;
  // Another partner's certificate and an unknown one get the same answer.
  if (!found) return notFound(request, user, { type: "ImpactCertificate", id: `${organisationId}/${params.year ?? ""}`.slice(0, 60) });
  const bytes = await impactCertificatePdf({
    figures: certificateFigures(year, found.rows),
    partner: { name: found.organisation.name, siret: found.organisation.siret, address: found.organisation.billingAddress },
    issuedOn: formatDate(now),
    stoppedOn: year === currentYear ? formatDate(now) : null,
  });
  return new Response(Buffer.from(bytes), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="attestation-insertion-${year}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
