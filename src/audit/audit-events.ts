/** Every kind of event the audit trail records. */
export const AUDIT_EVENT_NAMES = [
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_in.throttled',
  'logout',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'token.revoked',
  'token.revocation_refused',
  'refresh_token.reused',
  'authorization_code.replayed',
  'key.rotated',
  'admin.user_added',
  'admin.password_set',
  'admin.user_disabled',
  'admin.user_enabled',
  'admin.user_deleted',
] as const;

export type AuditEventName = (typeof AUDIT_EVENT_NAMES)[number];

/** One security event, as its source knows it; every field but the name is optional. */
export interface AuditEntry {
  event: AuditEventName;
  userId?: string | undefined;
  email?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** Facts about the event: reasons, kinds, counts. Never a password, token, code or secret. */
  details?: Record<string, string | number | boolean | null | undefined>;
}
