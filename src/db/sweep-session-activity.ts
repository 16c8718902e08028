import type { SessionActivityQueries } from './queries/session-activity.ts';
import { deleteInBatches, startPeriodicSweep } from './periodic-sweep.ts';

/**
 * Deletes session_activity rows whose session is gone (expired and swept, ended by a logout, the CLI or a password
 * change elsewhere), in batches, now and then. Reads never depend on it: the account page lists live sessions only.
 */
export function startSessionActivitySweeper(
  queries: Pick<SessionActivityQueries, 'deleteOrphanedSessionActivity'>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  return startPeriodicSweep(() => deleteInBatches((batchSize) => queries.deleteOrphanedSessionActivity(batchSize)), intervalMs, onError);
}
