import type { NewAuditEvent } from '../db/queries/audit-events.ts';
import type { AuditEntry } from './audit-events.ts';

const MAX_LENGTH = { userId: 128, email: 254, clientId: 256, ip: 100, userAgent: 512, detail: 256 } as const;
// Defence in depth: callers pass no secrets, and a detail named like one is dropped rather than trusted.
const SECRET_LOOKING_KEY = /pass|secret|token|code|assertion|cookie|authori[sz]ation|hint|credential|key$/i;

/**
 * Makes an entry safe to store: strings bounded (request headers can be long), NUL replaced (Postgres text and
 * jsonb cannot hold it), details with secret-looking names dropped.
 */
export function sanitizeEntry(entry: AuditEntry): NewAuditEvent {
  const details: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(entry.details ?? {})) {
    if (value === undefined || SECRET_LOOKING_KEY.test(key)) continue;
    details[key] = typeof value === 'string' ? clean(value, MAX_LENGTH.detail) : value;
  }
  return {
    event: entry.event,
    userId: optional(entry.userId, MAX_LENGTH.userId),
    email: optional(entry.email, MAX_LENGTH.email),
    clientId: optional(entry.clientId, MAX_LENGTH.clientId),
    ip: optional(entry.ip, MAX_LENGTH.ip),
    userAgent: optional(entry.userAgent, MAX_LENGTH.userAgent),
    details,
  };
}

function optional(value: string | undefined, maxLength: number): string | null {
  return value ? clean(value, maxLength) : null;
}

function clean(value: string, maxLength: number): string {
  const bounded = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  return bounded.replaceAll('\0', '\uFFFD');
}
