import { DelayedError, type Job } from "bullmq";
import { deliverNotification } from "~/data/notifications.server.ts";
import type { JobPayload } from "~/queues/registry.ts";

/**
 * Turns a notification (and the others of its request, in a digest) into
 * mails. While its request is still busy, the job waits for the quiet
 * moment (delayed, not failed). Safe to run twice.
 */
export async function notify(payload: JobPayload<"notifications", "notify">, job?: Job, token?: string) {
  const result = await deliverNotification(payload);
  if ("waitUntil" in result && job && token) {
    await job.moveToDelayed(result.waitUntil.getTime(), token);
    throw new DelayedError();
  }
  return result;
}
