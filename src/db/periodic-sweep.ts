/** How many rows one delete statement of a sweep removes at most, so no statement holds locks for long. */
export const SWEEP_BATCH_SIZE = 1000;

/**
 * Runs `sweep` every `intervalMs` in the background (the timer does not keep the process alive), never two at once: a
 * run still going when the next is due makes that one a no-op. A failed run is reported and the next one tries again.
 */
export function startPeriodicSweep(sweep: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void): { stop(): void } {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await sweep();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Calls `deleteBatch` until a batch comes back short: everything it matched is gone. */
export async function deleteInBatches(deleteBatch: (batchSize: number) => Promise<number>): Promise<void> {
  while ((await deleteBatch(SWEEP_BATCH_SIZE)) === SWEEP_BATCH_SIZE);
}
