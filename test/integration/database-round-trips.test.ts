import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';
import { captureLogs, type LogLine } from '../support/log-capture.ts';

// Each request's log line counts the database queries it made. These are the counts the data layer is built for:
// a token is read with its grant and account in one query, and nothing is read twice in one request.
describe.each(databaseTargets())('database round trips per request ($name database)', (target) => {
  const logs = captureLogs();
  const server = useTestServer({ target, clients: allClients, resources: [apiResource], logs });

  /** The log line of the next request to `route` after log line `after`. */
  const requestLine = (route: string, after: number) => logs.waitFor((line) => line.msg === 'request' && line['route'] === route, { after });
  const queriesOf = (line: LogLine) => line['db_queries'];

  it('a sign-in, its resume, a code exchange, userinfo, introspection and a refresh each take the expected number of queries', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), basicWebClient);
    const browser = new BrowserSession(server().issuer);

    const beforeSignIn = logs.mark();
    const tokens = await signInWithCode(config, browser, {
      redirectUri: basicWebClient.redirect_uris[0],
      ...OFFLINE_ACCESS,
      user,
      consent: 'allow',
    });
    const login = await requestLine('interaction.login', beforeSignIn);
    const exchange = await requestLine('token', beforeSignIn);
    // The interaction (with its user), the throttle counters, the user by email; then the counters' reset and the audit
    // event side by side, and the interaction's result.
    expect(queriesOf(login)).toBe(6);
    // The code with its grant, session and user; then consuming the code, the access token and the refresh token, in
    // one statement.
    expect(queriesOf(exchange)).toBe(2);

    // Signing in again from another browser: the consent given above is remembered, and read with the interaction.
    const beforeSecondSignIn = logs.mark();
    await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri: basicWebClient.redirect_uris[0], scope: 'openid email', user, consent: 'expect-none' });
    // The interaction with its user and the consent; deleting the interaction, storing the code and the session in one
    // statement; the session's activity.
    expect(queriesOf(await requestLine('resume', beforeSecondSignIn))).toBe(3);

    const beforeUserinfo = logs.mark();
    await expect(client.fetchUserInfo(config, tokens.access_token, user.id)).resolves.toMatchObject({ sub: user.id, email: user.email });
    expect(queriesOf(await requestLine('userinfo', beforeUserinfo))).toBe(1);

    const beforeIntrospection = logs.mark();
    await expect(client.tokenIntrospection(config, tokens.access_token)).resolves.toMatchObject({ active: true, sub: user.id });
    // Without a token type hint it looks for an access token, client credentials and a refresh token at once: one query.
    expect(queriesOf(await requestLine('introspection', beforeIntrospection))).toBe(1);

    const beforeRefresh = logs.mark();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // The refresh token with its grant, session and user; the new access token (a confidential client keeps its
    // refresh token).
    expect(queriesOf(await requestLine('token', beforeRefresh))).toBe(2);

    const beforeRevocation = logs.mark();
    await client.tokenRevocation(config, refreshed.access_token);
    // The token with its grant, session and user; deleting it; deleting the grant's other tokens (oidc-provider asks
    // once per kind of token, and one statement deletes them all); the audit event.
    expect(queriesOf(await requestLine('revocation', beforeRevocation))).toBe(4);
  });

  it('a public client\'s refresh, which rotates the refresh token, takes two queries', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri: spaClient.redirect_uris[0], ...OFFLINE_ACCESS, user, consent: 'allow' });

    const beforeRefresh = logs.mark();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The refresh token with its grant, session and user; then consuming it and storing the new refresh and access
    // tokens, in one statement.
    expect(queriesOf(await requestLine('token', beforeRefresh))).toBe(2);
  });

  it('a request that reads nothing from the database says 0', async () => {
    const before = logs.mark();
    const response = await fetch(`${server().issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(queriesOf(await requestLine('discovery', before))).toBe(0);
  });
});
