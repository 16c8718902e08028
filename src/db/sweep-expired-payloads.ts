import type { OidcPayloadQueries } from './queries/oidc-payloads.ts';
import { deleteInBatches, startPeriodicSweep } from './periodic-sweep.ts';

/**
 * Deletes expired oidc-provider rows in batches, now and then, so the table does not grow for ever. Reads never depend
 * on it: an expired row is already invisible.
 */
export function startExpiredPayloadSweeper(
  payloads: OidcPayloadQueries,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  return startPeriodicSweep(() => deleteInBatches((batchSize) => payloads.deleteExpiredPayloads(new Date(), batchSize)), intervalMs, onError);
}
