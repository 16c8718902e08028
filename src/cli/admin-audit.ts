import { userInfo } from 'node:os';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditEventName } from '../audit/audit-events.ts';

/** Records an administrative change made with the CLI, with the operating-system user who ran it. */
export function recordAdminAction(
  audit: AuditLog,
  event: Extract<AuditEventName, `admin.${string}`>,
  user: { id: string; email: string },
  details: Record<string, string | number | boolean | undefined> = {},
): Promise<void> {
  return audit.record({ event, userId: user.id, email: user.email, userAgent: 'latchkey-cli', details: { actor: operatingSystemUser(), ...details } });
}

/** The operating-system user running the CLI, for the audit trail. */
export function operatingSystemUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // containers may run as a uid without a passwd entry
  }
}
