// Every page and protocol response carries the security headers: a strict CSP without 'unsafe-inline', no framing,
// no sniffing, no referrer, and no caching of anything with personal data or tokens. HSTS only on an https issuer.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind, requireForm, type Page } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, OFFLINE_ACCESS } from '../support/relying-party.ts';
import { pageOf } from '../support/login-attempts.ts';

interface Answer {
  name: string;
  status: number;
  headers: Headers;
  body: string;
}

function fromPage(name: string, page: Page): Answer {
  return { name, status: page.status, headers: page.headers, body: page.html };
}

async function fromResponse(name: string, response: Response): Promise<Answer> {
  return { name, status: response.status, headers: response.headers, body: await response.text() };
}

function expectSecurityHeaders(answer: Answer, cache: 'no-store' | 'cacheable' = 'no-store'): void {
  const { headers, name } = answer;
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, name).toContain("default-src 'none'");
  expect(csp, name).toContain("frame-ancestors 'none'");
  expect(csp, name).toContain("base-uri 'none'");
  expect(csp, name).not.toContain('unsafe-inline');
  expect(csp, name).not.toContain('unsafe-eval');
  expect(headers.get('x-frame-options'), name).toBe('DENY');
  expect(headers.get('x-content-type-options'), name).toBe('nosniff');
  expect(headers.get('referrer-policy'), name).toBe('no-referrer');
  expect(headers.get('strict-transport-security'), name).toBeNull(); // plain http: HSTS would be ignored, and wrong
  if (cache === 'no-store') expect(headers.get('cache-control'), name).toBe('no-store');
  else expect(headers.get('cache-control'), name).toMatch(/^public, max-age=\d+$/);
}

/** Pages must work under that CSP as they are: no inline scripts, event handlers or style attributes. */
function expectNoInlineCode(answer: Answer): void {
  expect(answer.body, answer.name).not.toMatch(/<script|\son[a-z]+=|\sstyle=|<style/i);
}

describe.each(databaseTargets())('security headers ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('are on every hosted page: login, failed login, consent, logout, signed out, and the error pages', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer);
    const pending = await buildAuthorization(config, { redirectUri: spaClient.redirect_uris[0], scope: 'openid email' });

    const login = pageOf(await browser.visit(pending.url));
    const failed = pageOf(await browser.submitLogin(login, user.email, 'not the password'));
    const consent = pageOf(await browser.submitLogin(failed, user.email, user.password));
    expect(pageKind(consent)).toBe('consent');
    const left = await browser.answerConsent(consent, 'allow');
    if (left.kind !== 'left') throw new Error('expected the redirect to the client');
    const tokens = await exchangeCode(config, left.location, pending);
    const logout = pageOf(await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '' })));
    expect(pageKind(logout)).toBe('logout');
    const signedOut = pageOf(await browser.submit(requireForm(logout, '/session/end/confirm'), { logout: 'yes' }));
    const expired = pageOf(await new BrowserSession(server().issuer).visit(`${server().issuer}/interaction/gone`));
    const unknownClient = pageOf(await new BrowserSession(server().issuer).visit(`${server().issuer}/auth?client_id=nobody&response_type=code&scope=openid`));
    const notFound = await fromResponse('404', await fetch(`${server().issuer}/no/such/page`));

    const pages = [
      fromPage('login', login),
      fromPage('failed login', failed),
      fromPage('consent', consent),
      fromPage('logout', logout),
      fromPage('signed out', signedOut),
      fromPage('expired interaction', expired),
      fromPage('unknown client', unknownClient),
    ];
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 200, 400, 400]);
    for (const page of pages) {
      expectSecurityHeaders(page);
      expectNoInlineCode(page);
      expect(page.headers.get('content-type'), page.name).toBe('text/html; charset=utf-8');
    }
    expectSecurityHeaders(notFound);
  });

  it('are on protocol responses, and nothing that carries a token is cacheable', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);
    const pending = await buildAuthorization(config, { redirectUri: basicWebClient.redirect_uris[0], ...OFFLINE_ACCESS });
    const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    const basic = `Basic ${Buffer.from(`${basicWebClient.client_id}:${basicWebClient.client_secret}`).toString('base64')}`;
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${server().issuer}${path}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

    const token = await fromResponse('token', await post('/token', {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: basicWebClient.redirect_uris[0],
      code_verifier: pending.codeVerifier,
    }));
    const tokens = JSON.parse(token.body) as { access_token: string; refresh_token: string };
    const answers = [
      token,
      await fromResponse('refresh', await post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })),
      await fromResponse('userinfo', await fetch(`${server().issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })),
      await fromResponse('introspection', await post('/token/introspection', { token: tokens.access_token })),
      await fromResponse('token error', await post('/token', { grant_type: 'authorization_code', code: 'nope', redirect_uri: basicWebClient.redirect_uris[0] })),
      await fromResponse('revocation', await post('/token/revocation', { token: tokens.access_token })),
      await fromResponse('discovery', await fetch(`${server().issuer}/.well-known/openid-configuration`)),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 400, 200, 200]);
    for (const answer of answers) expectSecurityHeaders(answer);
    // The JWKS holds no secret and relying parties are told how long they may cache it (key rotation publishes ahead).
    expectSecurityHeaders(await fromResponse('jwks', await fetch(`${server().issuer}/jwks`)), 'cacheable');

    expectSecurityHeaders(await fromResponse('stylesheet', await fetch(`${server().issuer}/assets/theme.css`)), 'cacheable');
  });
});
