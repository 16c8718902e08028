// Postgres going away under a light load: two instances on a Postgres cluster of the test's own, which the test stops
// and starts again. Requests during the outage fail fast with 503 (no hang, no 500, no crash), readiness turns false,
// service comes back by itself, and the sessions and grants made before are all still there.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstanceGroup, type InstanceGroup } from '../support/server-instances.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';
import type { TestClient } from '../support/test-server.ts';

const enabled = Boolean(process.env['TEST_DATABASE_URL']);
if (!enabled) console.warn('Skipping the database outage test: it needs Postgres; set TEST_DATABASE_URL');

// Bounds of the load, in requests and in time; each request may take at most REQUEST_BOUND_MS (a hang is a failure).
const LOAD_INTERVAL_MS = 50;
const MAX_LOAD_REQUESTS = 2_000;
const REQUEST_BOUND_MS = 20_000;
const PHASE_BOUND_MS = 60_000;

interface LoadResult {
  startedAt: number;
  endedAt: number;
  status: number | string;
  retryAfter: string | null;
  body: string;
}

const REDIRECT_URI = 'https://outage.example.test/callback';
const webClient = {
  client_id: 'outage-web',
  client_secret: randomBytes(32).toString('base64url'),
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid email offline_access',
} satisfies TestClient;

describe.runIf(enabled)('a Postgres outage under load (private postgres cluster)', () => {
  let postgres: PrivatePostgres;
  let group: InstanceGroup;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    group = await startInstanceGroup({
      count: 2,
      databaseUrl: postgres.url,
      clients: [webClient],
      overrides: { database: { connect_timeout: '2s', statement_timeout: '5s' } },
    });
  });

  afterAll(async () => {
    await group?.close();
    await postgres?.dispose();
  });

  /** Polls `check` until it holds, at most PHASE_BOUND_MS. */
  async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + PHASE_BOUND_MS;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${PHASE_BOUND_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const readiness = async (url: string) => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) })).status;

  it('answers 503 only while the database is away, then serves again with every session and grant intact', async () => {
    const email = `outage-${randomBytes(4).toString('hex')}@example.test`;
    const password = `pass-${randomBytes(9).toString('base64url')}`;
    const user = await group.accounts.createAccount({ email, password, emailVerified: true });
    const config = await discoverClient(group, webClient);
    const browser = new BrowserSession(group.issuer);
    const tokens = await signInWithCode(config, browser, {
      redirectUri: REDIRECT_URI,
      ...OFFLINE_ACCESS,
      user: { id: user.id, email, password },
      consent: 'allow',
    });
    const refreshToken = tokens.refresh_token;
    if (!refreshToken) throw new Error('no refresh token');

    // The load: userinfo, introspection and a refresh (which stores a new access token) in turn through the proxy, one
    // every LOAD_INTERVAL_MS. The client is confidential, so its refresh token stays the same.
    const results: LoadResult[] = [];
    let loading = true;
    const basic = `Basic ${Buffer.from(`${webClient.client_id}:${webClient.client_secret}`).toString('base64')}`;
    const postForm = (path: string, form: Record<string, string>) =>
      fetch(`${group.issuer}${path}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(REQUEST_BOUND_MS),
      });
    const load = (async () => {
      for (let i = 0; loading && i < MAX_LOAD_REQUESTS; i++) {
        const startedAt = Date.now();
        const request =
          i % 3 === 0
            ? fetch(`${group.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` }, signal: AbortSignal.timeout(REQUEST_BOUND_MS) })
            : i % 3 === 1
              ? postForm('/token/introspection', { token: tokens.access_token })
              : postForm('/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
        const result = await request.then(
          async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() }),
          (error: unknown) => ({ status: error instanceof Error ? error.name : 'error', retryAfter: null, body: '' }),
        );
        results.push({ startedAt, endedAt: Date.now(), ...result });
        await new Promise((resolve) => setTimeout(resolve, LOAD_INTERVAL_MS));
      }
    })();

    await eventually('a few requests before the outage', async () => results.filter((result) => result.status === 200).length >= 5);
    const outageBegins = Date.now();
    await postgres.stop();

    await eventually('503 answers', async () => results.some((result) => result.status === 503));
    for (const instance of group.instances) await eventually(`readiness false at ${instance.url}`, async () => (await readiness(instance.url)) === 503);
    const ready = await fetch(`${group.instances[0]?.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { database: expect.not.stringMatching(/^ok$/) } });
    // A person's browser gets a page saying so; discovery and the JWKS, served from memory, keep working.
    const page = await browser.request((await buildAuthorization(config, { redirectUri: REDIRECT_URI, scope: 'openid' })).url);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Temporarily unavailable');
    expect((await fetch(`${group.instances[1]?.url}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await fetch(`${group.instances[1]?.url}/jwks`)).status).toBe(200);

    await postgres.start();
    for (const instance of group.instances) await eventually(`readiness back at ${instance.url}`, async () => (await readiness(instance.url)) === 200);
    const recovered = Date.now();
    await eventually('requests served again', async () => results.filter((result) => result.startedAt > recovered && result.status === 200).length >= 10);
    loading = false;
    await load;

    for (const result of results) expect([200, 503], `a request answered ${result.status}: ${result.body}`).toContain(result.status);
    expect(results.filter((result) => result.endedAt < outageBegins).every((result) => result.status === 200)).toBe(true);
    expect(results.filter((result) => result.startedAt > recovered).every((result) => result.status === 200)).toBe(true);
    const refused = results.filter((result) => result.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) {
      expect(result.retryAfter).toBe('5');
      expect(JSON.parse(result.body)).toMatchObject({ error: 'temporarily_unavailable' });
    }
    for (const instance of group.instances) {
      expect(instance.process.exitCode).toBeNull();
      expect(instance.process.signalCode).toBeNull();
    }

    // Nothing committed was lost: the session signs in silently, the grant refreshes, the tokens still work.
    const silent = await buildAuthorization(config, { redirectUri: REDIRECT_URI, scope: 'openid', extra: { prompt: 'none' } });
    const arrival = await browser.visit(silent.url);
    if (arrival.kind !== 'left') throw new Error(`prompt=none showed a page (${arrival.page.status})`);
    expect((await exchangeCode(config, arrival.location, silent)).claims()?.sub).toBe(user.id);
    const refreshed = await client.refreshTokenGrant(config, refreshToken);
    expect(await client.fetchUserInfo(config, refreshed.access_token, user.id)).toMatchObject({ email });
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true });
  });
});
