// Sign-in attempts through the real login form, for the throttling, enumeration and CSRF suites.
import { createHash, randomBytes } from 'node:crypto';
import { BrowserSession, pageKind, requireForm, type Arrival, type Page } from './browser-session.ts';
import { spaClient } from './fixtures.ts';
import type { TestServer } from './test-server.ts';

/** A code flow authorization URL for the SPA client, with PKCE S256 (no discovery round trip). */
export function authorizationUrl(server: TestServer, extra: Record<string, string> = {}): URL {
  const url = new URL(`${server.issuer}/auth`);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    client_id: spaClient.client_id,
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: spaClient.redirect_uris[0],
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return url;
}

/** Opens the login page in `browser` (a fresh one by default). */
export async function openLoginPage(server: TestServer, browser = new BrowserSession(server.issuer)): Promise<{ browser: BrowserSession; page: Page }> {
  const arrival = await browser.visit(authorizationUrl(server));
  if (arrival.kind !== 'page' || pageKind(arrival.page) !== 'login') throw new Error('expected the login page');
  return { browser, page: arrival.page };
}

/** Posts the login form of `page`; the page that comes back, or where the browser was sent. */
export async function postLogin(browser: BrowserSession, page: Page, email: string, password: string): Promise<Arrival> {
  return browser.submit(requireForm(page, '/login'), { email, password });
}

/** The page a failed or refused sign-in answered with; throws when the sign-in went through. */
export function pageOf(arrival: Arrival): Page {
  if (arrival.kind !== 'page') throw new Error(`expected a page, the browser was sent to ${arrival.location.href}`);
  return arrival.page;
}
