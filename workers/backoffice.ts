// The back office's part of the worker: the daily retention job and the
// heartbeat the admin dashboard reads. Registered by startWorkers, never at import.
import type { Job } from "bullmq";
import type { RedisConnection } from "~/queues/connection.server.ts";
import { anonymiseDueParticipants } from "~/data/participants-admin.server.ts";
import { WORKER_HEARTBEAT_KEY, WORKER_HEARTBEAT_MS } from "~/queues/monitoring.server.ts";
import type { createQueues } from "~/queues/queues.server.ts";
import { parsePayload } from "~/queues/registry.ts";

export async function retentionProcessor(job: Job) {
  parsePayload("retention", job.name, job.data);
  return anonymiseDueParticipants(new Date());
}

/** Every day at 03:00, Paris time: anonymise the people whose retention period has passed. */
export async function registerRetentionScheduler(queues: ReturnType<typeof createQueues>) {
  await queues.get("retention").upsertJobScheduler("daily-retention", { pattern: "0 3 * * *", tz: "Europe/Paris" }, { name: "anonymise", data: {} });
}

/** Writes the time into Redis every 15 s; the dashboard shows the worker as down when it grows old. */
export function startHeartbeat(connection: RedisConnection, prefix?: string): () => void {
  const beat = () => void connection.set(WORKER_HEARTBEAT_KEY(prefix), String(Date.now()), "EX", 300).catch(() => {});
  beat();
  const timer = setInterval(beat, WORKER_HEARTBEAT_MS);
  return () => clearInterval(timer);
}
