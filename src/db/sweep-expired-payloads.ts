import type { OidcPayloadQueries } from './queries/oidc-payloads.ts';

const BATCH_SIZE = 1000;

/**
 * Deletes expired oidc-provider rows in batches, now and then, so the table does not grow for ever. Reads never depend
 * on it: an expired row is already invisible.
 */
export function startExpiredPayloadSweeper(
  payloads: OidcPayloadQueries,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      while ((await payloads.deleteExpiredPayloads(new Date(), BATCH_SIZE)) === BATCH_SIZE);
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
