import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind, type Page } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, signInWithCode } from '../support/relying-party.ts';

const redirectUri = spaClient.redirect_uris[0];

describe.each(databaseTargets())('consent ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('is remembered: signing in again from a fresh browser with the same scopes skips the consent page', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid email', user, consent: 'allow' });

    const again = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid email', user, consent: 'expect-none' });

    expect(again.claims()?.sub).toBe(user.id);
  });

  it('asks again only for scopes not yet allowed', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid email', user, consent: 'allow' });

    const browser = new BrowserSession(server().issuer);
    const pending = await buildAuthorization(config, { redirectUri, scope: 'openid email profile' });
    const login = await expectPage(browser.visit(pending.url));
    const consent = await expectPage(browser.submitLogin(login, user.email, user.password));

    expect(pageKind(consent)).toBe('consent');
    expect(consent.html).toContain('See your name');
    expect(consent.html).not.toContain('See your email address');
    expect(consent.html).toContain(user.email);
  });

  it('deny sends access_denied back to the redirect_uri with the state', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri, scope: 'openid email' });

    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'deny' });

    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(redirectUri);
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callbackUrl.searchParams.get('state')).toBe(pending.state);
    expect(callbackUrl.searchParams.has('code')).toBe(false);
    expect(await oauthErrorOf(exchangeCode(config, callbackUrl, pending))).toMatchObject({ error: 'access_denied' });
  });

  it('a denied request is not remembered as consent', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const denied = await buildAuthorization(config, { redirectUri, scope: 'openid email' });
    await new BrowserSession(server().issuer).signIn(denied.url, { ...user, consent: 'deny' });

    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid email', user, consent: 'allow' });
    expect(tokens.claims()?.sub).toBe(user.id);
  });
});

async function expectPage(arrival: ReturnType<BrowserSession['visit']>): Promise<Page> {
  const result = await arrival;
  if (result.kind !== 'page') throw new Error(`expected a page, was sent to ${result.location.href}`);
  expect(result.page.status).toBe(200);
  return result.page;
}
