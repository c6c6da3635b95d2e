import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { auditExport, invoicesForExport } from "~/data/invoicing.server.ts";
import { monthBounds, parisDate } from "~/domain/invoicing/period.ts";
import { STATUS_LABELS, type InvoiceStatus } from "~/domain/invoicing/status.ts";
import { centsToCsv, csvResponse, toCsv } from "~/utils/csv.ts";

// CSV of a year's issued invoices, or of their lines, for the accounting software. Audited.
const querySchema = z.object({
  what: z.enum(["invoices", "lines"]).catch("invoices"),
  year: z.coerce.number().int().min(2000).max(2100).catch(new Date().getFullYear()),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const { what, year } = querySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const invoices = await invoicesForExport(monthBounds(`${year}-01`).periodStart, monthBounds(`${year + 1}-01`).periodStart);
  await auditExport(actorOf(user), `${what}-${year}`);
  const day = (d: Date | null) => (d ? parisDate(d) : "");
  const csv =
    what === "invoices"
      ? toCsv(
          ["numero", "type", "partenaire", "siret_partenaire", "periode", "emise_le", "echeance", "payee_le", "statut", "total_ht", "tva", "total_ttc", "heures_insertion", "stripe"],
          invoices.map((i) => [
            i.number,
            i.kind === "INVOICE" ? "facture" : "releve_interne",
            i.organisation.name,
            i.organisation.siret,
            i.periodStart.toISOString().slice(0, 7),
            day(i.issuedAt),
            day(i.dueAt),
            day(i.paidAt),
            STATUS_LABELS[i.status as InvoiceStatus],
            centsToCsv(i.totalExclVatCents),
            centsToCsv(i.vatCents),
            centsToCsv(i.totalInclVatCents),
            (i.insertionMinutes / 60).toFixed(2).replace(".", ","),
            i.stripeInvoiceId,
          ]),
        )
      : toCsv(
          ["numero", "partenaire", "description", "quantite_minutes", "prix_unitaire_ht", "taux_tva", "montant_ht", "tva", "bon_de_commande"],
          invoices.flatMap((i) =>
            i.lines.map((l) => [
              i.number,
              i.organisation.name,
              l.description,
              l.quantity,
              centsToCsv(l.unitPriceCents),
              (l.vatRateBasisPoints / 100).toFixed(2).replace(".", ","),
              centsToCsv(l.amountExclVatCents),
              centsToCsv(l.vatCents),
              l.purchaseOrderNumber,
            ]),
          ),
        );
  return csvResponse(`conciergerie-${what === "invoices" ? "factures" : "lignes"}-${year}.csv`, csv);
}
