// The invoice's lifecycle: its states, the moves allowed between them, the
// named sets every data function, route and job reads (instead of writing its
// own list), ageing and the French labels. Pure.
export const INVOICE_STATUSES = ["DRAFT", "OPEN", "PAID", "VOID", "UNCOLLECTIBLE"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * Where each state may go. A draft is issued (OPEN), though Stripe may report
 * it further along at once; open → paid | void | uncollectible; uncollectible
 * → paid | void; paid and void are final. Stripe's own states follow the same
 * order, so a fetched state that is not a move allowed here is a step back and
 * is ignored (mergeStatus).
 */
export const TRANSITIONS: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  DRAFT: ["OPEN", "UNCOLLECTIBLE", "PAID", "VOID"],
  OPEN: ["UNCOLLECTIBLE", "PAID", "VOID"],
  UNCOLLECTIBLE: ["PAID", "VOID"],
  PAID: [],
  VOID: [],
};

export const canMove = (from: InvoiceStatus, to: InvoiceStatus) => TRANSITIONS[from].includes(to);

/** Issued and not settled: something may still be due on it, paid by card or transfer, and it may be voided. */
export const PAYABLE = ["OPEN", "UNCOLLECTIBLE"] as const satisfies readonly InvoiceStatus[];
/** Finance may cancel it (by a credit note for what it still bills). */
export const VOIDABLE = PAYABLE;
/** A credit note may correct it: issued and not voided nor written off. */
export const CREDITABLE = ["OPEN", "PAID"] as const satisfies readonly InvoiceStatus[];
/** Finance may write it off as uncollectible (only from open, by hand). */
export const MAY_BECOME_UNCOLLECTIBLE = ["OPEN"] as const satisfies readonly InvoiceStatus[];
/** Issued and with the partner, for the finance page's corrections (credit note, transfer, uncollectible, void). */
export const CORRECTABLE = ["OPEN", "PAID", "UNCOLLECTIBLE"] as const satisfies readonly InvoiceStatus[];

export const isInvoiceIn = <S extends InvoiceStatus>(set: readonly S[], status: string): status is S => (set as readonly string[]).includes(status);

/** What an invoice now in `status` makes of its interventions: invoiced while open, paid once paid; nothing otherwise. */
export function interventionStatusFor(status: InvoiceStatus): "INVOICED" | "PAID" | null {
  return status === "PAID" ? "PAID" : status === "OPEN" ? "INVOICED" : null;
}

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  DRAFT: "Brouillon",
  OPEN: "Émise",
  PAID: "Payée",
  VOID: "Annulée",
  UNCOLLECTIBLE: "Irrécouvrable",
};

export const STATUS_TONES: Record<InvoiceStatus, "green" | "amber" | "red" | "blue" | undefined> = {
  DRAFT: undefined,
  OPEN: "blue",
  PAID: "green",
  VOID: undefined,
  UNCOLLECTIBLE: "red",
};

/** The status a Stripe invoice maps to. */
export function fromStripeStatus(status: string | null | undefined): InvoiceStatus | null {
  switch (status) {
    case "draft":
      return "DRAFT";
    case "open":
      return "OPEN";
    case "paid":
      return "PAID";
    case "void":
      return "VOID";
    case "uncollectible":
      return "UNCOLLECTIBLE";
    default:
      return null;
  }
}

/** The state to keep when an event or a fetch reports `next` for an invoice now in `current`. */
export function mergeStatus(current: InvoiceStatus, next: InvoiceStatus): InvoiceStatus {
  return canMove(current, next) ? next : current;
}

export type AgeingBucket = "current" | "1-30" | "31-60" | "61-90" | "90+";
export const AGEING_LABELS: Record<AgeingBucket, string> = {
  current: "Non échue",
  "1-30": "1 à 30 jours",
  "31-60": "31 à 60 jours",
  "61-90": "61 à 90 jours",
  "90+": "Plus de 90 jours",
};

/** Ageing of an unpaid invoice, by days past its due date. */
export function ageingBucket(dueAt: Date, now: Date): AgeingBucket {
  const days = Math.floor((now.getTime() - dueAt.getTime()) / 86_400_000);
  if (days <= 0) return "current";
  if (days <= 30) return "1-30";
  if (days <= 60) return "31-60";
  if (days <= 90) return "61-90";
  return "90+";
}

/** What the partner still owes on an invoice: its total less payments and credit notes, while open or uncollectible; nothing otherwise. */
export function amountDueCents(i: { status: InvoiceStatus | string; totalInclVatCents: number; paidCents: number; creditedCents: number }): number {
  return isInvoiceIn(PAYABLE, i.status) ? Math.max(0, i.totalInclVatCents - i.paidCents - i.creditedCents) : 0;
}

/**
 * What is overdue on an invoice: what is still due once its due date has
 * passed (uncollectible ones included, partial payments and credit notes
 * deducted). The finance and admin dashboards both count with it.
 */
export function overdueCents(i: Parameters<typeof amountDueCents>[0] & { dueAt: Date | null }, now: Date): number {
  return i.dueAt && i.dueAt.getTime() < now.getTime() ? amountDueCents(i) : 0;
}
