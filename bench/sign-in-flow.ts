// The whole browser-style sign-in of a public client: authorize → login page → POST credentials → (consent, when
// asked) → callback → code exchange with PKCE. Each step is one or two HTTP requests, named so the bench can time
// them and count their database round trips.
import { createHash, randomBytes } from 'node:crypto';
import { Browser, findForm } from './browser.ts';
import type { BenchClients } from './bench-clients.ts';
import { ServerBusyError, requestTokens, type Endpoints, type TokenResponse } from './endpoints.ts';

export const SIGN_IN_STEPS = ['authorize', 'login page', 'login', 'resume', 'consent page', 'consent', 'resume after consent', 'token'] as const;
export type SignInStep = (typeof SIGN_IN_STEPS)[number];

export interface SignInOptions {
  scope: string;
  /** 'consent' asks for the consent page (needed for offline_access, OpenID Connect Core §11). */
  prompt?: 'consent';
  /** Called after each step finished, e.g. to read a round-trip counter. */
  afterStep?: (step: SignInStep) => void;
}

const MAX_HOPS = 8;

/** Signs the bench user in from a new browser and returns the tokens of the code exchange. */
export async function signIn(endpoints: Endpoints, clients: BenchClients, options: SignInOptions): Promise<TokenResponse> {
  const browser = new Browser();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorization = new URL(endpoints.authorization);
  for (const [name, value] of Object.entries({
    client_id: clients.spa.clientId,
    response_type: 'code',
    redirect_uri: clients.spa.redirectUri,
    scope: options.scope,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.prompt ? { prompt: options.prompt } : {}),
  })) {
    authorization.searchParams.set(name, value);
  }
  const step = (name: SignInStep) => options.afterStep?.(name);

  let location = await expectRedirect(browser, authorization, {});
  step('authorize');
  let consented = false;
  for (let hop = 0; hop < MAX_HOPS && location.origin === authorization.origin; hop++) {
    const page = await expectPage(browser, location);
    const login = findForm(page, location, '/login');
    if (login) {
      step('login page');
      const resume = await expectRedirect(browser, login.action, { form: { ...login.fields, email: clients.user.email, password: clients.user.password } }, page);
      step('login');
      location = await expectRedirect(browser, resume, {});
      step('resume');
      continue;
    }
    const consent = findForm(page, location, '/confirm');
    if (!consent) throw new Error(`neither a login nor a consent page at ${location.pathname}: ${page.slice(0, 200)}`);
    step('consent page');
    const resume = await expectRedirect(browser, consent.action, { form: consent.fields });
    step('consent');
    location = await expectRedirect(browser, resume, {});
    step('resume after consent');
    consented = true;
  }
  if (!location.href.startsWith(clients.spa.redirectUri)) throw new Error(`the sign-in did not come back to the client: ${location.href}`);
  if (options.prompt === 'consent' && !consented) throw new Error('prompt=consent did not show the consent page');
  const code = location.searchParams.get('code');
  if (!code || location.searchParams.get('state') !== state) {
    throw new Error(`the callback has no code or the wrong state: ${location.search.slice(0, 200)}`);
  }
  const tokens = await requestTokens(endpoints, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: clients.spa.redirectUri,
    client_id: clients.spa.clientId,
    code_verifier: verifier,
  });
  step('token');
  return tokens;
}

/** Makes the request and returns where the redirect points; a page instead is an error (quoted in the message). */
async function expectRedirect(browser: Browser, url: URL, init: { form?: Record<string, string> }, previousPage?: string): Promise<URL> {
  const response = await browser.request(url, init);
  if (response.status === 503 && response.headers.has('retry-after')) {
    await response.body?.cancel();
    throw new ServerBusyError(url, response.headers.get('retry-after'));
  }
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 303 || !location) {
    const text = await response.text();
    const reason = /id="login-error"[^>]*>([^<]*)</.exec(text)?.[1] ?? text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 200);
    throw new Error(`${response.status} from ${url.pathname}${previousPage ? ' (after the login form)' : ''}: ${reason.trim()}`);
  }
  await response.body?.cancel();
  return new URL(location, url);
}

async function expectPage(browser: Browser, url: URL): Promise<string> {
  const response = await browser.request(url);
  if (response.status === 503 && response.headers.has('retry-after')) {
    await response.body?.cancel();
    throw new ServerBusyError(url, response.headers.get('retry-after'));
  }
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${response.status} from ${url.pathname}: ${text.slice(0, 200)}`);
  return text;
}
