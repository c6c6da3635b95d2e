import { FlowProducer, type Job } from "bullmq";
import { createRedis } from "./connection.server.ts";
import { DEFAULT_JOB_OPTIONS } from "./queues.server.ts";
import { parsePayload, type JobName, type JobPayload } from "./registry.ts";
import { logRepeatedError } from "~/utils/log.server.ts";

// Child jobs of a running job (BullMQ flows): the parent waits for them
// (moveToWaitingChildren) and reads what they returned (getChildrenValues).
// Any worker of the queue, on any machine, may take a child.

let producer: { flows: FlowProducer; connection: ReturnType<typeof createRedis> } | undefined;

function flowProducer() {
  if (!producer) {
    const connection = createRedis("worker");
    connection.on("error", (error) => logRepeatedError("redis.worker_connection_error", error));
    producer = { flows: new FlowProducer({ connection }), connection };
  }
  return producer.flows;
}

/**
 * Adds `children` to the queue of the running `parent`, under the parent's
 * prefix. Each child's jobId comes from its business key: adding them again
 * (the parent run twice, or taken up again) is a no-op.
 */
export async function addChildJobs<J extends JobName<"scheduling">>(parent: Job, name: J, children: { jobId: string; data: JobPayload<"scheduling", J> }[]) {
  for (const child of children) parsePayload("scheduling", name, child.data);
  await flowProducer().addBulk(
    children.map((child) => ({
      name,
      queueName: parent.queueName,
      data: child.data,
      prefix: parent.prefix,
      opts: { ...DEFAULT_JOB_OPTIONS, jobId: child.jobId, parent: { id: parent.id!, queue: parent.queueQualifiedName } },
    })),
  );
}

/** At the worker's stop. */
export async function closeFlows() {
  const closing = producer;
  producer = undefined;
  await closing?.flows.close();
  closing?.connection.disconnect();
}
