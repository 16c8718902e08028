// Hostile input gets a clear 4xx and leaves the server up: oversized bodies, URLs and headers; wrong content types and
// malformed bodies; duplicated parameters; control and odd unicode characters; injection strings; header abuse.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, basicWebClient, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, loginErrorOf, pageKind, requireForm } from '../support/browser-session.ts';
import { authorizationUrl, openLoginPage, pageOf, postLogin } from '../support/login-attempts.ts';
import { rawRequest } from '../support/raw-http.ts';
import { expectNoLeak } from '../support/leak-checks.ts';
import { discoverClient, signInWithCode } from '../support/relying-party.ts';

const FORM = 'application/x-www-form-urlencoded';
const secrets = [basicWebClient.client_secret];

describe.each(databaseTargets())('hostile input ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });
  const basic = `Basic ${Buffer.from(`${basicWebClient.client_id}:${basicWebClient.client_secret}`).toString('base64')}`;

  async function send(name: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: string; type: string | null }> {
    const response = await fetch(`${server().issuer}${path}`, { redirect: 'manual', ...init });
    const body = await response.text();
    expectNoLeak(body, secrets, name);
    return { status: response.status, body, type: response.headers.get('content-type') };
  }

  /** The current interaction's login form, posted with a raw body and content type of the test's choosing. */
  async function postToLogin(body: string | Uint8Array, headers: Record<string, string>) {
    const { browser, page } = await openLoginPage(server());
    const form = requireForm(page, '/login');
    return send('login', form.action.pathname, { method: 'POST', body, headers: { ...headers, cookie: browser.cookies.headerFor(form.action) ?? '' } });
  }

  it('refuses oversized bodies, URLs and headers with 4xx: 400 or 413 for bodies, 414 for URLs, 431 for headers', async () => {
    const token = await send('token body', '/token', { method: 'POST', headers: { 'content-type': FORM, authorization: basic }, body: `grant_type=refresh_token&refresh_token=${'a'.repeat(100_000)}` });
    expect(token.status).toBe(400);
    expect(JSON.parse(token.body)).toMatchObject({ error: 'invalid_request' });
    expect((await postToLogin(`email=a&password=${'b'.repeat(20_000)}`, { 'content-type': FORM })).status).toBe(413);
    expect((await send('long url', `/auth?client_id=test-spa&state=${'s'.repeat(9000)}`)).status).toBe(414);
    expect((await send('long introspection body', '/token/introspection', { method: 'POST', headers: { 'content-type': FORM, authorization: basic }, body: `token=${'t'.repeat(60_000)}` })).status).toBe(400);
    const header = await rawRequest(server().url, `GET /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(header.status).toBe(431);
    expect((await send('long interaction uid', `/interaction/${'u'.repeat(5000)}`)).status).toBe(400);
  });

  it('refuses wrong content types and malformed bodies with 400 (or 415 for an unknown encoding)', async () => {
    for (const [type, body] of [['application/json', '{"grant_type":"refresh_token"'], ['text/plain', 'grant_type=refresh_token'], ['multipart/form-data; boundary=x', '--x\r\n']]) {
      const answer = await send(type ?? '', '/token', { method: 'POST', headers: { 'content-type': type ?? '', authorization: basic }, body });
      expect(answer.status, type).toBe(400);
      expect(JSON.parse(answer.body), type).toMatchObject({ error: 'invalid_request' });
    }
    expect((await postToLogin('{"email":"a"}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await postToLogin('not gzip at all', { 'content-type': FORM, 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await postToLogin(gzipSync('email=a').subarray(0, 8), { 'content-type': FORM, 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await postToLogin('email=a', { 'content-type': FORM, 'content-encoding': 'x-unknown' })).status).toBe(415);
    expect((await postToLogin('%%%=%E0%A4%A&email=%', { 'content-type': FORM })).status).toBe(400);
    const framing = await rawRequest(server().url, 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n');
    expect(framing.status).toBe(400);
    const tooShort = await rawRequest(server().url, 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nConnection: close\r\n\r\nabc', 500);
    expect([0, 400]).toContain(tooShort.status); // the server answers 400 or waits for the rest; it does not fail
  });

  it('refuses duplicated parameters at the protocol endpoints, and a repeated form field counts as missing', async () => {
    const auth = await send('auth', `/auth?client_id=test-spa&client_id=test-web-basic&response_type=code&scope=openid`);
    expect(auth.status).toBe(400);
    const token = await send('token', '/token', { method: 'POST', headers: { 'content-type': FORM, authorization: basic }, body: 'grant_type=refresh_token&grant_type=client_credentials&refresh_token=x' });
    expect(token.status).toBe(400);
    expect(JSON.parse(token.body)).toMatchObject({ error: 'invalid_request', error_description: "'grant_type' parameter must not be provided twice" });

    const user = await createTestUser(server());
    const { browser, page } = await openLoginPage(server());
    const form = requireForm(page, '/login');
    const body = `${new URLSearchParams(form.fields).toString()}&email=${encodeURIComponent(user.email)}&email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(user.password)}`;
    const repeated = await fetch(form.action, { method: 'POST', redirect: 'manual', headers: { 'content-type': FORM, cookie: browser.cookies.headerFor(form.action) ?? '' }, body });
    expect(repeated.status).toBe(200);
    expect(await repeated.text()).toContain('The email or password is not right');
  });

  it('answers control characters and odd unicode in the sign-in form with the ordinary failure page', async () => {
    const user = await createTestUser(server());
    const { browser, page } = await openLoginPage(server());
    for (const [email, password] of [
      [`${user.email}\u0000`, user.password],
      [user.email, `${user.password}\u0000`],
      ['\u202Eadmin@example.test', 'x'],
      ['😀@例え.テスト', '🔑🔑🔑🔑🔑🔑🔑🔑'],
      ['e\u0301@example.test', '\uFEFFpassword'],
      ['\u0001\u0002\u001b[31m@example.test', '\u007f'],
    ]) {
      const answer = pageOf(await postLogin(browser, page, email ?? '', password ?? ''));
      expect(answer.status, JSON.stringify(email)).toBe(200);
      expect(loginErrorOf(answer)).toBe('The email or password is not right. Check them and try again.');
      expectNoLeak(answer.html, [user.password]);
    }
    expect((await send('NUL in the query', '/auth?client_id=test-spa%00')).status).toBe(400);
    const nulState = await send('NUL in the state', `${authorizationUrl(server()).pathname}${authorizationUrl(server(), { state: 'a\u0000b' }).search}`);
    expect(nulState.status).toBe(400);
  });

  it('treats injection strings as plain text: escaped when shown, matched as data', async () => {
    const user = await createTestUser(server());
    const usersBefore = await server().knex('users').count<{ count: string }[]>('* as count');
    const { browser, page } = await openLoginPage(server());
    for (const email of [
      `${user.email}' OR '1'='1`,
      `' OR 1=1; DROP TABLE users; --`,
      `"><script>alert(1)</script>@example.test`,
      '#{7*191}@example.test',
      '{{7*191}}@example.test',
      '${7*191}@example.test',
      '{"$gt":""}',
    ]) {
      const answer = pageOf(await postLogin(browser, page, email, `${user.password}' OR '1'='1`));
      expect(answer.status, email).toBe(200);
      expect(pageKind(answer), email).toBe('login');
      expect(answer.html).not.toContain('<script>alert(1)</script>');
      expect(answer.html).not.toContain('1337');
    }
    expect(await server().knex('users').count<{ count: string }[]>('* as count')).toEqual(usersBefore);

    const hinted = pageOf(await new BrowserSession(server().issuer).visit(authorizationUrl(server(), { login_hint: '"><script>alert(1)</script>' })));
    expect(hinted.status).toBe(200);
    expect(hinted.html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('ignores a Host or X-Forwarded-Host of the client: every URL it hands out is on the issuer', async () => {
    for (const extra of ['Host: attacker.example.test', 'Host: attacker.example.test\r\nX-Forwarded-Host: attacker.example.test']) {
      const answer = await rawRequest(server().url, `GET /.well-known/openid-configuration HTTP/1.1\r\n${extra}\r\nConnection: close\r\n\r\n`);
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain('attacker.example.test');
      expect(answer.body).toContain(`"authorization_endpoint":"${server().issuer}/auth"`);
    }
    const redirect = await rawRequest(server().url, `GET ${authorizationUrl(server()).pathname}${authorizationUrl(server()).search} HTTP/1.1\r\nHost: attacker.example.test\r\nConnection: close\r\n\r\n`);
    expect(redirect.status).toBe(303);
    expect(redirect.head).not.toContain('attacker.example.test');
  });

  it('refuses control characters in headers at the HTTP parser with 400', async () => {
    for (const header of ['Cookie: _session=a\u0001b', 'Authorization: Bearer a\u0000b', 'X-Forwarded-For: \u0001, 1.2.3.4', 'User-Agent: a\u0007b']) {
      const answer = await rawRequest(server().url, `GET /me HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`);
      expect(answer.status, JSON.stringify(header)).toBe(400);
      expectNoLeak(answer.body);
    }
  });

  it('is still up afterwards, and a person can sign in', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri: spaClient.redirect_uris[0], scope: 'openid', user, consent: 'allow' });
    expect(tokens.claims()?.sub).toBe(user.id);
    expect((await fetch(`${server().issuer}/readyz`)).status).toBe(200);
  });
});
