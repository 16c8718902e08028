// Operating Latchkey: every request gets an id (echoed, logged, shown on error pages), one log line with its route,
// status, client and hashed user, and no secret in any log line; /metrics speaks Prometheus text and its counters
// follow sign-ins and token requests.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { logUserId } from '../../src/logger.ts';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, machineClient, spaClient } from '../support/fixtures.ts';
import { BrowserSession, loginErrorOf, requireForm, type Page } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf, OFFLINE_ACCESS } from '../support/relying-party.ts';
import { captureLogs, type LogLine } from '../support/log-capture.ts';
import { parsePrometheusText, type Exposition } from '../support/prometheus-text.ts';

const METRICS_TOKEN = 'metrics-token-for-the-observability-test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(databaseTargets())('request ids, logs and metrics ($name database)', (target) => {
  const logs = captureLogs();
  const server = useTestServer({
    target,
    clients: allClients,
    resources: [apiResource],
    overrides: { metrics: { token: METRICS_TOKEN } },
    logs,
  });

  const requestLine = (id: string) => logs.waitFor((line) => line.msg === 'request' && line['request_id'] === id);

  async function scrape(): Promise<Exposition> {
    const response = await fetch(`${server().issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parsePrometheusText(await response.text());
  }

  it('echoes a sane X-Request-Id and logs it on the request line with the route name, not the path', async () => {
    const response = await fetch(`${server().issuer}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'trace-4711.a:b' } });
    expect(response.headers.get('x-request-id')).toBe('trace-4711.a:b');

    const line = await requestLine('trace-4711.a:b');
    expect(line).toMatchObject({ level: 'info', method: 'GET', route: 'discovery', status: 200 });
    expect(line['duration_ms']).toEqual(expect.any(Number));
  });

  it('generates an id when there is none or the incoming one is not sane', async () => {
    for (const incoming of [undefined, 'has spaces and "quotes"', 'x'.repeat(129)]) {
      const response = await fetch(`${server().issuer}/jwks`, { headers: incoming ? { 'x-request-id': incoming } : {} });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(UUID);
      expect(await requestLine(id)).toMatchObject({ route: 'jwks', status: 200 });
    }
  });

  it('shows the request id as the Reference of error pages, from oidc-provider and from the interaction pages', async () => {
    const browser = new BrowserSession(server().issuer);
    for (const path of ['/auth?client_id=nobody&response_type=code', '/interaction/no-such-interaction']) {
      const response = await browser.request(`${server().issuer}${path}`);
      expect(response.status).toBe(400);
      const id = response.headers.get('x-request-id') ?? '';
      expect(await response.text()).toContain(`Reference: <code>${id}</code>`);
      expect((await requestLine(id))['status']).toBe(400);
    }
    const unknownClient = logs.lines().find((line) => line['route'] === 'authorization' && line['error'] === 'invalid_client');
    expect(unknownClient).toMatchObject({ status: 400, error_detail: 'client not found' });
    expect(logs.lines().some((line) => line['route'] === 'interaction' && line['status'] === 400)).toBe(true);
  });

  it('reports signed-in sessions, signing key ages, the database pool and the process in /metrics', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri: spaClient.redirect_uris[0], scope: 'openid' });
    await exchangeCode(config, await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' }), pending);

    const metrics = await scrape();
    expect(metrics.value('latchkey_active_sessions')).toBeGreaterThanOrEqual(1);
    for (const alg of ['RS256', 'ES256']) expect(metrics.value('latchkey_signing_key_age_seconds', { alg })).toBeGreaterThanOrEqual(0);
    expect(metrics.value('latchkey_db_pool_max_connections')).toBe(4);
    expect(metrics.value('latchkey_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(metrics.value('latchkey_db_query_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(metrics.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(metrics.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('refuses /metrics without the token, or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-metrics-token' }, { authorization: `Basic ${METRICS_TOKEN}` }]) {
      const response = await fetch(`${server().issuer}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(await response.text()).not.toContain('latchkey_');
    }
  });

  it('counts sign-ins, issued tokens and refresh token reuse; the logs of the whole flow hold none of its secrets', async () => {
    const before = await scrape();
    const secrets: string[] = [METRICS_TOKEN, basicWebClient.client_secret, machineClient.client_secret];
    const user = await createTestUser(server());
    secrets.push(user.password);

    // A wrong password, then the public client's code flow with offline access.
    const spa = await discoverClient(server(), spaClient);
    const browser = new BrowserSession(server().issuer);
    const pending = await buildAuthorization(spa, {
      redirectUri: spaClient.redirect_uris[0],
      ...OFFLINE_ACCESS,
    });
    const loginPage = await browser.visit(pending.url);
    if (loginPage.kind !== 'page') throw new Error('expected the login page');
    const failed = await browser.submitLogin(loginPage.page, user.email, 'not-the-password-at-all');
    expect(failed.kind === 'page' && loginErrorOf(failed.page)).toBeTruthy();
    secrets.push(requireForm((failed as { page: Page }).page, '/login').fields['csrf'] ?? '');
    const callback = await browser.signIn(pending.url, { ...user, consent: 'allow' });
    secrets.push(callback.searchParams.get('code') ?? '', pending.codeVerifier);
    const tokens = await exchangeCode(spa, callback, pending);
    const refreshToken = tokens.refresh_token ?? '';
    secrets.push(tokens.access_token, refreshToken, tokens.id_token ?? '');
    const refreshed = await client.refreshTokenGrant(spa, refreshToken);
    secrets.push(refreshed.access_token, refreshed.refresh_token ?? '', refreshed.id_token ?? '');
    await client.fetchUserInfo(spa, refreshed.access_token, user.id);
    expect(await oauthErrorOf(client.refreshTokenGrant(spa, refreshToken))).toMatchObject({ error: 'invalid_grant' });

    // A confidential client gets the same person (signed in already; asked for consent) and introspects its token.
    const web = await discoverClient(server(), basicWebClient);
    const webPending = await buildAuthorization(web, { redirectUri: basicWebClient.redirect_uris[0], scope: 'openid email' });
    const webCallback = await browser.signIn(webPending.url, { ...user, consent: 'allow' });
    secrets.push(webCallback.searchParams.get('code') ?? '', webPending.codeVerifier);
    const webTokens = await exchangeCode(web, webCallback, webPending);
    secrets.push(webTokens.access_token, webTokens.id_token ?? '');
    expect(await client.tokenIntrospection(web, webTokens.access_token)).toMatchObject({ active: true });

    // A machine client, and a revocation.
    const machine = await client.clientCredentialsGrant(await discoverClient(server(), machineClient), { scope: 'api:read' });
    secrets.push(machine.access_token);
    await client.tokenRevocation(web, webTokens.access_token);
    const sessionCookies = (browser.cookies.headerFor(new URL(server().issuer)) ?? '').split('; ').map((cookie) => cookie.split('=')[1] ?? '');
    expect(sessionCookies.length).toBeGreaterThan(0);
    secrets.push(...sessionCookies);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(delta('latchkey_sign_ins_total', { outcome: 'success' })).toBe(1); // the second client rides on the session
    expect(delta('latchkey_sign_ins_total', { outcome: 'failure' })).toBe(1);
    expect(delta('latchkey_tokens_issued_total', { type: 'access_token', grant: 'authorization_code' })).toBe(2);
    expect(delta('latchkey_tokens_issued_total', { type: 'id_token', grant: 'authorization_code' })).toBe(2);
    expect(delta('latchkey_tokens_issued_total', { type: 'refresh_token', grant: 'authorization_code' })).toBe(1);
    expect(delta('latchkey_tokens_issued_total', { type: 'access_token', grant: 'refresh_token' })).toBe(1);
    expect(delta('latchkey_tokens_issued_total', { type: 'refresh_token', grant: 'refresh_token' })).toBe(1);
    expect(delta('latchkey_tokens_issued_total', { type: 'access_token', grant: 'client_credentials' })).toBe(1);
    expect(delta('latchkey_refresh_token_reuse_detected_total')).toBe(1);
    expect(delta('latchkey_http_requests_total', { route: 'token', method: 'POST', status: '200' })).toBe(4);
    expect(delta('latchkey_http_requests_total', { route: 'token', method: 'POST', status: '400' })).toBe(1);
    expect(delta('latchkey_http_request_duration_seconds_count', { route: 'userinfo' })).toBe(1);

    const lines = logs.lines();
    const text = logs.text();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      expect(text.includes(secret), `a secret of ${secret.length} characters is in the logs`).toBe(false);
    }
    expect(text).not.toContain(user.id); // only its hash
    expect(text).not.toContain(user.email);
    const userHash = logUserId(user.id);
    expect(lines).toContainEqual(expect.objectContaining({ route: 'interaction.login', status: 303, client_id: spaClient.client_id, user: userHash }));
    expect(lines).toContainEqual(expect.objectContaining({ route: 'token', status: 200, client_id: spaClient.client_id, user: userHash }));
    expect(lines).toContainEqual(expect.objectContaining({ route: 'userinfo', status: 200, user: userHash }));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'refresh token reuse detected; its grant is revoked', client_id: spaClient.client_id, user: userHash }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ route: 'token', status: 400, error: 'invalid_grant' } satisfies Partial<LogLine>));
  });

  it('counts the tokens of a code exchanged several times at once only for the exchange that got them', async () => {
    const user = await createTestUser(server());
    const spa = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(spa, { redirectUri: spaClient.redirect_uris[0], scope: 'openid email' });
    const callback = await new BrowserSession(server().issuer).signIn(pending.url, { ...user, consent: 'allow' });
    const before = await scrape();

    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => {
        const exchange = exchangeCode(spa, callback, pending);
        return exchange.then(() => 'tokens', () => 'refused');
      }),
    );

    expect(outcomes.filter((outcome) => outcome === 'tokens')).toHaveLength(1);
    const after = await scrape();
    const issued = { type: 'access_token', grant: 'authorization_code' };
    expect((after.value('latchkey_tokens_issued_total', issued) ?? 0) - (before.value('latchkey_tokens_issued_total', issued) ?? 0)).toBe(1);
  });
});

describe.each(databaseTargets().slice(0, 1))('metrics on a port of their own ($name database)', (target) => {
  const server = useTestServer({ target, overrides: { metrics: { port: 0, token: METRICS_TOKEN } } });

  it('serves /metrics there only, still behind the token', async () => {
    const metricsUrl = `${server().running.metricsUrl ?? ''}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(parsePrometheusText(await response.text()).types.get('latchkey_http_requests_total')).toBe('counter');

    const onMainPort = await fetch(`${server().issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(onMainPort.status).toBe(404);
  });
});
