// The one bounded-concurrency pool: long jobs (invoicing runs, Factur-X
// documents) go over many items a few at a time, on p-limit.
import pLimit from "p-limit";

/**
 * Runs `work` on every item, at most `concurrency` at once, and settles them
 * all: one failure never stops the others. `progress` gets the number done,
 * at most every 250 ms and once at the end; its own failure is ignored (a
 * progress bar is not worth failing a run for).
 */
export async function eachLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>, progress: (done: number) => unknown = () => {}): Promise<PromiseSettledResult<R>[]> {
  const limit = pLimit(Math.max(1, concurrency));
  let done = 0;
  let lastReport = 0;
  return Promise.allSettled(
    items.map((item) =>
      limit(async () => {
        try {
          return await work(item);
        } finally {
          done++;
          if (Date.now() - lastReport > 250 || done === items.length) {
            lastReport = Date.now();
            await Promise.resolve()
              .then(() => progress(done))
              .catch(() => {});
          }
        }
      }),
    ),
  );
}
