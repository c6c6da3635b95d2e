// The background worker: relays the outbox to BullMQ and runs every queue's jobs.
// Started beside the web server (npm run worker); stops cleanly on SIGTERM/SIGINT.
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { disconnectDb } from "~/data/db.server.ts";
import { deleteExpiredSessions } from "~/data/sessions.server.ts";
import { mailTransport } from "~/integrations/mail.server.ts";
import { stripeConfigured } from "~/integrations/stripe.server.ts";
import { platformConfigured } from "~/integrations/einvoicing-platform.server.ts";
import { createRedis, queuePrefix } from "~/queues/connection.server.ts";
import { createQueues } from "~/queues/queues.server.ts";
import { closeFlows } from "~/queues/flows.server.ts";
import { InvalidJobPayload, parsePayload, type JobPayload, type QueueName } from "~/queues/registry.ts";
import { env, envOrExit } from "~/utils/env.server.ts";
import { registerRetentionScheduler, retentionProcessor, startHeartbeat } from "./backoffice.ts";
import { startOutboxRelay } from "./outbox-relay.ts";
import { sendMail } from "./processors/mail.ts";
import { notify } from "./processors/notifications.ts";
import * as einvoicing from "./processors/einvoicing.ts";
import * as invoicing from "./processors/invoicing.ts";
import * as platform from "./processors/einvoicing-platform.ts";
import { optimisePart, optimiseWeek, replanIntervention, staffRequest } from "./processors/scheduling.ts";
import { registerRecurrenceHorizon, registerWeeklyOptimisation, registerWeeklyOptimisationAtStart } from "./scheduling-schedulers.ts";
import { expandRecurrence } from "~/data/recurrence.server.ts";
import { errorFields, log, logError, logRepeatedError } from "~/utils/log.server.ts";

type Processor = (job: Job, token?: string) => Promise<unknown>;

/** A job whose payload is invalid fails at once with its reason: retrying would fail the same way. */
export const failForGoodOnBadPayload =
  (process: Processor): Processor =>
  async (job) => {
    try {
      return await process(job);
    } catch (error) {
      if (error instanceof InvalidJobPayload) throw new UnrecoverableError(error.message);
      throw error;
    }
  };

export function processorsFor(queues: ReturnType<typeof createQueues>): Record<QueueName, Processor> {
  const transport = mailTransport();
  return {
    mail: async (job) => sendMail(parsePayload("mail", job.name, job.data) as { mailId: string }, transport),
    invoicing: async (job) => {
      const payload = parsePayload("invoicing", job.name, job.data) as Record<string, string>;
      if (job.name === "prepare") return invoicing.prepareRun(payload as { month: string }, job);
      if (job.name === "issue") return invoicing.issueRun(payload as { month: string }, job);
      if (job.name === "monthly") return invoicing.monthlyTick(job);
      if (job.name === "credit-note") return invoicing.applyCreditNote(payload as { creditNoteId: string });
      if (job.name === "transfer") return invoicing.applyTransfer(payload as { paymentId: string });
      if (job.name === "document") return einvoicing.documentJob(payload as JobPayload<"invoicing", "document">);
      if (job.name === "documents") return einvoicing.documentsRun(payload as { month: string }, job);
      return invoicing.applyStatusChange(job.name as "void" | "uncollectible", payload as { invoiceId: string });
    },
    einvoicing: async (job) => {
      const payload = parsePayload("einvoicing", job.name, job.data);
      if (job.name === "submit") return platform.submitDocument(payload as JobPayload<"einvoicing", "submit">);
      if (job.name === "flow-update") return platform.flowUpdate(payload as JobPayload<"einvoicing", "flow-update">);
      if (job.name === "report-payment") return platform.reportPayment(payload as JobPayload<"einvoicing", "report-payment">);
      return platform.pollFlows();
    },
    stripe: async (job) => {
      const payload = parsePayload("stripe", job.name, job.data) as { eventId: string };
      return job.name === "event" ? invoicing.processStripeEvent(payload) : invoicing.reconcile();
    },
    retention: retentionProcessor,
    notifications: async (job, token) => notify(parsePayload("notifications", job.name, job.data) as JobPayload<"notifications", "notify">, job, token),
    scheduling: async (job, token) => {
      const payload = parsePayload("scheduling", job.name, job.data);
      if (job.name === "staff-request") return staffRequest(payload as JobPayload<"scheduling", "staff-request">);
      if (job.name === "replan-intervention") return replanIntervention(payload as JobPayload<"scheduling", "replan-intervention">);
      if (job.name === "expand-series") return expandRecurrence(new Date());
      if (job.name === "reschedule-optimisation") return registerWeeklyOptimisation(queues.get("scheduling"));
      if (job.name === "optimise-part") return optimisePart(payload as JobPayload<"scheduling", "optimise-part">, job);
      return optimiseWeek(payload as JobPayload<"scheduling", "optimise-week">, job, undefined, undefined, { token });
    },
  };
}

/** Recurring work, registered explicitly at start (never as an import side effect). */
async function registerJobSchedulers(queues: ReturnType<typeof createQueues>) {
  // Re-plans next week every week, at the service's chosen day and time, Paris time.
  await registerWeeklyOptimisationAtStart(queues.get("scheduling"));
  await registerRecurrenceHorizon(queues.get("scheduling"));
}

export type WorkerOptions = {
  prefix?: string; // Redis key prefix (tests run side by side under their own)
  concurrency?: number;
  schedulers?: boolean; // register the recurring jobs (default true)
  lockDurationMs?: number; // how long before a dead worker's job is taken up again
};

/**
 * Invoicing's recurring work: the monthly run (days 1 to 7 at 07:00 Paris; the job
 * itself acts only on the first working day) and, with Stripe, an hourly reconciliation.
 */
async function registerInvoicingSchedulers(queues: ReturnType<typeof createQueues>) {
  await queues.get("invoicing").upsertJobScheduler("invoicing-monthly", { pattern: "0 7 1-7 * *", tz: "Europe/Paris" }, { name: "monthly", data: {} });
  if (stripeConfigured()) {
    await queues.get("stripe").upsertJobScheduler("stripe-reconcile", { pattern: "17 * * * *", tz: "Europe/Paris" }, { name: "reconcile", data: {} });
  }
  // The accredited platform's statuses, polled as a fallback to its webhooks: once per period.
  if (platformConfigured()) {
    await queues.get("einvoicing").upsertJobScheduler("einvoicing-poll", { every: env().PA_POLL_MINUTES * 60_000 }, { name: "poll", data: {} });
  } else {
    await queues.get("einvoicing").removeJobScheduler("einvoicing-poll");
  }
}

export async function startWorkers(options: WorkerOptions = {}) {
  const connection = createRedis("worker");
  connection.on("error", (error) => logRepeatedError("redis.worker_connection_error", error)); // BullMQ reconnects
  const stopHeartbeat = startHeartbeat(connection, options.prefix); // read by the admin dashboard
  const queues = createQueues(connection, options.prefix);
  const workers = Object.entries(processorsFor(queues)).map(
    ([name, process]) =>
      new Worker(name, failForGoodOnBadPayload(process), {
        connection,
        prefix: queuePrefix(name, options.prefix),
        concurrency: options.concurrency ?? 10,
        // A worker killed mid-job: its job is taken up again once the lock lapses.
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: Math.round((options.lockDurationMs ?? 30_000) / 2),
        // An invoicing run killed again and again is taken up again each time: every step of it is idempotent.
        maxStalledCount: name === "invoicing" || name === "einvoicing" ? 50 : 1,
      }),
  );
  for (const worker of workers) {
    worker.on("failed", (job, error) => {
      log.warn({ event: "job.failed", queue: worker.name, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, error: errorFields(error) }, "job.failed");
    });
    worker.on("error", (error) => logRepeatedError("queue.worker_error", error, { queue: worker.name }));
  }
  const stopRelay = startOutboxRelay((row) => queues.publish(row));
  if (options.schedulers !== false) await registerInvoicingSchedulers(queues);
  if (options.schedulers !== false) await registerJobSchedulers(queues);
  if (options.schedulers !== false) await registerRetentionScheduler(queues);

  // Housekeeping that needs no queue of its own.
  const cleanup = setInterval(() => deleteExpiredSessions(new Date()).catch((error) => logError("sessions.cleanup_failed", error)), 60 * 60 * 1000);

  return async function stop() {
    clearInterval(cleanup);
    stopHeartbeat();
    await stopRelay();
    await Promise.all(workers.map((w) => w.close()));
    await closeFlows();
    await queues.close();
    connection.disconnect();
    await disconnectDb();
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // QUEUE_PREFIX: apps that share one Redis (test runs side by side) keep their jobs apart.
  const stop = await startWorkers({ prefix: envOrExit("Worker").QUEUE_PREFIX });
  process.stdout.write("Conciergerie worker started: outbox relay and queues running\n");
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Worker stopping (${signal})…\n`);
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
