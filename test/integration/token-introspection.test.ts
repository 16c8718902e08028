import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, signInWithCode } from '../support/relying-party.ts';

describe.each(databaseTargets())('introspection and revocation ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('introspection of a live access token is active, for the right client and subject', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), {
      redirectUri: basicWebClient.redirect_uris[0],
      scope: 'openid email',
      user,
      consent: 'allow',
    });

    const introspection = await client.tokenIntrospection(config, tokens.access_token);

    expect(introspection).toMatchObject({ active: true, client_id: basicWebClient.client_id, sub: user.id, iss: server().issuer, token_type: 'Bearer' });
    expect(introspection.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(introspection.exp).toBeGreaterThan(Math.floor(Date.now() / 1000));
  });

  it('a revoked access token is inactive at introspection and refused at userinfo', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), {
      redirectUri: spaClient.redirect_uris[0],
      scope: 'openid email',
      user,
      consent: 'allow',
    });
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, client_id: spaClient.client_id });

    await client.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });

    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    await expect(client.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toThrow();
  });

  it('introspection of a token that was never issued is inactive', async () => {
    const config = await discoverClient(server(), basicWebClient);
    expect(await client.tokenIntrospection(config, 'not-a-token-this-server-issued')).toEqual({ active: false });
  });
});
