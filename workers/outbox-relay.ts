import { listenForOutbox, relayOutboxBatch } from "~/data/outbox.server.ts";
import { errorFields, log } from "~/utils/log.server.ts";

/**
 * Moves outbox rows to BullMQ. Woken at once by the database when a change
 * commits (LISTEN/NOTIFY), and every `intervalMs` anyway; when Redis (or the
 * database) is down it backs off and tries again: rows stay in the outbox.
 */
export function startOutboxRelay(publish: Parameters<typeof relayOutboxBatch>[0], intervalMs = 1000) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;

  const tick = async () => {
    try {
      // Drain while there is work, then wait.
      while (!stopped && (await relayOutboxBatch(publish)) > 0) failures = 0;
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 20 === 0) {
        log.warn({ event: "outbox.relay_paused", failures, error: errorFields(error) }, "outbox.relay_paused");
      }
    }
  };
  // One pass at a time; a wake-up during a pass asks for another right after.
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = tick().then(() => {
      running = null;
      if (again && failures === 0) {
        again = false;
        wake();
      } else if (!stopped) {
        timer = setTimeout(wake, Math.min(intervalMs * 2 ** Math.min(failures, 3), 8000));
      }
    });
  };
  const unlisten = listenForOutbox(wake);
  wake();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await (await unlisten)();
    await running;
  };
}
