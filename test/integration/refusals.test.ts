import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, postWebClient, spaClient } from '../support/fixtures.ts';
import { BrowserSession, type Arrival, type Page } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf } from '../support/relying-party.ts';

const redirectUri = spaClient.redirect_uris[0];

/** An error page must be a page for people: HTML, no redirect, no JSON, nothing from the server's insides. */
function expectErrorPage(arrival: Arrival, status: number): Page {
  if (arrival.kind !== 'page') throw new Error(`expected an error page, was redirected to ${arrival.location.href}`);
  const { page } = arrival;
  expect(page.status).toBe(status);
  expect(page.headers.get('location')).toBeNull();
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect((): unknown => JSON.parse(page.html)).toThrow();
  expect(page.html).toMatch(/^<!DOCTYPE html>/i);
  expect(page.html).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Error:/);
  return page;
}

/** Where an authorization request that is refused back to the client ends: its redirect_uri with error parameters. */
function expectErrorRedirect(arrival: Arrival, state: string, expectedRedirectUri: string = redirectUri): URLSearchParams {
  if (arrival.kind !== 'left') throw new Error(`expected a redirect to the client, got page ${arrival.page.status}`);
  expect(`${arrival.location.origin}${arrival.location.pathname}`).toBe(expectedRedirectUri);
  expect(arrival.location.searchParams.get('state')).toBe(state);
  expect(arrival.location.searchParams.has('code')).toBe(false);
  return arrival.location.searchParams;
}

describe.each(databaseTargets())('refused requests ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  /** Signs in through the SPA and returns the callback before its code is exchanged. */
  async function signedInCallback(registered: typeof spaClient | typeof basicWebClient = spaClient) {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), registered);
    const pending = await buildAuthorization(config, { redirectUri: registered.redirect_uris[0], scope: 'openid email' });
    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    return { user, config, pending, callbackUrl };
  }

  describe('at the authorization endpoint', () => {
    it('an unregistered redirect_uri gets an HTML error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri: 'https://attacker.example.test/callback', scope: 'openid' });

      const page = expectErrorPage(await new BrowserSession(server().issuer).visit(pending.url), 400);

      expect(page.html).toContain('This sign-in link is not set up correctly');
      expect(page.html).not.toContain('attacker.example.test');
    });

    it('an unknown client gets an HTML error page', async () => {
      const url = new URL(`${server().issuer}/auth`);
      url.search = new URLSearchParams({ client_id: 'no-such-app', response_type: 'code', scope: 'openid', redirect_uri: redirectUri }).toString();

      const page = expectErrorPage(await new BrowserSession(server().issuer).visit(url), 400);

      expect(page.html).toContain('Unknown app');
    });

    it('a public client without PKCE is refused with invalid_request at its redirect_uri', async () => {
      const config = await discoverClient(server(), spaClient);
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state });

      const params = expectErrorRedirect(await new BrowserSession(server().issuer).visit(url), state);

      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('error_description')).toMatch(/PKCE/);
      expect(params.get('iss')).toBe(server().issuer);
    });

    it('code_challenge_method=plain is refused with invalid_request (only S256 is supported)', async () => {
      const config = await discoverClient(server(), spaClient);
      const verifier = client.randomPKCECodeVerifier();
      const pending = await buildAuthorization(config, {
        redirectUri,
        scope: 'openid',
        extra: { code_challenge_method: 'plain', code_challenge: verifier },
      });

      const params = expectErrorRedirect(await new BrowserSession(server().issuer).visit(pending.url), pending.state);

      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('error_description')).toMatch(/code_challenge_method/);
    });

    it('a scope the client is not registered for is refused with invalid_scope at its redirect_uri', async () => {
      const config = await discoverClient(server(), postWebClient); // registered for openid email
      const pending = await buildAuthorization(config, { redirectUri: postWebClient.redirect_uris[0], scope: 'openid profile' });

      const arrival = await new BrowserSession(server().issuer).visit(pending.url);

      const params = expectErrorRedirect(arrival, pending.state, postWebClient.redirect_uris[0]);
      expect(params.get('error')).toBe('invalid_scope');
    });
  });

  describe('at the token endpoint', () => {
    it('a wrong code_verifier is refused with invalid_grant', async () => {
      const { config, pending, callbackUrl } = await signedInCallback();

      const error = await oauthErrorOf(exchangeCode(config, callbackUrl, pending, client.randomPKCECodeVerifier()));

      expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
    });

    it('a wrong client secret is refused with invalid_client (401), and the code still works with the right one', async () => {
      const { user, pending, callbackUrl } = await signedInCallback(basicWebClient);
      const wrongSecret = await discoverClient(server(), basicWebClient, 'this-is-not-the-secret-of-the-client-0000');

      expect(await oauthErrorOf(exchangeCode(wrongSecret, callbackUrl, pending))).toMatchObject({ error: 'invalid_client', status: 401 });

      const rightSecret = await discoverClient(server(), basicWebClient);
      expect((await exchangeCode(rightSecret, callbackUrl, pending)).claims()?.sub).toBe(user.id);
    });

    it('a replayed code is refused with invalid_grant and revokes the tokens of the first exchange (RFC 6749 §4.1.2)', async () => {
      const { config, pending, callbackUrl } = await signedInCallback();
      const first = await exchangeCode(config, callbackUrl, pending);
      expect(await client.tokenIntrospection(config, first.access_token)).toMatchObject({ active: true });

      expect(await oauthErrorOf(exchangeCode(config, callbackUrl, pending))).toMatchObject({ error: 'invalid_grant', status: 400 });

      expect(await client.tokenIntrospection(config, first.access_token)).toEqual({ active: false });
    });
  });
});
