import type { LoaderFunctionArgs } from "@remix-run/node";
import { actorOf, notFound, requireCapability } from "~/auth/auth.server.ts";
import { getRequest } from "~/data/requests.server.ts";
import { recurrenceOutlook } from "~/data/recurrence.server.ts";
import { estimateOrder } from "~/domain/requests/order.ts";
import { quotePdf, quoteValidUntil } from "~/domain/requests/quote-pdf.ts";
import { isIn, RECURRENCE_LABELS, WITHDRAWN } from "~/domain/requests/status.ts";
import { formatDate, formatDateTime, formatEuros, formatMinutes, formatVatRate } from "~/utils/format.ts";

// The quote of a request as a PDF, for whoever may see the request.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "requests.view");
  const id = params.id ?? "";
  const r = id.length <= 40 ? await getRequest(actorOf(user), id) : null;
  if (!r) return notFound(request, user, { type: "ServiceRequest", id: id.slice(0, 40) });
  const live = r.interventions.filter((i) => !isIn(WITHDRAWN, i.status));
  // The series' dates not created yet (rolling horizon) are part of the quote.
  const pending = (await recurrenceOutlook(r))?.pending ?? [];
  const estimate = estimateOrder({
    pricingUnit: r.prestation.pricingUnit,
    unitPriceCents: r.unitPriceCents,
    vatRateBasisPoints: r.vatRateBasisPoints,
    durationMinutes: r.durationMinutes,
    teamSize: r.teamSize,
    occurrences: live.length + pending.length,
  });
  const bytes = await quotePdf(
    {
      reference: r.reference,
      issuedOn: formatDate(r.createdAt),
      validUntil: formatDate(quoteValidUntil(r.createdAt)),
      partner: { name: r.organisation.name, billingAddress: r.organisation.billingAddress },
      site: `${r.site.name}, ${r.site.address}, ${r.site.postalCode} ${r.site.city}`,
      prestation: r.prestation.name,
      unitPrice: `${formatEuros(r.unitPriceCents)} HT ${r.prestation.pricingUnit === "FLAT" ? "par intervention" : "par heure et par personne"}`,
      vatRate: formatVatRate(r.vatRateBasisPoints),
      schedule: `${RECURRENCE_LABELS[r.recurrence]}, ${formatMinutes(r.durationMinutes)}, ${r.teamSize} personne${r.teamSize > 1 ? "s" : ""} en insertion et un encadrant technique`,
      dates: [...live.map((i) => formatDateTime(i.startsAt)), ...pending.map((d) => formatDate(`${d}T12:00:00Z`))],
      purchaseOrderNumber: r.purchaseOrderNumber,
      amounts: {
        perIntervention: `${formatEuros(estimate.perIntervention.exclVatCents)} HT, ${formatEuros(estimate.perIntervention.inclVatCents)} TTC`,
        exclVat: formatEuros(estimate.total.exclVatCents),
        vat: formatEuros(estimate.total.vatCents),
        inclVat: formatEuros(estimate.total.inclVatCents),
        insertion: formatMinutes(estimate.insertionMinutes),
      },
      accepted: r.quoteAcceptedAt ? `Devis accepté le ${formatDateTime(r.quoteAcceptedAt)}.` : null,
    },
    estimate,
  );
  return new Response(Buffer.from(bytes), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="devis-${r.reference}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
