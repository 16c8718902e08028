// The protocol's known attacks, each refused: loose redirect URIs, PKCE downgrades, code and refresh-token replay,
// forged JWTs (alg none, HMAC keyed with the public key), request objects and client assertions (not enabled), and
// tokens presented by a client they were not issued to.
import * as client from 'openid-client';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, spaClient, type TestUser } from '../support/fixtures.ts';
import { BrowserSession, pageKind } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';
import type { TestClient, TestServer } from '../support/test-server.ts';

const redirectUri = spaClient.redirect_uris[0];
const otherSpa = { ...spaClient, client_id: 'test-spa-other', client_name: 'Another SPA', redirect_uris: ['http://localhost:9090/callback'] } as const satisfies TestClient;

async function auditEvents(server: TestServer, event: string): Promise<Array<{ user_id: string | null; client_id: string | null }>> {
  return server.knex('audit_events').select('user_id', 'client_id').where({ event });
}

/** A token request of a public client, as is. */
function publicTokenRequest(server: TestServer, clientId: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, ...params }),
  });
}

/** Unsigned (alg none) and HMAC-signed JWTs with the claims of a real ID token for `user`. */
async function forgedIdTokens(server: TestServer, user: TestUser, audience: string, clientSecret?: string) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: server.issuer, sub: user.id, aud: audience, iat: now, exp: now + 600 };
  const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: jose.JWK[] };
  const rsa = jwks.keys.find((key) => key.kty === 'RSA');
  if (!rsa) throw new Error('no RSA key in the JWKS');
  const publicPem = await jose.exportSPKI((await jose.importJWK(rsa, 'RS256')) as Parameters<typeof jose.exportSPKI>[0]);
  const hmac = (secret: string | Uint8Array, kid?: string) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...(kid ? { kid } : {}) }).sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
  return {
    'alg none': new jose.UnsecuredJWT(claims).encode(),
    'HS256 keyed with the RSA public key (PEM)': await hmac(publicPem, rsa.kid),
    'HS256 keyed with the RSA public key (JWK)': await hmac(JSON.stringify(rsa), rsa.kid),
    ...(clientSecret ? { 'HS256 keyed with the client secret': await hmac(clientSecret) } : {}),
  };
}

describe.each(databaseTargets())('protocol hardening ($name database)', (target) => {
  const server = useTestServer({ target, clients: [...allClients, otherSpa], resources: [apiResource] });

  describe('redirect URIs', () => {
    it.each([
      ['a trailing slash', 'http://localhost:8080/callback/'],
      ['another case', 'http://localhost:8080/Callback'],
      ['an added query', 'http://localhost:8080/callback?next=/admin'],
      ['a fragment', 'http://localhost:8080/callback#x'],
      ['another port', 'http://localhost:8081/callback'],
      ['https instead of http', 'https://localhost:8080/callback'],
      ['dot segments', 'http://localhost:8080/callback/../callback'],
      ['a longer path', 'http://localhost:8080/callbackx'],
      ['userinfo pointing elsewhere', 'http://localhost:8080@attacker.example.test/callback'],
      ['an encoded path', 'http://localhost:8080/%63allback'],
    ])('refuses %s with an error page and no redirect (exact matching, RFC 9700 §4.1.3)', async (_, attempted) => {
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri: attempted, scope: 'openid' });

      const arrival = await new BrowserSession(server().issuer).visit(pending.url);

      if (arrival.kind !== 'page') throw new Error(`redirected to ${arrival.location.href}`);
      expect(arrival.page.status).toBe(400);
      expect(arrival.page.html).toContain('This sign-in link is not set up correctly');
    });

    it('refuses a code exchanged with another redirect_uri than the one it was issued for', async () => {
      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri, scope: 'openid' });
      const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });

      const response = await publicTokenRequest(server(), spaClient.client_id, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: 'http://localhost:8080/callback/',
        code_verifier: pending.codeVerifier,
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    });
  });

  describe('PKCE', () => {
    it('advertises S256 only, and a code cannot be exchanged without its verifier or with the challenge as verifier', async () => {
      const discovery = (await (await fetch(`${server().issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);
      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri, scope: 'openid' });
      const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
      const code = callback.searchParams.get('code') ?? '';
      const challenge = await client.calculatePKCECodeChallenge(pending.codeVerifier);

      const token = (extra: Record<string, string>) =>
        publicTokenRequest(server(), spaClient.client_id, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...extra });
      const missing = await token({});
      const plain = await token({ code_verifier: challenge });
      expect([missing.status, plain.status]).toEqual([400, 400]);
      expect(await missing.json()).toMatchObject({ error: 'invalid_grant' });
      expect(await plain.json()).toMatchObject({ error: 'invalid_grant' });
    });
  });

  describe('replay', () => {
    it('a replayed code revokes the access and refresh tokens of the first exchange, and is audited', async () => {
      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri, ...OFFLINE_ACCESS });
      const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
      const first = await exchangeCode(config, callback, pending);
      if (!first.refresh_token) throw new Error('no refresh token');

      expect(await oauthErrorOf(exchangeCode(config, callback, pending))).toMatchObject({ error: 'invalid_grant' });

      expect(await client.tokenIntrospection(config, first.access_token)).toEqual({ active: false });
      expect(await oauthErrorOf(client.refreshTokenGrant(config, first.refresh_token))).toMatchObject({ error: 'invalid_grant' });
      expect(await auditEvents(server(), 'authorization_code.replayed')).toContainEqual(expect.objectContaining({ client_id: spaClient.client_id }));
    });

    it('reuse of a rotated refresh token revokes the whole grant, and is audited with the account', async () => {
      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, user, consent: 'allow', ...OFFLINE_ACCESS });
      const rotated = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');

      expect(await oauthErrorOf(client.refreshTokenGrant(config, tokens.refresh_token ?? ''))).toMatchObject({ error: 'invalid_grant' });

      expect(await oauthErrorOf(client.refreshTokenGrant(config, rotated.refresh_token ?? ''))).toMatchObject({ error: 'invalid_grant' });
      expect(await client.tokenIntrospection(config, rotated.access_token)).toEqual({ active: false });
      expect(await auditEvents(server(), 'refresh_token.reused')).toContainEqual({ user_id: user.id, client_id: spaClient.client_id });
    });
  });

  describe('forged JWTs', () => {
    it('does not advertise alg none, request objects or client assertions', async () => {
      const discovery = (await (await fetch(`${server().issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      for (const [name, value] of Object.entries(discovery)) {
        if (name.endsWith('_alg_values_supported')) expect(value, name).not.toContain('none');
      }
      expect(discovery['request_parameter_supported'] ?? false).toBe(false); // absent means false (OIDC Discovery §3)
      expect(discovery['request_uri_parameter_supported']).toBe(false);
      expect(discovery['token_endpoint_auth_methods_supported']).toEqual(['none', 'client_secret_basic', 'client_secret_post']);
    });

    it('refuses an id_token_hint at end_session that is unsigned or HMAC-signed, and the session stays', async () => {
      const user = await createTestUser(server());
      const config = await discoverClient(server(), basicWebClient);
      const browser = new BrowserSession(server().issuer);
      const genuine = await signInWithCode(config, browser, { redirectUri: basicWebClient.redirect_uris[0], scope: 'openid', user, consent: 'allow' });

      for (const [kind, forged] of Object.entries(await forgedIdTokens(server(), user, basicWebClient.client_id, basicWebClient.client_secret))) {
        const arrival = await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: forged, post_logout_redirect_uri: basicWebClient.post_logout_redirect_uris[0] }));
        if (arrival.kind !== 'page') throw new Error(`${kind}: redirected to ${arrival.location.href}`);
        expect(arrival.page.status, kind).toBe(400);
        expect(pageKind(arrival.page), kind).not.toBe('logout');
      }
      const control = await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: genuine.id_token ?? '' }));
      expect(control.kind === 'page' && pageKind(control.page)).toBe('logout');
    });

    it('refuses request objects, signed or not, at the authorization and pushed authorization endpoints', async () => {
      const user = await createTestUser(server());
      const [unsigned] = Object.values(await forgedIdTokens(server(), user, spaClient.client_id));
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri, scope: 'openid', extra: { request: unsigned ?? '' } });
      const byReference = await buildAuthorization(config, { redirectUri, scope: 'openid', extra: { request_uri: 'https://attacker.example.test/request.jwt' } });

      const answers = await Promise.all([pending.url, byReference.url].map((url) => new BrowserSession(server().issuer).visit(url)));

      const errors = answers.map((arrival) => (arrival.kind === 'left' ? arrival.location.searchParams.get('error') : `page ${arrival.page.status}`));
      expect(errors).toEqual(['request_not_supported', 'request_uri_not_supported']);
      const pushed = await fetch(`${server().issuer}/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: spaClient.client_id, request: unsigned ?? '' }),
      });
      expect(pushed.status).toBe(400);
      expect(await pushed.json()).toMatchObject({ error: 'request_not_supported' });
    });

    it('refuses client assertions (not enabled), whatever their alg, with invalid_client', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: basicWebClient.client_id, sub: basicWebClient.client_id, aud: `${server().issuer}/token`, jti: crypto.randomUUID(), iat: now, exp: now + 60 };
      const attackerKey = await jose.generateKeyPair('RS256');
      const assertions = {
        'alg none': new jose.UnsecuredJWT(claims).encode(),
        'HS256 with the client secret': await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(basicWebClient.client_secret)),
        'RS256 with a key of its own': await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(attackerKey.privateKey),
      };
      for (const [kind, assertion] of Object.entries(assertions)) {
        const response = await fetch(`${server().issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: 'anything',
            client_id: basicWebClient.client_id,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: assertion,
          }),
        });
        expect(response.status, kind).toBe(401);
        expect(await response.json(), kind).toMatchObject({ error: 'invalid_client' });
      }
    });

    it('refuses an unsigned JWT as a bearer token at userinfo', async () => {
      const user = await createTestUser(server());
      const [unsigned] = Object.values(await forgedIdTokens(server(), user, spaClient.client_id));
      const response = await fetch(`${server().issuer}/me`, { headers: { authorization: `Bearer ${unsigned ?? ''}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    });
  });

  describe('tokens bound to their client', () => {
    async function spaTokens() {
      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, user, consent: 'allow', ...OFFLINE_ACCESS });
      return { user, config, tokens };
    }

    it('another client introspecting a live token learns only active: false', async () => {
      const { config, tokens } = await spaTokens();
      const other = await discoverClient(server(), basicWebClient);

      expect(await client.tokenIntrospection(other, tokens.access_token)).toEqual({ active: false });
      expect(await client.tokenIntrospection(other, tokens.refresh_token ?? '')).toEqual({ active: false });
      expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true });
    });

    it("another client cannot revoke a client's tokens: a confidential one is told so, a public one changes nothing", async () => {
      const { user, config, tokens } = await spaTokens();
      const confidential = await discoverClient(server(), basicWebClient);
      const publicOther = await discoverClient(server(), otherSpa);

      expect(await oauthErrorOf(client.tokenRevocation(confidential, tokens.access_token))).toMatchObject({ error: 'invalid_request', status: 400 });
      await client.tokenRevocation(publicOther, tokens.refresh_token ?? ''); // RFC 7009 §2.2: 200 whatever happened

      expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true });
      expect((await client.refreshTokenGrant(config, tokens.refresh_token ?? '')).claims()?.sub).toBe(user.id);
      expect(await auditEvents(server(), 'token.revocation_refused')).toEqual(
        expect.arrayContaining([
          { user_id: user.id, client_id: basicWebClient.client_id },
          { user_id: user.id, client_id: otherSpa.client_id },
        ]),
      );
    });

    it("another client presenting a client's refresh token or code gets invalid_grant", async () => {
      const { tokens } = await spaTokens();
      const other = await discoverClient(server(), otherSpa);
      expect(await oauthErrorOf(client.refreshTokenGrant(other, tokens.refresh_token ?? ''))).toMatchObject({ error: 'invalid_grant' });

      const user = await createTestUser(server());
      const config = await discoverClient(server(), spaClient);
      const pending = await buildAuthorization(config, { redirectUri, scope: 'openid' });
      const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
      const stolen = await publicTokenRequest(server(), otherSpa.client_id, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        code_verifier: pending.codeVerifier,
      });
      expect(stolen.status).toBe(400);
      expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });
    });
  });
});
