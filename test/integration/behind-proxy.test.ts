// Behind a load balancer that terminates TLS: with `proxy: true` Latchkey trusts X-Forwarded-Proto/-Host, so the https
// issuer's cookies are Secure and its URLs public; with `proxy: false` (directly exposed) those headers are ignored.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { spaClient } from '../support/fixtures.ts';
import type { TestServer } from '../support/test-server.ts';

const PUBLIC_ISSUER = 'https://id.example.test';
const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.test', 'x-forwarded-for': '203.0.113.7' };

/** Where the test server listens (its issuer is the public URL here). */
const listenUrl = (server: TestServer) => `http://127.0.0.1:${server.config.port}`;

function authorizationPath(): string {
  const params = new URLSearchParams({
    client_id: spaClient.client_id,
    redirect_uri: spaClient.redirect_uris[0],
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return `/auth?${params.toString()}`;
}

describe.each(databaseTargets())('behind a TLS-terminating proxy ($name database)', (target) => {
  const trusting = useTestServer({ target, clients: [spaClient], overrides: { issuer: PUBLIC_ISSUER, proxy: true } });

  it('uses the public https URL and sets Secure cookies when the proxy says the request came over https', async () => {
    const discovery = (await (await fetch(`${listenUrl(trusting())}/.well-known/openid-configuration`, { headers: forwarded })).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: PUBLIC_ISSUER, authorization_endpoint: `${PUBLIC_ISSUER}/auth`, backchannel_logout_supported: true });

    const response = await fetch(`${listenUrl(trusting())}${authorizationPath()}`, { headers: forwarded, redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\/[\w-]+$/);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).toContain('; secure');
  });

  const direct = useTestServer({ target, clients: [spaClient], overrides: { issuer: PUBLIC_ISSUER, proxy: false } });

  it('ignores X-Forwarded-* when not told to trust a proxy, and refuses plain http for an https issuer with a 403', async () => {
    for (const accept of ['text/html', 'application/json']) {
      const response = await fetch(`${listenUrl(direct())}${authorizationPath()}`, { headers: { ...forwarded, accept }, redirect: 'manual' });
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toContain('works only over https');
    }
    expect((await fetch(`${listenUrl(direct())}/readyz`)).status).toBe(200); // load balancers probe instances over http
  });
});
