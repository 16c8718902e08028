// OpenID Connect Back-Channel Logout 1.0: a client that registers backchannel_logout_uri gets a signed logout token
// whenever a session it took part in ends — sign-out at /session/end, an admin ending sessions, a disabled user, a new
// password — delivered from a database outbox with retries, and recorded.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { startTestServer, type TestClient, type TestServer } from '../support/test-server.ts';
import { createTestUser, spaClient, type TestUser } from '../support/fixtures.ts';
import { BrowserSession, requireForm } from '../support/browser-session.ts';
import { discoverClient, signInWithCode } from '../support/relying-party.ts';
import { startLogoutReceiver, verifyLogoutToken, type LogoutReceiver } from '../support/logout-receiver.ts';

const MAX_ATTEMPTS = 3;

/** Clients of one server: two with back-channel logout (with and without sid), and the SPA without. */
function clientsFor(receiver: LogoutReceiver) {
  const withSid = {
    client_id: 'bcl-web',
    client_name: 'BCL Web',
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: ['https://bcl.example.test/callback'],
    post_logout_redirect_uris: ['https://bcl.example.test/'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid email offline_access',
    backchannel_logout_uri: receiver.url('/bcl-web'),
    backchannel_logout_session_required: true,
  } satisfies TestClient;
  const subOnly = {
    ...withSid,
    client_id: 'bcl-sub-only',
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: ['https://sub-only.example.test/callback'],
    post_logout_redirect_uris: [],
    backchannel_logout_uri: receiver.url('/bcl-sub-only'),
    backchannel_logout_session_required: false,
  } satisfies TestClient;
  // Registers back-channel logout only after a clients.yaml reload.
  const later = {
    ...withSid,
    client_id: 'bcl-later',
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: ['https://later.example.test/callback'],
    post_logout_redirect_uris: ['https://later.example.test/'],
    backchannel_logout_uri: receiver.url('/bcl-later'),
    backchannel_logout_session_required: false,
  } satisfies TestClient;
  const { backchannel_logout_uri: _uri, backchannel_logout_session_required: _required, ...laterBefore } = later;
  return { withSid, subOnly, later, laterBefore };
}

describe.each(databaseTargets())('back-channel logout ($name database)', (target) => {
  let receiver: LogoutReceiver;
  let server: TestServer;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    receiver = await startLogoutReceiver();
    clients = clientsFor(receiver);
    server = await startTestServer({
      target,
      clients: [clients.withSid, clients.subOnly, clients.laterBefore, spaClient],
      overrides: { backchannel_logout: { poll_interval: '1s', retry_delay: '1s', max_attempts: MAX_ATTEMPTS } },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** Signs `user` in to `registered` in `browser`; returns the tokens and the openid-client configuration. */
  async function signIn(registered: TestClient, browser: BrowserSession, user: TestUser, consent: 'allow' | 'expect-none' = 'allow') {
    const config = await discoverClient(server, registered);
    const redirectUri = registered.redirect_uris?.[0] ?? '';
    const tokens = await signInWithCode(config, browser, { redirectUri, scope: 'openid email', user, consent });
    return { config, tokens };
  }

  /** Logout tokens accepted from now on: waits for `count` more than were there. */
  async function nextTokens(before: number, count: number): Promise<string[]> {
    return (await receiver.waitForAccepted(before + count)).slice(before);
  }

  async function recordsOf(user: TestUser): Promise<Record<string, unknown>[]> {
    return server.knex('backchannel_logouts').where('account_id', user.id).orderBy('id');
  }

  /** The records of `user` once none is in flight: the receiver may have answered before the sender wrote the outcome. */
  async function settledRecordsOf(user: TestUser): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const records = await recordsOf(user);
      if (records.every((record) => record['next_attempt_at'] === null) || Date.now() > deadline) return records;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('signing out at /session/end sends each client a valid logout token, with sid when it asked for it', async () => {
    const user = await createTestUser(server);
    const browser = new BrowserSession(server.issuer);
    const web = await signIn(clients.withSid, browser, user);
    await signIn(clients.subOnly, browser, user);
    const idTokenSid = web.tokens.claims()?.['sid'];
    expect(idTokenSid).toEqual(expect.any(String)); // backchannel_logout_session_required puts sid in ID tokens
    const before = receiver.accepted().length;

    const confirmation = await browser.visit(
      client.buildEndSessionUrl(web.config, { id_token_hint: web.tokens.id_token ?? '', post_logout_redirect_uri: 'https://bcl.example.test/' }),
    );
    if (confirmation.kind !== 'page') throw new Error('expected the logout page');
    await browser.submit(requireForm(confirmation.page, '/session/end/confirm'), { logout: 'yes' });

    const tokens = await nextTokens(before, 2);
    const byAudience = new Map(tokens.map((token) => [String(decodeJwt(token).aud), token]));
    const forWeb = await verifyLogoutToken(byAudience.get('bcl-web') ?? '', { issuer: server.issuer, clientId: 'bcl-web' });
    expect(forWeb.payload).toMatchObject({ sub: user.id, sid: idTokenSid, iss: server.issuer, aud: 'bcl-web' });
    expect(forWeb.header).toMatchObject({ typ: 'logout+jwt', alg: 'RS256' });
    const forSubOnly = await verifyLogoutToken(byAudience.get('bcl-sub-only') ?? '', { issuer: server.issuer, clientId: 'bcl-sub-only' });
    expect(forSubOnly.payload.sub).toBe(user.id);
    expect(forSubOnly.payload).not.toHaveProperty('sid');
    const paths = receiver.received.slice(-2).map((request) => request.path).sort();
    expect(paths).toEqual(['/bcl-sub-only', '/bcl-web']);
    expect(receiver.received.at(-1)?.contentType).toBe('application/x-www-form-urlencoded');

    const records = await settledRecordsOf(user);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({ reason: 'logout', attempts: 1, next_attempt_at: null, last_error: null, failed_at: null });
      expect(record.delivered_at).toBeInstanceOf(Date);
      expect(record.session_uid).toEqual(expect.any(String));
    }
  });

  it('an admin ending the sessions, disabling the user or setting a new password each sends a logout token', async () => {
    const user = await createTestUser(server);
    // Ending sessions keeps the person's consent (their grant), so only the first sign-in asks for it.
    let consent: 'allow' | 'expect-none' = 'allow';
    const signInAgain = async (password = user.password) => {
      const { tokens } = await signIn(clients.withSid, new BrowserSession(server.issuer), { ...user, password }, consent);
      consent = 'expect-none';
      return tokens.claims()?.['sid'];
    };

    const revokedSid = await signInAgain();
    let before = receiver.accepted().length;
    expect(await server.sessions.endSessionsOfAccount(user.id, 'revoked')).toBe(1);
    const [revoked] = await nextTokens(before, 1);
    expect((await verifyLogoutToken(revoked ?? '', { issuer: server.issuer, clientId: 'bcl-web' })).payload).toMatchObject({ sub: user.id, sid: revokedSid });

    await signInAgain();
    const [session] = await server.sessions.listSessions(user.id);
    before = receiver.accepted().length;
    expect((await server.sessions.endSession(session?.uid ?? '', 'revoked'))?.uid).toBe(session?.uid);
    await nextTokens(before, 1);

    const passwordSid = await signInAgain();
    before = receiver.accepted().length;
    await server.accounts.setPassword(user.email, `new-${user.password}`);
    const [afterPassword] = await nextTokens(before, 1);
    expect(decodeJwt(afterPassword ?? '')['sid']).toBe(passwordSid);

    await signInAgain(`new-${user.password}`);
    before = receiver.accepted().length;
    await server.accounts.disableAccount(user.email);
    await nextTokens(before, 1);

    const reasons = (await settledRecordsOf(user)).map((record) => [record.reason, record.delivered_at instanceof Date]);
    expect(reasons).toEqual([
      ['revoked', true],
      ['revoked', true],
      ['password_changed', true],
      ['disabled', true],
    ]);
  });

  it('retries a failed delivery with backoff, and gives up after max_attempts, keeping the record', async () => {
    const retried = await createTestUser(server);
    await signIn(clients.withSid, new BrowserSession(server.issuer), retried);
    const before = receiver.accepted().length;
    receiver.failNext(2, 503);
    await server.sessions.endSessionsOfAccount(retried.id, 'revoked');
    await nextTokens(before, 1);
    expect(await settledRecordsOf(retried)).toEqual([
      expect.objectContaining({ attempts: 3, last_error: null, delivered_at: expect.any(Date), delivered_to: receiver.url('/bcl-web') }),
    ]);

    const abandoned = await createTestUser(server);
    await signIn(clients.withSid, new BrowserSession(server.issuer), abandoned);
    receiver.failNext(MAX_ATTEMPTS, 500);
    await server.sessions.endSessionsOfAccount(abandoned.id, 'revoked');
    const [record] = await settledRecordsOf(abandoned);
    expect(record).toMatchObject({ attempts: MAX_ATTEMPTS, next_attempt_at: null, delivered_at: null, failed_at: expect.any(Date) });
    expect(record?.last_error).toContain('HTTP 500');
  });

  it('tells a client that registered back-channel logout in a reloaded clients.yaml', async () => {
    const user = await createTestUser(server);
    const browser = new BrowserSession(server.issuer);
    const { config, tokens } = await signIn(clients.laterBefore, browser, user);

    writeFileSync(path.join(server.configDir, 'clients.yaml'), stringify({ clients: [clients.withSid, clients.subOnly, clients.later, spaClient], resources: [] }));
    expect(['reloaded', 'unchanged']).toContain(await server.running.reloadClients('test'));
    const before = receiver.accepted().length;
    const confirmation = await browser.visit(
      client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: 'https://later.example.test/' }),
    );
    if (confirmation.kind !== 'page') throw new Error('expected the logout page');
    await browser.submit(requireForm(confirmation.page, '/session/end/confirm'), { logout: 'yes' });

    const [token] = await nextTokens(before, 1);
    expect((await verifyLogoutToken(token ?? '', { issuer: server.issuer, clientId: 'bcl-later' })).payload.sub).toBe(user.id);
    expect(receiver.received.at(-1)?.path).toBe('/bcl-later');
  });

  it('sends nothing for clients without a back-channel logout URI, and nothing twice', async () => {
    const user = await createTestUser(server);
    const spa = await discoverClient(server, spaClient);
    await signInWithCode(spa, new BrowserSession(server.issuer), { redirectUri: spaClient.redirect_uris[0], scope: 'openid', user, consent: 'allow' });

    expect(await server.sessions.endSessionsOfAccount(user.id, 'revoked')).toBe(1);

    expect(await recordsOf(user)).toEqual([]);
    const delivered = await server.knex('backchannel_logouts').whereNotNull('delivered_at').count<{ count: string }[]>('* as count');
    expect(receiver.accepted()).toHaveLength(Number(delivered[0]?.count));
  });
});
