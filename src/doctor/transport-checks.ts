import { fail, ok, skip, warn, type CheckResult } from './check-result.ts';
import type { Probe } from './http-probe.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether the issuer is this machine, where http is fine for development. */
export function isLocalIssuer(issuer: string): boolean {
  const url = URL.parse(issuer);
  return url !== null && LOCAL_HOSTS.has(url.hostname);
}

/** An http issuer anywhere but localhost sends passwords, codes, tokens and session cookies in the clear. */
export function evaluateIssuerScheme(issuer: string): CheckResult {
  const name = 'https';
  if (issuer.startsWith('https:')) return ok(name, 'the issuer uses https');
  if (isLocalIssuer(issuer)) return ok(name, 'http on localhost (development only)');
  return fail(
    name,
    `the issuer ${issuer} uses http on a host other people reach: passwords, tokens and cookies travel unencrypted`,
    'serve Latchkey over https (a TLS-terminating proxy with proxy: true) and set issuer to the https URL',
  );
}

/** Browsers should be told to stay on https (RFC 6797); Latchkey sends the header itself when the issuer is https. */
export function evaluateHsts(issuer: string, response: Probe): CheckResult {
  const name = 'hsts';
  if (!issuer.startsWith('https:')) return skip(name, 'the issuer is not https');
  if (!response.ok) return skip(name, 'no response to read headers from');
  if (response.headers.get('strict-transport-security')) return ok(name, 'Strict-Transport-Security is sent');
  return warn(name, 'no Strict-Transport-Security header reaches this client', 'check that the proxy in front does not strip it');
}

/**
 * The cookies of a sign-in: HttpOnly always, and Secure whenever the issuer is https. Behind a TLS-terminating proxy
 * without `proxy: true` Latchkey believes it is on http, and oidc-provider cannot set its Secure cookies at all.
 */
export function evaluateCookies(issuer: string, response: Probe | undefined): CheckResult {
  const name = 'cookies';
  if (!response) return skip(name, 'no client with authorization_code in the local clients.yaml to start a sign-in with');
  if (!response.ok) return fail(name, `starting a sign-in failed: ${response.error}`);
  if (response.status >= 500) {
    return fail(
      name,
      `starting a sign-in answered ${response.status}`,
      issuer.startsWith('https:') ? 'behind a TLS-terminating proxy, set proxy: true so Latchkey sees https and can set Secure cookies' : undefined,
    );
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length === 0) return fail(name, `starting a sign-in answered ${response.status} without setting the interaction cookie`);
  const names = (predicate: (attributes: string[]) => boolean) =>
    cookies.filter((cookie) => predicate(attributesOf(cookie))).map((cookie) => cookie.split('=')[0] ?? '');
  const notHttpOnly = names((attributes) => !attributes.includes('httponly'));
  const notSecure = issuer.startsWith('https:') ? names((attributes) => !attributes.includes('secure')) : [];
  if (notSecure.length > 0) {
    return fail(name, `cookies without Secure on an https issuer: ${notSecure.join(', ')}`, 'set proxy: true behind a TLS-terminating proxy');
  }
  if (notHttpOnly.length > 0) return fail(name, `cookies readable by scripts (no HttpOnly): ${notHttpOnly.join(', ')}`);
  return ok(name, `${cookies.length} sign-in cookies, HttpOnly${issuer.startsWith('https:') ? ' and Secure' : ' (Secure needs an https issuer)'}`);
}

function attributesOf(setCookie: string): string[] {
  return setCookie.split(';').slice(1).map((attribute) => attribute.trim().split('=')[0]?.toLowerCase() ?? '');
}
