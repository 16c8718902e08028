// What no response may contain, whatever was sent: the server's insides.
import { expect } from 'vitest';

const STACK_TRACE = /\bat (?:async )?\S+ \(|node_modules|\.ts:\d+:\d+|\n\s+at /;
const SQL = /syntax error at or near|relation "[a-z_]+"|violates [a-z ]+constraint|\b(?:select|insert|update|delete)\b[^<>]{0,80}\b(?:from|into|set)\b[^<>]{0,40}\b(?:users|oidc_payloads|audit_events|sign_in_throttles|signing_keys|cookie_keys)\b/i;

/** Fails when `body` holds a stack trace, SQL or any of the `secrets`. */
export function expectNoLeak(body: string, secrets: readonly string[] = [], context = ''): void {
  expect(body, `${context}: stack trace`).not.toMatch(STACK_TRACE);
  expect(body, `${context}: SQL`).not.toMatch(SQL);
  for (const secret of secrets) expect(body.includes(secret), `${context}: a secret`).toBe(false);
}
