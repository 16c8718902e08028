import type { AuditEventQueries } from '../db/queries/audit-events.ts';
import type { AuditEntry } from './audit-events.ts';
import { sanitizeEntry } from './sanitize-entry.ts';

/**
 * The audit trail: appends security events to audit_events. A failed write is reported to `onError` and does not
 * fail the request that caused it: people keep signing in while the operator hears about the broken trail.
 */
export function createAuditLog(
  events: AuditEventQueries,
  onError: (error: unknown) => void,
  now: () => Date = () => new Date(),
) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      try {
        await events.insertAuditEvent(sanitizeEntry(entry), now());
      } catch (error) {
        onError(error);
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
