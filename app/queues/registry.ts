import { z } from "zod";

// Every queue, its job names and their payloads, in one place: the web app
// (through the outbox) and the workers both read it. Payloads carry ids only,
// never personal data.
export const QUEUES = {
  mail: {
    send: z.object({ mailId: z.string().min(1) }),
  },
} as const;

export type QueueName = keyof typeof QUEUES;
export type JobName<Q extends QueueName> = keyof (typeof QUEUES)[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> = z.infer<(typeof QUEUES)[Q][J]>;

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/** Validates a payload against the registry; throws a clear error on an unknown job or a bad payload. */
export function parsePayload(queue: string, jobName: string, payload: unknown) {
  const jobs = (QUEUES as Record<string, Record<string, z.ZodType>>)[queue];
  const schema = jobs?.[jobName];
  if (!schema) throw new Error(`Unknown job ${queue}/${jobName}`);
  return schema.parse(payload);
}

/** BullMQ job ids cannot contain ":"; business keys may. */
export const jobIdFor = (queue: string, businessKey: string) => `${queue}-${businessKey}`.replace(/:/g, "_");
