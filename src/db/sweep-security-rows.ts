import type { AuditEventQueries } from './queries/audit-events.ts';
import type { SignInThrottleQueries } from './queries/sign-in-throttles.ts';

/**
 * Now and then deletes throttling counters nobody has touched for `resetAfterSeconds` (they would start over anyway)
 * and audit events past their retention, the only deletion the audit trail allows.
 */
export function startSecurityRowSweeper(
  queries: { signInThrottles: SignInThrottleQueries; auditEvents: AuditEventQueries },
  settings: { resetAfterSeconds: number; auditRetentionSeconds: number },
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const now = Date.now();
      await queries.signInThrottles.deleteStaleCounters(new Date(now - settings.resetAfterSeconds * 1000), new Date(now));
      await queries.auditEvents.deleteAuditEventsBefore(new Date(now - settings.auditRetentionSeconds * 1000));
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
