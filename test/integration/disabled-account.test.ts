import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, loginErrorOf, pageKind, type Page } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';

const redirectUri = spaClient.redirect_uris[0];

describe.each(databaseTargets())('disabled accounts ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  /** Submits the login form of a fresh browser and returns the page it answers with. */
  async function tryLogin(config: client.Configuration, email: string, password: string): Promise<Page> {
    const browser = new BrowserSession(server().issuer);
    const login = await browser.visit((await buildAuthorization(config, { redirectUri, scope: 'openid' })).url);
    if (login.kind !== 'page' || pageKind(login.page) !== 'login') throw new Error('expected the login page');
    const answer = await browser.submitLogin(login.page, email, password);
    if (answer.kind !== 'page') throw new Error(`the sign-in went through to ${answer.location.href}`);
    return answer.page;
  }

  it('a wrong password gets the login page again with a generic message', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);

    const page = await tryLogin(config, user.email, `${user.password}-wrong`);

    expect(page.status).toBe(200);
    expect(pageKind(page)).toBe('login');
    expect(loginErrorOf(page)).toBe('The email or password is not right. Check them and try again.');
    expect(page.html).toContain(`value="${user.email}"`); // the email is kept, the password is not
    expect(page.html).not.toContain(user.password);
  });

  it('a disabled person cannot sign in, and sees the same message as for a wrong password or an unknown email', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const wrongPassword = await tryLogin(config, user.email, `${user.password}-wrong`);
    const unknownEmail = await tryLogin(config, `nobody-${user.email}`, user.password);

    await server().accounts.disableAccount(user.email);
    const disabled = await tryLogin(config, user.email, user.password);

    expect(pageKind(disabled)).toBe('login');
    expect(disabled.status).toBe(wrongPassword.status);
    expect(loginErrorOf(disabled)).toBe(loginErrorOf(wrongPassword));
    expect(loginErrorOf(unknownEmail)).toBe(loginErrorOf(wrongPassword));
  });

  it('disabling ends the existing session and stops the tokens already issued', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer);
    const tokens = await signInWithCode(config, browser, {
      redirectUri,
      ...OFFLINE_ACCESS,
      user,
      consent: 'allow',
    });
    if (!tokens.refresh_token) throw new Error('no refresh token was issued');

    expect(await server().accounts.disableAccount(user.email)).toBeGreaterThanOrEqual(1);

    const silent = await buildAuthorization(config, { redirectUri, scope: 'openid', extra: { prompt: 'none' } });
    const arrival = await browser.visit(silent.url);
    if (arrival.kind !== 'left') throw new Error('prompt=none showed a page');
    expect(arrival.location.searchParams.get('error')).toBe('login_required');
    expect(await oauthErrorOf(exchangeCode(config, arrival.location, silent))).toMatchObject({ error: 'login_required' });
    expect(await oauthErrorOf(client.refreshTokenGrant(config, tokens.refresh_token))).toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toThrow();
  });

  it('an enabled-again person can sign in', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    await server().accounts.disableAccount(user.email);
    await server().accounts.enableAccount(user.email);

    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid', user, consent: 'allow' });

    expect(tokens.claims()?.sub).toBe(user.id);
  });
});
