import { relayOutboxBatch } from "~/data/outbox.server.ts";

/**
 * Moves outbox rows to BullMQ. Runs until stopped; when Redis (or the database)
 * is down it waits and tries again: rows stay in the outbox meanwhile.
 */
export function startOutboxRelay(publish: Parameters<typeof relayOutboxBatch>[0], intervalMs = 250) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;

  const tick = async () => {
    try {
      // Drain while there is work, then wait.
      while (!stopped && (await relayOutboxBatch(publish)) > 0) failures = 0;
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 20 === 0) {
        process.stderr.write(`[outbox] relay paused: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), Math.min(intervalMs * 2 ** Math.min(failures, 5), 8000));
  };
  running = tick();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
