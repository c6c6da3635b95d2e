// Invoice statuses, ageing and the French labels. Pure.
export type InvoiceStatus = "DRAFT" | "OPEN" | "PAID" | "VOID" | "UNCOLLECTIBLE";

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

/**
 * The status a Stripe invoice maps to. Stripe's own states only move forward
 * (draft → open → paid | void | uncollectible, uncollectible → paid | void),
 * so the app takes a fetched state only when it is not a step back.
 */
const RANK: Record<InvoiceStatus, number> = { DRAFT: 0, OPEN: 1, UNCOLLECTIBLE: 2, PAID: 3, VOID: 3 };

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
  if (current === "PAID" || current === "VOID") return current; // final
  return RANK[next] >= RANK[current] ? next : current;
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
  return i.status === "OPEN" || i.status === "UNCOLLECTIBLE" ? Math.max(0, i.totalInclVatCents - i.paidCents - i.creditedCents) : 0;
}

/**
 * What is overdue on an invoice: what is still due once its due date has
 * passed (uncollectible ones included, partial payments and credit notes
 * deducted). The finance and admin dashboards both count with it.
 */
export function overdueCents(i: Parameters<typeof amountDueCents>[0] & { dueAt: Date | null }, now: Date): number {
  return i.dueAt && i.dueAt.getTime() < now.getTime() ? amountDueCents(i) : 0;
}
