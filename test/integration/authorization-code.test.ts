import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, es256Client, postWebClient, spaClient } from '../support/fixtures.ts';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { BrowserSession } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf } from '../support/relying-party.ts';

describe.each(databaseTargets())('authorization code flow ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('signs a person in to a public client with PKCE; openid-client validates the ID token and its nonce', async () => {
    const user = await createTestUser(server(), { name: 'Ada Lovelace' });
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri: spaClient.redirect_uris[0], scope: 'openid profile email' });

    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(spaClient.redirect_uris[0]);
    expect(callbackUrl.searchParams.get('iss')).toBe(server().issuer); // RFC 9207
    const tokens = await exchangeCode(config, callbackUrl, pending);

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: server().issuer, aud: spaClient.client_id, sub: user.id, nonce: pending.nonce });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: 'Ada Lovelace' });
  });

  it('spends a code once even when it is exchanged several times at the same moment: one exchange succeeds, the others get invalid_grant', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri: spaClient.redirect_uris[0], scope: 'openid email' });
    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });

    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => {
        const exchange = exchangeCode(config, callbackUrl, pending);
        return exchange.then(() => 'tokens', () => oauthErrorOf(exchange));
      }),
    );

    expect(outcomes.filter((outcome) => outcome === 'tokens')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'tokens')).toEqual(Array(4).fill(expect.objectContaining({ error: 'invalid_grant', status: 400 })));
  });

  it('signs ID tokens with RS256 by default and ES256 for a client that registers it, both verifiable with the JWKS', async () => {
    const user = await createTestUser(server());
    const jwks = createRemoteJWKSet(new URL(`${server().issuer}/jwks`));
    for (const [registered, expectedAlg] of [[spaClient, 'RS256'], [es256Client, 'ES256']] as const) {
      const config = await discoverClient(server(), registered);
      const pending = await buildAuthorization(config, { redirectUri: registered.redirect_uris[0], scope: 'openid email' });
      const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
      const idToken = (await exchangeCode(config, callbackUrl, pending)).id_token ?? '';
      expect(decodeProtectedHeader(idToken).alg).toBe(expectedAlg);
      const { payload } = await jwtVerify(idToken, jwks, { issuer: server().issuer, audience: registered.client_id });
      expect(payload.sub).toBe(user.id);
    }
  });

  it('signs a person in to a confidential client authenticating with client_secret_basic', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);
    const pending = await buildAuthorization(config, { redirectUri: basicWebClient.redirect_uris[0], scope: 'openid email' });

    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    const tokens = await exchangeCode(config, callbackUrl, pending);

    expect(tokens.claims()).toMatchObject({ aud: basicWebClient.client_id, sub: user.id });
    expect(await client.fetchUserInfo(config, tokens.access_token, user.id)).toMatchObject({ sub: user.id, email: user.email });
  });

  it('signs a person in to a confidential client authenticating with client_secret_post', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), postWebClient);
    const pending = await buildAuthorization(config, { redirectUri: postWebClient.redirect_uris[0], scope: 'openid email' });

    const callbackUrl = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    const tokens = await exchangeCode(config, callbackUrl, pending);

    expect(tokens.claims()).toMatchObject({ aud: postWebClient.client_id, sub: user.id });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email });
    expect(userinfo).not.toHaveProperty('name'); // profile was not requested
  });
});
