// Scale-out: three real server processes over one Postgres database behind a round-robin load balancer, so that
// consecutive requests of every flow land on different instances. Whatever one instance does — sign-in, consent, token
// issue, revocation, logout, an admin ending sessions — every other instance sees at once, and a person whose instance
// dies in the middle of signing in finishes on another. Needs Postgres (TEST_DATABASE_URL): the embedded database
// belongs to one process by design.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';
import { startInstanceGroup, type InstanceGroup } from '../support/server-instances.ts';
import { BrowserSession, pageKind, requireForm } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, signInWithCode } from '../support/relying-party.ts';
import { startLogoutReceiver, verifyLogoutToken, type LogoutReceiver } from '../support/logout-receiver.ts';
import { runCli } from '../support/child-process.ts';
import type { ServedRequest } from '../support/round-robin-proxy.ts';
import type { TestClient } from '../support/test-server.ts';

const postgres = databaseTargets().find((target) => target.name === 'postgres');
if (!postgres) console.warn('Skipping the scale-out tests: they need Postgres; set TEST_DATABASE_URL');

const INSTANCES = 3;

describe.runIf(postgres)('three instances behind a round-robin load balancer (postgres database)', () => {
  let database: ProvisionedDatabase;
  let receiver: LogoutReceiver;
  let group: InstanceGroup;
  let webClient: TestClient & { client_secret: string; redirect_uris: [string] };

  beforeAll(async () => {
    if (!postgres) return;
    database = await postgres.provision();
    receiver = await startLogoutReceiver();
    webClient = {
      client_id: 'scale-web',
      client_name: 'Scale Web',
      client_secret: randomBytes(32).toString('base64url'),
      redirect_uris: ['https://scale.example.test/callback'],
      post_logout_redirect_uris: ['https://scale.example.test/'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid email offline_access',
      backchannel_logout_uri: receiver.url(),
      backchannel_logout_session_required: true,
    };
    const url = 'url' in database.settings ? database.settings.url : '';
    group = await startInstanceGroup({
      count: INSTANCES,
      databaseUrl: url,
      clients: [webClient],
      overrides: { backchannel_logout: { poll_interval: '1s', retry_delay: '1s' } },
    });
  });

  afterAll(async () => {
    await group?.close();
    await receiver?.close();
    await database?.dispose();
  });

  async function newUser() {
    const email = `scale-${randomBytes(5).toString('hex')}@example.test`;
    const password = `pass-${randomBytes(9).toString('base64url')}`;
    const user = await group.accounts.createAccount({ email, password, emailVerified: true });
    return { id: user.id, email, password };
  }

  /** Requests the proxy passed on since `mark` (an index into its log). */
  const servedSince = (mark: number): ServedRequest[] => group.proxy.served.slice(mark);

  /** Every request went to another instance than the one before it, and none failed on the server side. */
  function expectAlternating(requests: readonly ServedRequest[]): void {
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(request.status, `${request.method} ${request.path}`).toBeLessThan(500);
    requests.slice(1).forEach((request, index) => expect(request.target).not.toBe(requests[index]?.target));
  }

  async function silentAuthorization(config: client.Configuration, browser: BrowserSession) {
    const pending = await buildAuthorization(config, { redirectUri: webClient.redirect_uris[0], scope: 'openid', extra: { prompt: 'none' } });
    const arrival = await browser.visit(pending.url);
    if (arrival.kind !== 'left') throw new Error(`prompt=none showed a page (${arrival.page.status})`);
    return arrival.location.searchParams.get('error') ?? (await exchangeCode(config, arrival.location, pending)).claims()?.sub;
  }

  it('serves sign-in, consent, code exchange, refresh, userinfo, introspection, revocation and logout across instances', async () => {
    const user = await newUser();
    const config = await discoverClient(group, webClient);
    const browser = new BrowserSession(group.issuer);

    let mark = group.proxy.served.length;
    const tokens = await signInWithCode(config, browser, {
      redirectUri: webClient.redirect_uris[0],
      scope: 'openid email offline_access',
      extra: { prompt: 'consent' },
      user,
      consent: 'allow',
    });
    const signInRequests = servedSince(mark);
    expectAlternating(signInRequests);
    expect(new Set(signInRequests.map((request) => request.target)).size).toBe(INSTANCES);
    expect(tokens.claims()?.sub).toBe(user.id);
    if (!tokens.refresh_token) throw new Error('no refresh token');

    mark = group.proxy.served.length;
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    expect(await client.fetchUserInfo(config, refreshed.access_token, user.id)).toMatchObject({ sub: user.id, email: user.email });
    expect(await client.tokenIntrospection(config, refreshed.access_token)).toMatchObject({ active: true, sub: user.id });
    expectAlternating(servedSince(mark));

    // Revoked through one instance, inactive on all of them; oidc-provider revokes the other tokens of the grant with
    // it (the grant itself, the consent, stays), so the refresh token is refused everywhere too.
    mark = group.proxy.served.length;
    await client.tokenRevocation(config, refreshed.access_token);
    for (let i = 0; i < INSTANCES; i++) {
      expect(await client.tokenIntrospection(config, refreshed.access_token)).toEqual({ active: false });
    }
    for (let i = 0; i < INSTANCES; i++) {
      expect(await oauthErrorOf(client.refreshTokenGrant(config, tokens.refresh_token))).toMatchObject({ error: 'invalid_grant' });
    }
    const revocationRequests = servedSince(mark);
    expectAlternating(revocationRequests);
    expect(new Set(revocationRequests.slice(1, 1 + INSTANCES).map((request) => request.target)).size).toBe(INSTANCES);
    expect(new Set(revocationRequests.slice(1 + INSTANCES).map((request) => request.target)).size).toBe(INSTANCES);

    // Logout through one instance ends the session on the next.
    expect(await silentAuthorization(config, browser)).toBe(user.id);
    const tokensBefore = receiver.accepted().length;
    const confirmation = await browser.visit(
      client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: 'https://scale.example.test/' }),
    );
    if (confirmation.kind !== 'page' || pageKind(confirmation.page) !== 'logout') throw new Error('expected the logout page');
    mark = group.proxy.served.length;
    await browser.submit(requireForm(confirmation.page, '/session/end/confirm'), { logout: 'yes' });
    expect(await silentAuthorization(config, browser)).toBe('login_required');
    const logoutRequests = servedSince(mark);
    expectAlternating(logoutRequests);
    expect(logoutRequests[0]?.path).toBe('/session/end/confirm');

    // One logout token for the ended session: one instance delivered it, once.
    const [logoutToken] = (await receiver.waitForAccepted(tokensBefore + 1)).slice(tokensBefore);
    const verified = await verifyLogoutToken(logoutToken ?? '', { issuer: group.issuer, clientId: webClient.client_id });
    expect(verified.payload).toMatchObject({ sub: user.id, sid: tokens.claims()?.['sid'] });
    // The receiver may have answered before the instance wrote down the outcome.
    const delivered = () => group.knex('backchannel_logouts').where('account_id', user.id).whereNotNull('delivered_at');
    const deadline = Date.now() + 30_000;
    while ((await delivered()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const records = await group.knex('backchannel_logouts').where('account_id', user.id);
    expect(records).toEqual([expect.objectContaining({ reason: 'logout', attempts: 1, delivered_at: expect.any(Date) })]);
  });

  it('a code brought to every instance at the same moment is spent once: one exchange gets tokens, the others invalid_grant', async () => {
    const user = await newUser();
    const config = await discoverClient(group, webClient);
    const pending = await buildAuthorization(config, { redirectUri: webClient.redirect_uris[0], scope: 'openid email' });
    const callbackUrl = await new BrowserSession(group.issuer).signIn(pending.url, { ...user, consent: 'allow' });

    const mark = group.proxy.served.length;
    const outcomes = await Promise.all(
      Array.from({ length: 2 * INSTANCES }, () => {
        const exchange = exchangeCode(config, callbackUrl, pending);
        return exchange.then(() => 'tokens', () => oauthErrorOf(exchange));
      }),
    );

    expect(new Set(servedSince(mark).map((request) => request.target)).size).toBe(INSTANCES);
    expect(outcomes.filter((outcome) => outcome === 'tokens')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'tokens')).toEqual(Array(2 * INSTANCES - 1).fill(expect.objectContaining({ error: 'invalid_grant', status: 400 })));
  });

  it('`latchkey sessions revoke` ends sessions for every instance at once, by user or by session id', async () => {
    const user = await newUser();
    const config = await discoverClient(group, webClient);
    const browser = new BrowserSession(group.issuer);
    const tokens = await signInWithCode(config, browser, { redirectUri: webClient.redirect_uris[0], scope: 'openid email', user, consent: 'allow' });

    const listed = await runCli(['sessions', 'list', '--user', user.email, '--json'], group.cliEnv);
    expect(listed.code, listed.stderr).toBe(0);
    const sessions = JSON.parse(listed.stdout) as Array<{ session_id: string; clients: string[]; amr: string[] }>;
    expect(sessions).toEqual([expect.objectContaining({ clients: [webClient.client_id], amr: ['pwd'] })]);
    const table = await runCli(['sessions', 'list', '--user', user.email], group.cliEnv);
    expect(table.stdout).toContain(sessions[0]?.session_id);
    expect(table.stdout).toContain('SIGNED IN');

    const tokensBefore = receiver.accepted().length;
    const revoked = await runCli(['sessions', 'revoke', '--user', user.email], group.cliEnv);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Ended 1 session(s) of ${user.email}`);

    const mark = group.proxy.served.length;
    for (let i = 0; i < INSTANCES; i++) {
      expect(await silentAuthorization(config, browser)).toBe('login_required');
      // Without offline_access the access token lives and dies with the session.
      expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    }
    expect(new Set(servedSince(mark).map((request) => request.target)).size).toBe(INSTANCES);
    await receiver.waitForAccepted(tokensBefore + 1);

    // One session by its id; the person's other session stays.
    const laptop = new BrowserSession(group.issuer);
    const phone = new BrowserSession(group.issuer);
    const signInOn = (device: BrowserSession) =>
      signInWithCode(config, device, { redirectUri: webClient.redirect_uris[0], scope: 'openid email', user, consent: 'expect-none' });
    await signInOn(laptop);
    const [laptopSession] = JSON.parse((await runCli(['sessions', 'list', '--user', user.email, '--json'], group.cliEnv)).stdout) as Array<{ session_id: string }>;
    await signInOn(phone);
    const newest = laptopSession;
    const one = await runCli(['sessions', 'revoke', newest?.session_id ?? ''], group.cliEnv);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`Ended session ${newest?.session_id}`);
    for (let i = 0; i < INSTANCES; i++) expect(await silentAuthorization(config, laptop)).toBe('login_required');
    for (let i = 0; i < INSTANCES; i++) expect(await silentAuthorization(config, phone)).toBe(user.id);

    const unknown = await runCli(['sessions', 'revoke', 'no-such-session'], group.cliEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no live session with the id no-such-session');
    // One session id in 64 starts with "-"; it is still an id, not an option.
    const dashed = await runCli(['sessions', 'revoke', '-gNoSuchSession'], group.cliEnv);
    expect(dashed.code).toBe(1);
    expect(dashed.stderr).toContain('There is no live session with the id -gNoSuchSession');
    const logouts = await runCli(['sessions', 'logouts', '--user', user.email, '--json'], group.cliEnv);
    expect((JSON.parse(logouts.stdout) as Array<{ reason: string }>).map((logout) => logout.reason)).toEqual(['revoked', 'revoked']);
  });

  it('a person whose instance is killed in the middle of signing in finishes on another without starting over', async () => {
    const user = await newUser();
    const config = await discoverClient(group, webClient);
    const browser = new BrowserSession(group.issuer);
    const pending = await buildAuthorization(config, { redirectUri: webClient.redirect_uris[0], scope: 'openid email', extra: { prompt: 'consent' } });

    const login = await browser.visit(pending.url);
    if (login.kind !== 'page' || pageKind(login.page) !== 'login') throw new Error('expected the login page');
    const loginPageServer = group.proxy.served.at(-1)?.target ?? -1;
    const victim = group.instances[loginPageServer];
    if (!victim) throw new Error('the login page came from no known instance');
    const killed = new Promise((resolve) => victim.process.once('exit', resolve));
    victim.process.kill('SIGKILL');
    await killed;

    const mark = group.proxy.served.length;
    const consent = await browser.submitLogin(login.page, user.email, user.password);
    if (consent.kind !== 'page' || pageKind(consent.page) !== 'consent') throw new Error('expected the consent page after signing in');
    const callback = await browser.answerConsent(consent.page, 'allow');
    if (callback.kind !== 'left') throw new Error('expected the redirect back to the client');
    const tokens = await exchangeCode(config, callback.location, pending);

    expect(tokens.claims()?.sub).toBe(user.id);
    const afterKill = servedSince(mark);
    expect(afterKill.every((request) => request.target !== loginPageServer && request.status < 500)).toBe(true);

    await group.restart(loginPageServer); // back to three for whatever runs next
  });
});
