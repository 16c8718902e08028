// The audit trail: security events with who, which client, from where; append-only; nothing secret in it; read with
// `latchkey audit tail|search`, and admin CLI actions recorded too.
import { spawn } from 'node:child_process';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind, requireForm } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode } from '../support/relying-party.ts';
import { openLoginPage, pageOf, postLogin } from '../support/login-attempts.ts';
import { childEnv, REPO_ROOT, runCli, stop } from '../support/child-process.ts';
import type { TestServer } from '../support/test-server.ts';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { recordKeyRotation } from '../../src/audit/key-rotation.ts';
import { createQueries } from '../../src/db/queries/index.ts';

interface AuditRow {
  id: string;
  event: string;
  user_id: string | null;
  email: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

const USER_AGENT = 'AuditTest/1.0 (+https://example.test)';

async function eventsAfter(server: TestServer, afterId: string): Promise<AuditRow[]> {
  return server.knex<AuditRow>('audit_events').select('*').where('id', '>', afterId).orderBy('id');
}

async function lastId(server: TestServer): Promise<string> {
  const row = await server.knex('audit_events').max<{ max: string | null }>('id as max').first();
  return String(row?.max ?? 0);
}

/** The CLI against the test server's config (and so its database, through its socket when embedded). */
function cliEnv(server: TestServer): Record<string, string> {
  return { LATCHKEY_CONFIG_DIR: server.config.sources.configDir };
}

describe.each(databaseTargets())('audit trail ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('records a sign-in with its failures, the consent, a token revocation and the logout, with user, client, address and user agent', async () => {
    const user = await createTestUser(server());
    const before = await lastId(server());
    const config = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer, { headers: { 'user-agent': USER_AGENT } });
    const pending = await buildAuthorization(config, { redirectUri: spaClient.redirect_uris[0], scope: 'openid email' });
    const login = pageOf(await browser.visit(pending.url));
    await postLogin(browser, login, user.email, 'not-the-password');
    await postLogin(browser, login, 'nobody@example.test', user.password);
    await postLogin(browser, login, 'hunter2-typed-in-the-wrong-box', user.password);
    const consent = pageOf(await postLogin(browser, login, user.email, user.password));
    const left = await browser.answerConsent(consent, 'allow');
    if (left.kind !== 'left') throw new Error('expected the redirect to the client');
    const tokens = await exchangeCode(config, left.location, pending);
    await client.tokenRevocation(config, tokens.access_token);
    const logout = pageOf(await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '' })));
    await browser.submit(requireForm(logout, '/session/end/confirm'), { logout: 'yes' });

    const events = await eventsAfter(server(), before);

    const common = { client_id: spaClient.client_id, ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/), user_agent: USER_AGENT };
    expect(events.map((event) => event.event)).toEqual([
      'sign_in.failed',
      'sign_in.failed',
      'sign_in.failed',
      'sign_in.succeeded',
      'consent.granted',
      'token.revoked',
      'consent.revoked',
      'logout',
    ]);
    expect(events[0]).toMatchObject({ ...common, user_id: user.id, email: user.email, details: { reason: 'wrong_password' } });
    expect(events[1]).toMatchObject({ ...common, user_id: null, email: 'nobody@example.test', details: { reason: 'unknown_account' } });
    expect(events[2]).toMatchObject({ ...common, user_id: null, email: null, details: { reason: 'unknown_account' } }); // not an email: not kept
    expect(events[3]).toMatchObject({ ...common, user_id: user.id, email: user.email });
    expect(events[4]).toMatchObject({ ...common, user_id: user.id, details: { scope: expect.stringContaining('email') } });
    expect(events[5]).toMatchObject({ client_id: spaClient.client_id, user_id: user.id, details: { kind: 'AccessToken' } });
    expect(events[6]).toMatchObject({ ...common, user_id: user.id, details: { reason: 'logout' } });
    expect(events[7]).toMatchObject({ ...common, user_id: user.id, details: { scope: 'session' } });

    const stored = JSON.stringify(events);
    for (const secret of [user.password, 'not-the-password', 'hunter2-typed-in-the-wrong-box', tokens.access_token, tokens.id_token ?? '', left.location.searchParams.get('code') ?? '']) {
      expect(stored.includes(secret)).toBe(false);
    }
  });

  it('records a denied consent', async () => {
    const user = await createTestUser(server());
    const before = await lastId(server());
    const { browser, page } = await openLoginPage(server());
    const consent = pageOf(await postLogin(browser, page, user.email, user.password));
    expect(pageKind(consent)).toBe('consent');
    await browser.answerConsent(consent, 'deny');

    expect((await eventsAfter(server(), before)).map((event) => [event.event, event.user_id])).toEqual([
      ['sign_in.succeeded', user.id],
      ['consent.denied', user.id],
    ]);
  });

  it('records key rotations through the hook that key management calls', async () => {
    const before = await lastId(server());
    const audit = createAuditLog(createQueries(server().knex).auditEvents, (error) => {
      throw error;
    });

    await recordKeyRotation(audit, { kid: 'key-2026-11', alg: 'ES256', state: 'current', actor: 'rotation job' });

    expect(await eventsAfter(server(), before)).toEqual([
      expect.objectContaining({ event: 'key.rotated', details: { kid: 'key-2026-11', alg: 'ES256', state: 'current', actor: 'rotation job' } }),
    ]);
  });

  it('is append-only: the database refuses to change a recorded event', async () => {
    await createTestUser(server()).then((user) => openLoginPage(server()).then(({ browser, page }) => postLogin(browser, page, user.email, 'wrong-password-1')));
    await expect(server().knex('audit_events').update({ event: 'sign_in.succeeded' })).rejects.toThrow(/append-only/);
  });

  it('shows events with `latchkey audit tail` and `latchkey audit search`, and records what the admin CLI changes', async () => {
    const env = cliEnv(server());
    const email = `cli-${Date.now()}@example.test`;
    expect((await runCli(['users', 'add', email, '--name', 'Cli User'], env, 'a long enough password\n')).code).toBe(0);
    expect((await runCli(['users', 'disable', email], env)).code).toBe(0);
    const { browser, page } = await openLoginPage(server());
    await postLogin(browser, page, email, 'a long enough password'); // disabled: fails

    const tail = await runCli(['audit', 'tail', '-n', '3'], env);
    expect(tail.code).toBe(0);
    const lines = tail.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z admin\\.user_added +user=${email} sub=\\S+ actor=\\S+`));
    expect(lines[1]).toMatch(/ admin\.user_disabled /);
    expect(lines[2]).toMatch(new RegExp(` sign_in\\.failed +user=${email} sub=\\S+ client=test-spa ip=\\S+ reason=disabled_account`));

    const search = await runCli(['audit', 'search', '--user', email.toUpperCase(), '--event', 'sign_in.failed', '--since', '1h', '--json'], env);
    expect(search.code).toBe(0);
    const found = search.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; email: string; details: { reason: string } });
    expect(found).toEqual([expect.objectContaining({ event: 'sign_in.failed', email, details: { reason: 'disabled_account' } })]);

    const nothing = await runCli(['audit', 'search', '--user', 'nobody-at-all@example.test'], env);
    expect(nothing.stdout).toBe('');
    const wrong = await runCli(['audit', 'search', '--event', 'no.such.event'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('sign_in.failed');
    expect((await runCli(['audit', 'search', '--since', 'yesterday'], env)).code).toBe(2);
  });

  it('`latchkey audit tail --follow` prints new events as they happen, until interrupted', async () => {
    const user = await createTestUser(server());
    const { browser, page } = await openLoginPage(server());
    await postLogin(browser, page, user.email, 'first-wrong-password');
    const follower = spawn(process.execPath, ['bin/latchkey.js', 'audit', 'tail', '-n', '1', '--follow'], { cwd: REPO_ROOT, env: childEnv(cliEnv(server())) });
    let output = '';
    follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect.poll(() => output, { timeout: 30_000 }).toMatch(/sign_in\.failed/); // the last event: it is reading

      await postLogin(browser, page, user.email, user.password);

      await expect.poll(() => output, { timeout: 30_000 }).toMatch(/sign_in\.succeeded/);
      expect(output.trim().split('\n')).toHaveLength(2);
    } finally {
      follower.kill('SIGINT');
      expect(await stop(follower)).toBe(0);
    }
  });

  it('shows attacker-typed text with its control characters escaped, so nothing reaches the terminal raw', async () => {
    const { browser, page } = await openLoginPage(server());
    await postLogin(browser, page, 'x\u001b[31m@example.test', 'wrong-password-2');

    const tail = await runCli(['audit', 'tail', '-n', '1'], cliEnv(server()));

    expect(tail.stdout).not.toContain('\u001b');
    expect(tail.stdout).toContain('user=x\\u001b[31m@example.test');
  });
});
