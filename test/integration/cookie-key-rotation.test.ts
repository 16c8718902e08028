// Cookie-signing keys rotate with the signing keys: the newest signs, older ones still verify, so a Latchkey session
// and a sign-in form that were signed before a rotation keep working after it.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealed, toKeyEncryptionKey } from '../../src/keys/key-encryption.ts';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient } from '../support/relying-party.ts';
import { waitFor } from '../support/jwks.ts';
import type { TestServer } from '../support/test-server.ts';

const redirectUri = spaClient.redirect_uris[0];

/** Which stored cookie key signed the cookie `name` this browser holds for `url` (keygrip's HMAC-SHA1 of name=value). */
async function cookieSignedBy(server: TestServer, browser: BrowserSession, url: URL, name: string): Promise<string | undefined> {
  const sent = new Map((browser.cookies.headerFor(url) ?? '').split('; ').map((pair) => pair.split('=', 2) as [string, string]));
  const [value, signature] = [sent.get(name), sent.get(`${name}.sig`)];
  if (value === undefined || signature === undefined) throw new Error(`the browser holds no signed ${name} cookie for ${url.pathname}`);
  const kek = toKeyEncryptionKey(Buffer.from(server.config.signing.keyEncryptionKey ?? '', 'base64'));
  const rows = await server.knex('cookie_keys').whereNotNull('sealed_secret').select('kid', 'sealed_secret');
  return rows.find((row: { kid: string; sealed_secret: string }) => {
    const secret = openSealed([kek], row.sealed_secret, `cookie-key:${row.kid}`);
    const expected = createHmac('sha1', secret).update(`${name}=${value}`).digest('base64url');
    return expected === signature;
  })?.kid as string | undefined;
}

describe.each(databaseTargets())('cookie key rotation ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [spaClient],
    overrides: { signing: { algorithms: ['RS256'], rotation_interval: '10s', publish_lead_time: '5s', jwks_max_age: '5s' } },
  });

  it('a session and a sign-in form signed with the previous cookie key still work after the rotation', { timeout: 90_000 }, async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const authUrl = new URL(`${server().issuer}/auth`);

    // Browser A signs in; browser B stops at the sign-in form.
    const signedIn = new BrowserSession(server().issuer);
    await signedIn.signIn((await buildAuthorization(config, { redirectUri, scope: 'openid email' })).url, { email: user.email, password: user.password, consent: 'allow' });
    const sessionKey = await cookieSignedBy(server(), signedIn, authUrl, '_session');
    const waiting = new BrowserSession(server().issuer);
    const login = await waiting.visit((await buildAuthorization(config, { redirectUri, scope: 'openid email' })).url);
    if (login.kind !== 'page' || pageKind(login.page) !== 'login') throw new Error('expected the sign-in page');
    expect(sessionKey).toEqual(expect.any(String));

    // Until a fresh browser's cookies are signed with another key: the server has switched.
    await waitFor('cookies signed with the next cookie key', async () => {
      const fresh = new BrowserSession(server().issuer);
      const arrival = await fresh.visit((await buildAuthorization(config, { redirectUri, scope: 'openid email' })).url);
      if (arrival.kind !== 'page') throw new Error('expected the sign-in page');
      const key = await cookieSignedBy(server(), fresh, arrival.page.url, '_interaction');
      return key !== sessionKey ? key : undefined;
    }, 60_000);

    // The form rendered before the rotation (its CSRF token and interaction cookie) still goes through (back to the
    // client: browser A's consent is remembered)...
    const afterLogin = await waiting.submitLogin(login.page, user.email, user.password);
    expect(afterLogin.kind === 'left' ? afterLogin.location.searchParams.get('code') : pageKind(afterLogin.page)).toEqual(expect.any(String));
    expect(afterLogin.kind).toBe('left');
    // ...and the session from before the rotation still signs the person in without asking again.
    const again = await signedIn.visit((await buildAuthorization(config, { redirectUri, scope: 'openid email' })).url);
    expect(again.kind).toBe('left');
    if (again.kind === 'left') expect(again.location.searchParams.get('code')).toEqual(expect.any(String));
  });
});
