import { z } from "zod";
import { NOTIFICATION_KINDS } from "~/domain/notifications/notifications.ts";
import { dayField, monthField } from "~/utils/validation.ts";

// Months and weeks a job may work on: the span of dates the app accepts (app/utils/validation.ts).
const month = monthField("A month YYYY-MM.", "planned");
const day = dayField("A day YYYY-MM-DD.", "planned");

// A big week's split, as the weekly optimisation's parts read it: the week
// they were cut from (a fingerprint, so a part of a changed week is refused),
// how many parts, and the notice period's end that pinned it.
const weekSplit = z.object({
  snapshot: z.string().regex(/^[0-9a-f]{64}$/, "A SHA-256 in hex."),
  parts: z.number().int().min(2).max(64),
  lockedBefore: z.string().datetime(),
});

// Every queue, its job names and their payloads, in one place: the web app
// (through the outbox) and the workers both read it. Payloads carry ids only,
// never personal data.
export const QUEUES = {
  mail: {
    send: z.object({ mailId: z.string().min(1) }),
  },
  notifications: {
    /** Tell a partner's users, or coordination, about a request, an intervention or an invoice (each by their preferences, in digests). */
    notify: z.object({
      kind: z.enum(NOTIFICATION_KINDS),
      key: z.string().min(1), // the event's business key: one mail per person per key
      requestId: z.string().min(1).optional(),
      interventionId: z.string().min(1).optional(),
      invoiceId: z.string().min(1).optional(),
      messageId: z.string().min(1).optional(),
      disputeId: z.string().min(1).optional(),
      priceVersionId: z.string().min(1).optional(), // a new price of a prestation, told to one partner
      organisationId: z.string().min(1).optional(),
      previousStartsAt: z
        .string()
        .datetime()
        .refine((s) => day.safeParse(s.slice(0, 10)).success)
        .optional(),
    }),
  },
  scheduling: {
    /** Instant mode: staff an accepted request's interventions without moving confirmed ones. */
    "staff-request": z.object({ requestId: z.string().min(1) }),
    /** An intervention changed (moved, cancelled, someone absent): re-staff it. */
    "replan-intervention": z.object({ interventionId: z.string().min(1) }),
    /** Weekly optimisation of one week (a Monday, Paris), by the job scheduler or a coordinator. */
    "optimise-week": z.object({
      weekStart: day.optional(), // default: next week
      runId: z.string().min(1).optional(),
      /** Set by the job itself once it has split a big week into parts (child jobs): it then merges them. */
      split: weekSplit.optional(),
    }),
    /** One independent part of a big week (a child of its optimise-week job): solved, the plan returned, nothing written. */
    "optimise-part": weekSplit.extend({ weekStart: day, runId: z.string().min(1), part: z.number().int().min(0).max(63) }),
    /** The daily job scheduler's tick: expands recurring requests up to the rolling horizon. */
    "expand-series": z.object({}),
    /** The weekly optimisation's day or time changed (back office): re-register its job scheduler. */
    "reschedule-optimisation": z.object({}),
  },
  invoicing: {
    /** Builds the drafts of a month (every partner, or one): nothing leaves the app yet. */
    prepare: z.object({
      month,
      organisationId: z.string().min(1).optional(),
      runKey: z.string().min(1),
    }),
    /** Numbers and sends the month's drafts (every partner, or one) through the billing provider. */
    issue: z.object({
      month,
      organisationId: z.string().min(1).optional(),
      runKey: z.string().min(1),
    }),
    /** The monthly job scheduler's tick: on the first working day, prepares last month's drafts. */
    monthly: z.object({}),
    /** Corrections of issued invoices, applied at the provider. */
    "credit-note": z.object({ creditNoteId: z.string().min(1) }),
    void: z.object({ invoiceId: z.string().min(1) }),
    uncollectible: z.object({ invoiceId: z.string().min(1) }),
    transfer: z.object({ paymentId: z.string().min(1) }),
    /** The Factur-X document of one issued invoice or credit note (generated once). */
    document: z.union([z.object({ invoiceId: z.string().min(1) }).strict(), z.object({ creditNoteId: z.string().min(1) }).strict()]),
    /** Every missing document of a month (by date of issue), with a progress bar. */
    documents: z.object({ month, runKey: z.string().min(1) }),
  },
  einvoicing: {
    /** Submits one stored Factur-X document to the accredited platform (once: trackingId and flowId). */
    submit: z.object({ documentId: z.string().min(1) }).strict(),
    /** The platform said a flow changed (webhook): read it from the platform and apply it. */
    "flow-update": z.object({ flowId: z.string().min(1).max(36) }).strict(),
    /** Fallback: every flow updated since the last poll (POST /v1/flows/search, updatedAfter). */
    poll: z.object({}),
    /** The Encaissée lifecycle flow of one recorded payment (once per payment). */
    "report-payment": z.object({ paymentId: z.string().min(1) }).strict(),
  },
  stripe: {
    /** A verified webhook event, stored under its id: applied once, in any order. */
    event: z.object({ eventId: z.string().min(1) }),
    /** Lists recent Stripe events and invoices to catch anything a webhook missed. */
    reconcile: z.object({}),
  },
  retention: {
    /** The daily job scheduler's tick: anonymises people in insertion past the retention period. */
    anonymise: z.object({}),
  },
} as const;

export type QueueName = keyof typeof QUEUES;
export type JobName<Q extends QueueName> = keyof (typeof QUEUES)[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = z.infer<(typeof QUEUES)[Q][J]>;

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/**
 * Validates a payload against the registry: when the outbox row is written,
 * and again when the job runs (a retried job or a hand-made one may hold
 * anything). The error says which field is wrong; the worker fails such a job
 * for good (running it again would fail the same way).
 */
export class InvalidJobPayload extends Error {}

export function parsePayload(queue: string, jobName: string, payload: unknown) {
  const jobs = (QUEUES as Record<string, Record<string, z.ZodType>>)[queue];
  const schema = jobs?.[jobName];
  if (!schema) throw new InvalidJobPayload(`Unknown job ${queue}/${jobName}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
    throw new InvalidJobPayload(`Invalid payload for ${queue}/${jobName}: ${reasons}`);
  }
  return parsed.data;
}

/** BullMQ job ids cannot contain ":"; business keys may. */
export const jobIdFor = (queue: string, businessKey: string) => `${queue}-${businessKey}`.replace(/:/g, "_");
