import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind, requireForm } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, signInWithCode } from '../support/relying-party.ts';

const redirectUri = spaClient.redirect_uris[0];
const postLogoutRedirectUri = spaClient.post_logout_redirect_uris[0];

describe.each(databaseTargets())('RP-initiated logout ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  /** A prompt=none authorization request in `browser`: where it ends at the redirect_uri. */
  async function silentAuthorization(config: client.Configuration, browser: BrowserSession) {
    const pending = await buildAuthorization(config, { redirectUri, scope: 'openid', extra: { prompt: 'none' } });
    const arrival = await browser.visit(pending.url);
    if (arrival.kind !== 'left') throw new Error(`prompt=none showed a page (${arrival.page.status})`);
    return { pending, callbackUrl: arrival.location };
  }

  it('confirms on the logout page, returns to post_logout_redirect_uri, and ends the session', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer);
    const tokens = await signInWithCode(config, browser, { redirectUri, scope: 'openid', user, consent: 'allow' });
    expect(browser.cookies.namesFor(new URL(`${server().issuer}/auth`))).toContain('_session');
    const before = await silentAuthorization(config, browser);
    expect((await exchangeCode(config, before.callbackUrl, before.pending)).claims()?.sub).toBe(user.id); // the session is live

    const endSessionUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: postLogoutRedirectUri,
      state: 'logout-state',
    });
    const confirmation = await browser.visit(endSessionUrl);
    if (confirmation.kind !== 'page') throw new Error(`expected the logout page, was sent to ${confirmation.location.href}`);
    expect(confirmation.page.status).toBe(200);
    expect(pageKind(confirmation.page)).toBe('logout');
    expect(confirmation.page.html).toContain(spaClient.client_name);
    const loggedOut = await browser.submit(requireForm(confirmation.page, '/session/end/confirm'), { logout: 'yes' });

    if (loggedOut.kind !== 'left') throw new Error(`expected a redirect to the client, got page ${loggedOut.page.status}`);
    expect(`${loggedOut.location.origin}${loggedOut.location.pathname}`).toBe(postLogoutRedirectUri);
    expect(loggedOut.location.searchParams.get('state')).toBe('logout-state');
    expect(browser.cookies.namesFor(new URL(`${server().issuer}/auth`))).not.toContain('_session'); // cleared by an expired Set-Cookie
    const after = await silentAuthorization(config, browser);
    expect(after.callbackUrl.searchParams.get('error')).toBe('login_required');
    expect(await oauthErrorOf(exchangeCode(config, after.callbackUrl, after.pending))).toMatchObject({ error: 'login_required' });
  });

  it('"stay signed in" keeps the Latchkey session but signs the person out of the requesting client', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer);
    const tokens = await signInWithCode(config, browser, { redirectUri, scope: 'openid', user, consent: 'allow' });

    const confirmation = await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: postLogoutRedirectUri }));
    if (confirmation.kind !== 'page') throw new Error('expected the logout page');
    const stayed = await browser.submit(requireForm(confirmation.page, '/session/end/confirm'));
    if (stayed.kind !== 'left') throw new Error('expected a redirect to the client');
    expect(`${stayed.location.origin}${stayed.location.pathname}`).toBe(postLogoutRedirectUri);

    // oidc-provider ends the client's authorization (its grant is revoked) but not the session: consent, not login, is due.
    const silent = await silentAuthorization(config, browser);
    expect(silent.callbackUrl.searchParams.get('error')).toBe('consent_required');
    const next = await browser.visit((await buildAuthorization(config, { redirectUri, scope: 'openid' })).url);
    if (next.kind !== 'page') throw new Error('expected the consent page');
    expect(pageKind(next.page)).toBe('consent');
  });
});
