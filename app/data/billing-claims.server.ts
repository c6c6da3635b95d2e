import type { Settlement } from "~/domain/invoicing/lines.ts";
import { BILLED } from "~/domain/requests/status.ts";
import { db, type Tx } from "./db.server.ts";

// Which line bills an intervention now (BillingClaim), and what a settled
// dispute says about billing it. Used by the invoice run and the corrections.

/**
 * A void releases its interventions: their claims go, they are "done" again,
 * and the next run bills them on a new invoice. The voided invoice and its
 * lines stay as they were. Safe to call twice (nothing left to release).
 */
export async function releaseClaims(tx: Tx, invoiceId: string): Promise<number> {
  const claims = await tx.billingClaim.findMany({ where: { invoiceLine: { invoiceId } }, select: { interventionId: true } });
  if (claims.length === 0) return 0;
  const ids = claims.map((c) => c.interventionId);
  await tx.billingClaim.deleteMany({ where: { interventionId: { in: ids } } });
  await tx.intervention.updateMany({ where: { id: { in: ids }, status: { in: [...BILLED] } }, data: { status: "DONE" } });
  return ids.length;
}

/** Open disputes (the line waits) and the latest settlement of each intervention. */
export async function settlementsFor(tx: Tx, interventionIds: string[]) {
  const rows = await tx.dispute.findMany({
    where: { interventionId: { in: interventionIds } },
    select: { interventionId: true, settledAt: true, outcome: true, correctedMinutes: true },
    orderBy: { openedAt: "asc" },
  });
  const open = new Set<string>();
  const settled = new Map<string, Settlement>();
  for (const d of rows) {
    if (!d.settledAt) open.add(d.interventionId);
    else if (d.outcome === "CORRECT" && d.correctedMinutes !== null) settled.set(d.interventionId, { outcome: "CORRECT", correctedMinutes: d.correctedMinutes });
    else if (d.outcome === "WAIVE") settled.set(d.interventionId, { outcome: "WAIVE" });
    else settled.set(d.interventionId, { outcome: "KEEP" });
  }
  return { open, settled };
}

/** Where a voided invoice's interventions are billed now (drafts included): its replacements. */
export async function rebilledOn(invoiceId: string) {
  const lines = await db().invoiceLine.findMany({ where: { invoiceId, interventionId: { not: null } }, select: { interventionId: true } });
  const claims = await db().billingClaim.findMany({
    where: { interventionId: { in: lines.map((l) => l.interventionId!) }, invoiceLine: { invoiceId: { not: invoiceId } } },
    select: { invoiceLine: { select: { invoice: { select: { id: true, number: true, status: true } } } } },
  });
  const invoices = new Map(claims.map((c) => [c.invoiceLine.invoice.id, c.invoiceLine.invoice]));
  return { interventions: lines.length, rebilled: claims.length, invoices: [...invoices.values()] };
}
