import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, machineClient, postWebClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, signInWithCode } from '../support/relying-party.ts';

describe.each(databaseTargets())('client credentials and API access tokens ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  /** Verifies a JWT access token as an API would: signature against the JWKS, issuer, audience and type (RFC 9068 §4). */
  async function verifyApiToken(config: client.Configuration, token: string) {
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    return jwtVerify(token, jwks, { issuer: server().issuer, audience: apiResource.identifier, typ: 'at+jwt', algorithms: ['RS256'] });
  }

  it('issues a JWT access token for the API to a client granted client_credentials', async () => {
    const config = await discoverClient(server(), machineClient);

    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' });

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await verifyApiToken(config, tokens.access_token);
    expect(payload).toMatchObject({ aud: apiResource.identifier, client_id: machineClient.client_id, scope: 'api:read' });
  });

  it('narrows client_credentials to the API scopes the client is allowed, and says so (RFC 6749 §3.3)', async () => {
    const config = await discoverClient(server(), machineClient);

    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read api:write' });

    expect(tokens.scope).toBe('api:read');
    expect((await verifyApiToken(config, tokens.access_token)).payload['scope']).toBe('api:read');
  });

  it('refuses a resource it does not know (invalid_target, RFC 8707 §2)', async () => {
    const config = await discoverClient(server(), machineClient);
    expect(await oauthErrorOf(client.clientCredentialsGrant(config, { scope: 'api:read', resource: 'https://other.example.test' }))).toMatchObject({
      error: 'invalid_target',
      status: 400,
    });
  });

  it('refuses client_credentials to a client not granted it', async () => {
    const config = await discoverClient(server(), postWebClient);
    // RFC 6749 §5.2 names this unauthorized_client; oidc-provider answers invalid_request (lib/actions/token.js).
    expect(await oauthErrorOf(client.clientCredentialsGrant(config, { scope: 'api:read' }))).toEqual({
      error: 'invalid_request',
      status: 400,
      description: 'requested grant type is not allowed for this client',
    });
  });

  it('refuses a client_credentials request with the wrong secret (invalid_client, 401)', async () => {
    const config = await discoverClient(server(), machineClient, 'a-wrong-secret-that-is-long-enough-0000');
    expect(await oauthErrorOf(client.clientCredentialsGrant(config, { scope: 'api:read' }))).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('the API scope appears on the consent page, and the code flow yields a JWT access token for the API', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);
    const pending = await buildAuthorization(config, { redirectUri: basicWebClient.redirect_uris[0], scope: 'openid email api:read' });
    const browser = new BrowserSession(server().issuer);
    const login = await browser.visit(pending.url);
    if (login.kind !== 'page') throw new Error('expected the login page');
    const consent = await browser.submitLogin(login.page, user.email, user.password);
    if (consent.kind !== 'page') throw new Error('expected the consent page');
    expect(pageKind(consent.page)).toBe('consent');
    expect(consent.page.html).toContain(apiResource.name);
    expect(consent.page.html).toContain('Read api');
    const callback = await browser.answerConsent(consent.page, 'allow');
    if (callback.kind !== 'left') throw new Error('expected a redirect to the client');

    const tokens = await exchangeCode(config, callback.location, pending);

    const { payload, protectedHeader } = await verifyApiToken(config, tokens.access_token);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: user.id, client_id: basicWebClient.client_id, scope: 'api:read' });
    expect(tokens.claims()).toMatchObject({ sub: user.id, aud: basicWebClient.client_id });
  });

  it('an access token for userinfo only stays opaque', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);

    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), {
      redirectUri: basicWebClient.redirect_uris[0],
      scope: 'openid email',
      user,
      consent: 'allow',
    });

    expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]+$/); // no dots: not a JWS
    expect(() => decodeProtectedHeader(tokens.access_token)).toThrow();
    expect(await client.fetchUserInfo(config, tokens.access_token, user.id)).toMatchObject({ sub: user.id });
  });
});
