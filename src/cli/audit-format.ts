import type { AuditEventRecord } from '../db/queries/audit-events.ts';

/** One event per line for people: time, event, then the fields that are set. */
export function formatAuditLine(event: AuditEventRecord): string {
  const fields: [string, unknown][] = [
    ['user', event.email ?? event.userId],
    ['sub', event.email ? event.userId : null],
    ['client', event.clientId],
    ['ip', event.ip],
    ...Object.entries(event.details),
    ['ua', event.userAgent],
  ];
  const shown = fields
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${quoteIfNeeded(printable(String(value)))}`);
  return [event.occurredAt.toISOString(), event.event.padEnd(26), ...shown].join(' ').trimEnd();
}

/** One event per line as JSON, for scripts. */
export function formatAuditJson(event: AuditEventRecord): string {
  return JSON.stringify({
    id: event.id,
    time: event.occurredAt.toISOString(),
    event: event.event,
    user_id: event.userId,
    email: event.email,
    client_id: event.clientId,
    ip: event.ip,
    user_agent: event.userAgent,
    details: event.details,
  });
}

/**
 * Control characters shown as escapes: a user agent or a typed email is attacker input, and raw escape sequences
 * would reach the operator's terminal.
 */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function quoteIfNeeded(text: string): string {
  return /[\s"]/.test(text) ? JSON.stringify(text) : text;
}
