import type { AuditEventQueries } from './queries/audit-events.ts';
import type { SignInThrottleQueries } from './queries/sign-in-throttles.ts';
import { startPeriodicSweep } from './periodic-sweep.ts';

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
  return startPeriodicSweep(
    async () => {
      const now = Date.now();
      await queries.signInThrottles.deleteStaleCounters(new Date(now - settings.resetAfterSeconds * 1000), new Date(now));
      await queries.auditEvents.deleteAuditEventsBefore(new Date(now - settings.auditRetentionSeconds * 1000));
    },
    intervalMs,
    onError,
  );
}
