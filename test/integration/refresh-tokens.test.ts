import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, oauthErrorOf, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';

const redirectUri = spaClient.redirect_uris[0];

describe.each(databaseTargets())('refresh tokens ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  async function signInOffline() {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, user, consent: 'allow', ...OFFLINE_ACCESS });
    if (!tokens.refresh_token) throw new Error('no refresh token was issued for offline_access');
    return { user, config, tokens, refreshToken: tokens.refresh_token };
  }

  it('are issued only for offline_access', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri, scope: 'openid email', user, consent: 'allow' });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('rotate for a public client, and the old refresh token is refused afterwards (RFC 9700 §4.14.2)', async () => {
    const { user, config, refreshToken } = await signInOffline();

    const refreshed = await client.refreshTokenGrant(config, refreshToken);

    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(refreshToken);
    expect(refreshed.claims()?.sub).toBe(user.id);
    expect(await client.fetchUserInfo(config, refreshed.access_token, user.id)).toMatchObject({ email: user.email });
    expect(await oauthErrorOf(client.refreshTokenGrant(config, refreshToken))).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('a refresh token used several times at the same moment rotates once: one request succeeds, the others get invalid_grant', async () => {
    const { user, config, refreshToken } = await signInOffline();

    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => {
        const refresh = client.refreshTokenGrant(config, refreshToken);
        return refresh.then((tokens) => ({ tokens }), () => oauthErrorOf(refresh));
      }),
    );

    const succeeded = outcomes.flatMap((outcome) => ('tokens' in outcome ? [outcome.tokens] : []));
    expect(succeeded).toHaveLength(1);
    expect(outcomes.filter((outcome) => !('tokens' in outcome))).toEqual(Array(4).fill(expect.objectContaining({ error: 'invalid_grant', status: 400 })));
    // A loser that came after the winner was stored is a replay: oidc-provider then revokes the grant, winner included.
    // Either way, nothing issued to a loser was stored, and the old refresh token stays spent.
    expect(await oauthErrorOf(client.refreshTokenGrant(config, refreshToken))).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(succeeded[0]?.claims()?.sub).toBe(user.id);
  });

  it('reuse of a rotated refresh token revokes the whole grant, including the newer refresh token', async () => {
    const { config, refreshToken } = await signInOffline();
    const refreshed = await client.refreshTokenGrant(config, refreshToken);
    if (!refreshed.refresh_token) throw new Error('the refresh token was not rotated');

    await oauthErrorOf(client.refreshTokenGrant(config, refreshToken));

    expect(await oauthErrorOf(client.refreshTokenGrant(config, refreshed.refresh_token))).toMatchObject({ error: 'invalid_grant' });
    expect(await client.tokenIntrospection(config, refreshed.access_token)).toMatchObject({ active: false });
  });

  it('a revoked refresh token cannot be used', async () => {
    const { config, refreshToken } = await signInOffline();

    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });

    expect(await oauthErrorOf(client.refreshTokenGrant(config, refreshToken))).toMatchObject({ error: 'invalid_grant' });
  });
});
