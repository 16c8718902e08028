// A person signs in through the real hosted pages in Chromium; openid-client is the relying party.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import * as client from 'openid-client';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient, type TestUser } from '../support/fixtures.ts';
import { buildAuthorization, discoverClient, exchangeCode } from '../support/relying-party.ts';
import { browserAvailable, launchBrowser } from '../support/real-browser.ts';
import { openVisitor } from '../support/browser-visitor.ts';
import { atOrigin, startAppLanding } from '../support/app-landing.ts';

const app = await startAppLanding();
afterAll(() => app.close());
const appClient = atOrigin(spaClient, app.origin);
const REDIRECT_URI = appClient.redirect_uris[0]!;

describe.runIf(browserAvailable()).each(databaseTargets())('sign-in in a real browser ($name)', (target) => {
  const server = useTestServer({ target, clients: [appClient] });
  let browser: Browser;
  let rp: client.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    browser = await launchBrowser();
    rp = await discoverClient(server(), appClient);
    user = await createTestUser(server(), { name: 'Grace Hopper' });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs in with labelled fields, shows one message for a wrong password, asks consent, and returns a code', async () => {
    const { page, cspViolations, nextArrivalAtApp, close } = await openVisitor(browser, { appOrigin: app.origin });
    const pending = await buildAuthorization(rp, { redirectUri: REDIRECT_URI, scope: 'openid profile email' });
    const response = await page.goto(pending.url.href);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('email or password is not right');

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await page.textContent('body')).toContain('Test SPA');
    await page.getByRole('button', { name: 'Allow' }).click();

    const tokens = await exchangeCode(rp, await nextArrivalAtApp(), pending);
    expect(tokens.claims()?.sub).toBe(user.id);
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ email: user.email, name: 'Grace Hopper' });
    expect(cspViolations).toEqual([]);
    await close();
  });

  it('returns access_denied to the client when the person denies consent', async () => {
    const newcomer = await createTestUser(server());
    const { page, nextArrivalAtApp, close } = await openVisitor(browser, { appOrigin: app.origin });
    const pending = await buildAuthorization(rp, { redirectUri: REDIRECT_URI, scope: 'openid email' });
    await page.goto(pending.url.href);
    await page.getByLabel('Email').fill(newcomer.email);
    await page.getByLabel('Password').fill(newcomer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    const returned = await nextArrivalAtApp();
    expect(returned.searchParams.get('error')).toBe('access_denied');
    expect(returned.searchParams.get('state')).toBe(pending.state);
    await close();
  });
});
