// The account page over HTTP: its sign-in as a first-party client, its cookie, its forms and what they change.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { apiResource, basicWebClient, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind } from '../support/browser-session.ts';
import { findFormByAction, textOfElementById } from '../support/html-forms.ts';
import { buildAuthorization, discoverClient, oauthErrorOf, signInWithCode } from '../support/relying-party.ts';
import {
  accountAsksToSignIn,
  accountForm,
  listedAppIds,
  listedSessionUids,
  requirePage,
  signInToAccount,
} from '../support/account-page.ts';

const redirectUri = spaClient.redirect_uris[0];
const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe.each(databaseTargets())('account page ($name database)', (target) => {
  const server = useTestServer({ target, clients: [spaClient, basicWebClient], resources: [apiResource] });
  const issuer = () => server().issuer;
  const browser = (userAgent = CHROME_ON_LINUX) => new BrowserSession(issuer(), { headers: { 'user-agent': userAgent } });

  it('signs in through the hosted login as the first-party client latchkey-account, without a consent page', async () => {
    const user = await createTestUser(server(), { name: 'Ada Lovelace' });
    const visitor = browser();

    const root = await visitor.request(`${issuer()}/`);
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/account');

    const start = await visitor.request(`${issuer()}/account`);
    expect(start.status).toBe(303);
    const authorization = new URL(start.headers.get('location') ?? '');
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${issuer()}/auth`);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: 'latchkey-account',
      redirect_uri: `${issuer()}/account/callback`,
      response_type: 'code',
      scope: 'openid',
      code_challenge_method: 'S256',
    });
    expect(cookieAttributes(start, 'latchkey_account_signin')).toMatchObject({ httponly: true, samesite: 'lax', path: '/account' });

    const login = requirePage(await visitor.visit(authorization), 'opening the authorization URL');
    expect(pageKind(login)).toBe('login');
    // The callback is followed by hand, to read the Set-Cookie of the account page's own session cookie.
    const loginForm = findFormByAction(login.html, login.url, '/login');
    if (!loginForm) throw new Error('no login form');
    let response = await visitor.request(loginForm.action, { form: { ...loginForm.fields, email: user.email, password: user.password } });
    while (!new URL(response.headers.get('location') ?? '/', issuer()).pathname.startsWith('/account/callback')) {
      expect(response.status).toBeGreaterThanOrEqual(300);
      response = await visitor.request(new URL(response.headers.get('location') ?? '', issuer()));
    }
    const callback = await visitor.request(new URL(response.headers.get('location') ?? '', issuer()));
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/account');
    expect(cookieAttributes(callback, 'latchkey_account')).toMatchObject({ httponly: true, samesite: 'lax', path: '/account' });
    expect(cookieAttributes(callback, 'latchkey_account')?.secure).toBeUndefined(); // the test issuer is http

    const account = await visitor.request(`${issuer()}/account`);
    expect(account.status).toBe(200);
    expect(account.headers.get('cache-control')).toBe('no-store');
    expect(account.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await account.text();
    expect(html).toContain(user.email);
    expect(html).toContain('value="Ada Lovelace"');
  });

  it('lists each signed-in browser with its device, IP and activity, and signs another one out', async () => {
    const user = await createTestUser(server());
    const laptop = browser(CHROME_ON_LINUX);
    const phone = browser(SAFARI_ON_IPHONE);
    await signInToAccount(phone, issuer(), user);
    const page = await signInToAccount(laptop, issuer(), user);

    const uids = listedSessionUids(page);
    expect(uids).toHaveLength(2);
    expect(page.html).toContain('Chrome on Linux');
    expect(page.html).toContain('Safari on iPhone');
    expect(page.html).toContain('127.0.0.1');
    expect(page.html).toContain('This device');
    const phoneUid = uids[1] ?? ''; // this device is listed first

    const ended = requirePage(await laptop.submit(accountForm(page, '/account/sessions/end', { field: 'session', value: phoneUid })), 'signing the phone out');
    expect(ended.url.pathname).toBe('/account');
    expect(textOfElementById(ended.html, 'notice')).toContain('That browser has been signed out');
    expect(listedSessionUids(ended)).toEqual([uids[0]]);
    expect(await accountAsksToSignIn(phone, issuer())).toBe(true);
    expect(await accountAsksToSignIn(laptop, issuer())).toBe(false);
  });

  it('records where another app signed in, and which apps used each session', async () => {
    const user = await createTestUser(server());
    const visitor = browser(FIREFOX_ON_WINDOWS);
    const config = await discoverClient(server(), spaClient);
    await signInWithCode(config, visitor, { redirectUri, scope: 'openid email', user, consent: 'allow' });

    // Already signed in at Latchkey: the account page needs no password.
    const page = requirePage(await visitor.visit(`${issuer()}/account`), 'opening /account');
    expect(page.url.pathname).toBe('/account');
    expect(page.html).toContain('Firefox on Windows');
    expect(page.html).toMatch(/Used for<\/dt><dd>Test SPA</);
  });

  it('refuses forms without the CSRF token of this sign-in, and a session uid of another account ends nothing', async () => {
    const user = await createTestUser(server(), { name: 'Before' });
    const other = await createTestUser(server());
    const visitor = browser();
    const otherVisitor = browser(SAFARI_ON_IPHONE);
    const page = await signInToAccount(visitor, issuer(), user);
    const otherPage = await signInToAccount(otherVisitor, issuer(), other);
    const profile = accountForm(page, '/account/profile');

    const without = await visitor.request(profile.action, { form: { name: 'After' } });
    expect(without.status).toBe(403);
    expect(await without.text()).toContain('This page has expired');
    const othersToken = accountForm(otherPage, '/account/profile').fields['csrf'] ?? '';
    expect((await visitor.request(profile.action, { form: { csrf: othersToken, name: 'After' } })).status).toBe(403);
    expect((await server().accounts.findAccountById(user.id))?.name).toBe('Before');

    const otherUid = listedSessionUids(otherPage)[0] ?? '';
    const end = accountForm(page, '/account/sessions/end');
    const attempt = await visitor.request(end.action, { form: { ...end.fields, session: otherUid } });
    expect(attempt.status).toBe(303);
    expect(await accountAsksToSignIn(otherVisitor, issuer())).toBe(false);
  });

  it('saves the name, and shows a message at the field for one that is too long', async () => {
    const user = await createTestUser(server(), { name: 'Old Name' });
    const visitor = browser();
    const page = await signInToAccount(visitor, issuer(), user);

    const saved = requirePage(await visitor.submit(accountForm(page, '/account/profile'), { name: '  Grace Hopper ' }), 'saving the name');
    expect(textOfElementById(saved.html, 'notice')).toBe('Your name has been saved.');
    expect(saved.html).toContain('value="Grace Hopper"');
    expect((await server().accounts.findAccountById(user.id))?.name).toBe('Grace Hopper');

    const refused = requirePage(await visitor.submit(accountForm(saved, '/account/profile'), { name: 'x'.repeat(201) }), 'saving a long name');
    expect(refused.status).toBe(422);
    expect(textOfElementById(refused.html, 'name-error')).toBe('Use at most 200 characters.');
    expect(refused.html).toMatch(/id="name"[^>]*aria-invalid="true"/);
    expect((await server().accounts.findAccountById(user.id))?.name).toBe('Grace Hopper');
  });

  it('changes the password only with the right current one, and signs out every other session but this one', async () => {
    const user = await createTestUser(server());
    const laptop = browser();
    const phone = browser(SAFARI_ON_IPHONE);
    await signInToAccount(phone, issuer(), user);
    const page = await signInToAccount(laptop, issuer(), user);
    const form = () => accountForm(page, '/account/password');
    const attempt = async (fields: Record<string, string>) => requirePage(await laptop.submit(form(), fields), 'changing the password');
    const newPassword = 'a new and long passphrase';

    const wrong = await attempt({ current_password: 'not it', new_password: newPassword, confirm_password: newPassword });
    expect(wrong.status).toBe(422);
    expect(textOfElementById(wrong.html, 'current-password-error')).toBe('Your password was not changed. The current password is not right.');
    const short = await attempt({ current_password: user.password, new_password: 'short', confirm_password: 'short' });
    expect(textOfElementById(short.html, 'new-password-error')).toContain('Use at least 8 characters.');
    const mismatch = await attempt({ current_password: user.password, new_password: newPassword, confirm_password: `${newPassword}!` });
    expect(textOfElementById(mismatch.html, 'confirm-password-error')).toContain('The two new passwords are not the same.');
    expect(await accountAsksToSignIn(phone, issuer())).toBe(false);
    expect(await server().accounts.authenticate(user.email, user.password)).toBeDefined();

    const changed = await attempt({ current_password: user.password, new_password: newPassword, confirm_password: newPassword });
    expect(changed.url.pathname).toBe('/account');
    expect(textOfElementById(changed.html, 'notice')).toContain('Your password has been changed');
    expect(listedSessionUids(changed)).toHaveLength(1);
    expect(await accountAsksToSignIn(phone, issuer())).toBe(true);
    expect(await accountAsksToSignIn(laptop, issuer())).toBe(false);
    expect(await server().accounts.authenticate(user.email, user.password)).toBeUndefined();
    expect(await server().accounts.authenticate(user.email, newPassword)).toBeDefined();
  });

  it('lists connected apps with what they may do; removing access revokes the refresh token and asks for consent again', async () => {
    const user = await createTestUser(server());
    const visitor = browser();
    const config = await discoverClient(server(), spaClient);
    // OpenID Connect Core §11: offline_access is honoured only with prompt=consent.
    const tokens = await signInWithCode(config, visitor, {
      redirectUri,
      scope: 'openid profile offline_access',
      user,
      consent: 'allow',
      extra: { prompt: 'consent' },
    });
    if (!tokens.refresh_token) throw new Error('no refresh token');
    const refreshToken = (await client.refreshTokenGrant(config, tokens.refresh_token)).refresh_token ?? ''; // it works, and rotates

    const page = await signInToAccount(visitor, issuer(), user);
    expect(listedAppIds(page)).toEqual(['test-spa']); // the account page itself is not an "app"
    expect(page.html).toContain('Test SPA');
    expect(page.html).toContain('See your name');
    expect(page.html).toContain('Stay connected');

    const removed = requirePage(await visitor.submit(accountForm(page, '/account/apps/remove')), 'removing the app');
    expect(textOfElementById(removed.html, 'notice')).toBe('The app no longer has access to your account.');
    expect(listedAppIds(removed)).toEqual([]);
    expect(removed.html).toContain('No apps can use your account.');

    expect(await oauthErrorOf(client.refreshTokenGrant(config, refreshToken))).toMatchObject({ error: 'invalid_grant' });
    const again = requirePage(await visitor.visit((await buildAuthorization(config, { redirectUri, scope: 'openid profile' })).url), 'signing in again');
    expect(pageKind(again)).toBe('consent');
  });

  it('signs out everywhere, this browser too', async () => {
    const user = await createTestUser(server());
    const laptop = browser();
    const phone = browser(SAFARI_ON_IPHONE);
    await signInToAccount(phone, issuer(), user);
    const page = await signInToAccount(laptop, issuer(), user);

    const signedOut = requirePage(await laptop.submit(accountForm(page, '/account/sessions/end-all')), 'signing out everywhere');
    expect(signedOut.url.pathname).toBe('/account/signed-out');
    expect(signedOut.html).toContain('You have signed out');
    expect(signedOut.html).toContain('href="/account"');
    expect(await accountAsksToSignIn(laptop, issuer())).toBe(true);
    expect(await accountAsksToSignIn(phone, issuer())).toBe(true);
    const rows = await server().knex('oidc_payloads').where({ model: 'Session', account_id: user.id });
    expect(rows).toEqual([]);
  });

  it('a tampered cookie means signing in again; a callback without its sign-in is a 400 page with a way to start over', async () => {
    const user = await createTestUser(server());
    const visitor = browser();
    await signInToAccount(visitor, issuer(), user);
    const cookieUrl = new URL(`${issuer()}/account`);
    const signed = /latchkey_account=([^;]+)/.exec(visitor.cookies.headerFor(cookieUrl) ?? '')?.[1] ?? '';
    const [body = '', signature = ''] = signed.split('.');
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, string>;
    forged['sub'] = 'someone-else';
    visitor.cookies.store(cookieUrl, [`latchkey_account=${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}; Path=/account`]);
    expect((await visitor.request(`${issuer()}/account`)).status).toBe(303); // to the authorization endpoint

    const stray = await browser().request(`${issuer()}/account/callback?code=abc&state=def`);
    expect(stray.status).toBe(400);
    const html = await stray.text();
    expect(html).toContain('Signing in to your account did not finish');
    expect(html).toContain('href="/account"');

    const started = await visitor.request(`${issuer()}/account`);
    const state = new URL(started.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const denied = await visitor.request(`${issuer()}/account/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer())}`);
    expect(denied.status).toBe(400);
  });
});

/** The attributes of a Set-Cookie for `name` (lower-cased names; flags are `true`), or undefined when not set. */
function cookieAttributes(response: Response, name: string): Record<string, string | true> | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  if (!header) return undefined;
  return Object.fromEntries(
    header.split(';').slice(1).map((part) => {
      const [key = '', ...value] = part.trim().split('=');
      return [key.toLowerCase(), value.length ? value.join('=').toLowerCase() : true];
    }),
  );
}
