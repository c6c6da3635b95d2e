import { deliverNotification } from "~/data/notifications.server.ts";
import type { JobPayload } from "~/queues/registry.ts";

/** Turns a notification into mails for the partner's users who want it. Safe to run twice. */
export const notify = (payload: JobPayload<"notifications", "notify">) => deliverNotification(payload);
