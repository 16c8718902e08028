import type { SessionActivityQueries } from './queries/session-activity.ts';

const BATCH_SIZE = 1000;

/**
 * Deletes session_activity rows whose session is gone (expired and swept, ended by a logout, the CLI or a password
 * change elsewhere), in batches, now and then. Reads never depend on it: the account page lists live sessions only.
 */
export function startSessionActivitySweeper(
  queries: Pick<SessionActivityQueries, 'deleteOrphanedSessionActivity'>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      while ((await queries.deleteOrphanedSessionActivity(BATCH_SIZE)) === BATCH_SIZE);
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
