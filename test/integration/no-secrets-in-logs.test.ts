// No password, token, code or secret ever reaches a log line or the audit trail: the real server process runs a full
// flow at the most verbose log level, and its output (and the CLI's, and the audit table) is searched for every
// secret the flow used.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';
import { freePort, runCli, spawnServer, stop, waitForHttp } from '../support/child-process.ts';
import { BrowserSession, requireForm } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, OFFLINE_ACCESS } from '../support/relying-party.ts';
import { pageOf, postLogin } from '../support/login-attempts.ts';
import type { TestClient } from '../support/test-server.ts';

const webClient = {
  client_id: 'log-test-web',
  client_name: 'Log Test Web',
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: ['https://web.example.test/callback'],
  post_logout_redirect_uris: ['https://web.example.test/'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email offline_access',
} as const satisfies TestClient;

describe.each(databaseTargets())('secrets stay out of logs and the audit trail ($name database)', (target) => {
  let root: string;
  let database: ProvisionedDatabase;
  let env: Record<string, string>;
  let server: ReturnType<typeof spawnServer>;
  let issuer: string;
  const clientSecret = randomBytes(32).toString('base64url');
  const cookieSecret = randomBytes(32).toString('base64url');
  const keyEncryptionKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lk-logs-'));
    const configDir = path.join(root, 'config');
    mkdirSync(configDir);
    database = await target.provision();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    writeFileSync(path.join(configDir, 'latchkey.yaml'), stringify({ passwords: { argon2: { memory_cost: 8192, time_cost: 1, parallelism: 1 } } }));
    writeFileSync(path.join(configDir, 'clients.yaml'), stringify({ clients: [{ ...webClient, client_secret: '${LOG_TEST_WEB_SECRET}' }] }));
    env = {
      LATCHKEY_CONFIG_DIR: configDir,
      PORT: String(port),
      ISSUER: issuer,
      LOG_LEVEL: 'trace',
      LATCHKEY_COOKIE_SECRETS: cookieSecret,
      LATCHKEY_KEY_ENCRYPTION_KEY: keyEncryptionKey, // required on a Postgres server
      LOG_TEST_WEB_SECRET: clientSecret,
      ...('url' in database.settings ? { DATABASE_URL: database.settings.url } : { LATCHKEY_DATA_DIR: database.settings.data_dir }),
    };
    server = spawnServer(env);
    await waitForHttp(`${issuer}/readyz`, server);
  });

  afterAll(async () => {
    if (server) await stop(server);
    await database?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('a full flow leaves no password, secret, code or token in any log line or audit event', async () => {
    const email = `logs-${randomBytes(4).toString('hex')}@example.test`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
    const wrongSecret = randomBytes(32).toString('base64url');
    const added = await runCli(['users', 'add', email], env, `${password}\n`);
    expect(added.code).toBe(0);

    const config = await discoverClient({ issuer }, { ...webClient, client_secret: clientSecret });
    const browser = new BrowserSession(issuer);
    const setCookies: string[] = [];
    const request = browser.request.bind(browser);
    browser.request = async (...args) => {
      const response = await request(...args);
      setCookies.push(...response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]?.split('=')[1] ?? ''));
      return response;
    };
    const pending = await buildAuthorization(config, { redirectUri: webClient.redirect_uris[0], ...OFFLINE_ACCESS });
    const login = pageOf(await browser.visit(pending.url));
    const csrf = requireForm(login, '/login').fields['csrf'] ?? '';
    await postLogin(browser, login, email, wrongPassword);
    const consent = pageOf(await postLogin(browser, login, email, password));
    const left = await browser.answerConsent(consent, 'allow');
    if (left.kind !== 'left') throw new Error('expected the redirect to the client');
    const code = left.location.searchParams.get('code') ?? '';
    const wrong = await discoverClient({ issuer }, { ...webClient, client_secret: wrongSecret });
    expect(await oauthErrorOf(exchangeCode(wrong, left.location, pending))).toMatchObject({ error: 'invalid_client' });
    const tokens = await exchangeCode(config, left.location, pending);
    await client.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub ?? '');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    await client.tokenIntrospection(config, refreshed.access_token);
    await client.tokenRevocation(config, refreshed.refresh_token ?? tokens.refresh_token ?? '');
    const logout = pageOf(await browser.visit(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '' })));
    await browser.submit(requireForm(logout, '/session/end/confirm'), { logout: 'yes' });
    const audit = await runCli(['audit', 'tail', '-n', '1000', '--json'], env);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('"event":"token.revoked"');
    await stop(server); // flushes what is left of the log

    const secrets: Record<string, string> = {
      password,
      'wrong password': wrongPassword,
      'client secret': clientSecret,
      'wrong client secret': wrongSecret,
      'cookie secret': cookieSecret,
      'key-encryption key': keyEncryptionKey,
      'CSRF token': csrf,
      'authorization code': code,
      'code verifier': pending.codeVerifier,
      'access token': tokens.access_token,
      'refresh token': tokens.refresh_token ?? '',
      'ID token': tokens.id_token ?? '',
      'refreshed access token': refreshed.access_token,
      ...Object.fromEntries(setCookies.filter((value) => value.length >= 16).map((value, index) => [`cookie value ${index}`, value])),
    };
    const output = server.output();
    expect(output).toContain('"msg":"latchkey is listening"'); // the log was captured at all
    expect(output.match(/"msg":"request"/g)?.length ?? 0).toBeGreaterThan(10); // with a line per request
    const places = { 'server log': output, 'CLI output': `${added.stdout}${added.stderr}${audit.stderr}`, 'audit trail': audit.stdout };
    for (const [place, text] of Object.entries(places)) {
      for (const [name, secret] of Object.entries(secrets)) {
        expect(secret.length, name).toBeGreaterThan(8);
        expect(text.includes(secret), `${name} in the ${place}`).toBe(false);
      }
    }
  });
});
