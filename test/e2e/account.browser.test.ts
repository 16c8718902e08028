// The account page in Chromium: sessions seen and ended across two browsers, a connected app removed, sign out everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import * as client from 'openid-client';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { buildAuthorization, discoverClient, exchangeCode, oauthErrorOf } from '../support/relying-party.ts';
import { browserAvailable, launchBrowser } from '../support/real-browser.ts';
import { openAccountPage, openVisitor, signInOnPage, type Visitor } from '../support/browser-visitor.ts';
import { atOrigin, startAppLanding } from '../support/app-landing.ts';

const app = await startAppLanding();
afterAll(() => app.close());
const appClient = atOrigin(spaClient, app.origin);
const REDIRECT_URI = appClient.redirect_uris[0]!;
const APP_ORIGIN = app.origin;
const IPHONE = {
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
};

describe.runIf(browserAvailable()).each(databaseTargets())('the account page in a real browser ($name)', (target) => {
  const server = useTestServer({ target, clients: [appClient] });
  let browser: Browser;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await Promise.all(visitors.map((visitor) => visitor.close()));
    await browser?.close();
  });

  async function visitor(context: Parameters<typeof openVisitor>[1]['context'] = {}): Promise<Visitor> {
    const opened = await openVisitor(browser, { appOrigin: APP_ORIGIN, context });
    visitors.push(opened);
    return opened;
  }

  it('shows the sessions of two browsers; one signs the other out, which has to sign in again', async () => {
    const user = await createTestUser(server());
    const laptop = await visitor();
    const phone = await visitor(IPHONE);
    await openAccountPage(phone.page, server().issuer, user);
    await openAccountPage(laptop.page, server().issuer, user);

    const sessions = laptop.page.locator('li.session-item');
    await expect.poll(() => sessions.count()).toBe(2);
    const current = laptop.page.locator('li.session-item.is-current');
    expect(await current.textContent()).toContain('This device');
    expect(await current.textContent()).toContain('Chrome on Linux');
    const other = laptop.page.locator('li.session-item:not(.is-current)');
    expect(await other.textContent()).toContain('Safari on iPhone');
    expect(await other.textContent()).toContain('127.0.0.1');

    await laptop.page.getByRole('button', { name: 'Sign out of Safari on iPhone' }).click();
    await expect.poll(() => laptop.page.getByRole('status').textContent()).toContain('That browser has been signed out');
    await expect.poll(() => sessions.count()).toBe(1);

    await phone.page.reload();
    await phone.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signInOnPage(phone.page, user);
    await phone.page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    expect([...laptop.cspViolations, ...phone.cspViolations]).toEqual([]);
  });

  it('removing a connected app revokes its refresh token', async () => {
    const user = await createTestUser(server());
    const rp = await discoverClient(server(), appClient);
    const person = await visitor();
    const pending = await buildAuthorization(rp, {
      redirectUri: REDIRECT_URI,
      scope: 'openid email offline_access',
      extra: { prompt: 'consent' }, // OpenID Connect Core §11: offline_access needs it
    });
    await person.page.goto(pending.url.href);
    await signInOnPage(person.page, user);
    await person.page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await exchangeCode(rp, await person.nextArrivalAtApp(), pending);
    if (!tokens.refresh_token) throw new Error('no refresh token was issued');

    await openAccountPage(person.page, server().issuer, user); // no password: the session is already there
    const app = person.page.locator('li.app-item');
    expect(await app.textContent()).toContain('Test SPA');
    expect(await app.textContent()).toContain('See your email address');
    expect(await app.textContent()).toContain('Stay connected');
    await person.page.getByRole('button', { name: 'Remove access for Test SPA' }).click();
    await expect.poll(() => person.page.getByRole('status').textContent()).toContain('no longer has access');
    expect(await app.count()).toBe(0);

    expect(await oauthErrorOf(client.refreshTokenGrant(rp, tokens.refresh_token))).toMatchObject({ error: 'invalid_grant' });
  });

  it('signs out everywhere: every browser has to sign in again', async () => {
    const user = await createTestUser(server());
    const laptop = await visitor();
    const phone = await visitor(IPHONE);
    await openAccountPage(phone.page, server().issuer, user);
    await openAccountPage(laptop.page, server().issuer, user);

    await laptop.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await laptop.page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
    expect(new URL(laptop.page.url()).pathname).toBe('/account/signed-out');

    for (const { page } of [laptop, phone]) {
      await page.goto(`${server().issuer}/account`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    }
  });
});
