// Every hosted page in Chromium, as people meet them: screenshots in light and dark mode (test-results/screenshots/),
// axe-core with no serious or critical violations, a 375 px phone screen, the keyboard alone, a second language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import * as client from 'openid-client';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, type TestUser } from '../support/fixtures.ts';
import type { TestClient } from '../support/test-server.ts';
import { buildAuthorization, discoverClient, exchangeCode } from '../support/relying-party.ts';
import { browserAvailable, launchBrowser } from '../support/real-browser.ts';
import { focusedElement, openAccountPage, openVisitor, signInOnPage, type Visitor } from '../support/browser-visitor.ts';
import { auditPage, horizontalOverflow } from '../support/page-audit.ts';
import { atOrigin, startAppLanding } from '../support/app-landing.ts';

const app = await startAppLanding();
afterAll(() => app.close());

// A client with everything a registration can show: name, logo, home page, privacy policy and terms; its redirect URIs
// move to the landing server's origin.
const photosClient = atOrigin({
  client_id: 'test-photos',
  client_name: 'Photo Album',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost/callback'],
  post_logout_redirect_uris: ['http://localhost/'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email offline_access',
  logo_uri: 'https://photos.example.test/logo.svg',
  client_uri: 'https://photos.example.test/',
  policy_uri: 'https://photos.example.test/privacy',
  tos_uri: 'https://photos.example.test/terms',
} as const satisfies TestClient, app.origin);

const REDIRECT_URI = photosClient.redirect_uris[0]!;
const APP_ORIGIN = app.origin;
const LOGO = {
  'https://photos.example.test/logo.svg': {
    contentType: 'image/svg+xml',
    body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 56 56"><rect width="56" height="56" rx="12" fill="#f59e0b"/><circle cx="28" cy="30" r="11" fill="#fff"/><rect x="18" y="14" width="20" height="8" rx="3" fill="#fff"/></svg>',
  },
};
const BRANDING = {
  ui: {
    product_name: 'Acme ID',
    primary_color: '#0f766e',
    privacy_policy_uri: 'https://acme.example.test/privacy',
    terms_uri: 'https://acme.example.test/terms',
  },
};
const DESKTOP = { viewport: { width: 1024, height: 768 } };
const PHONE = { viewport: { width: 375, height: 740 } };
// Only for the audit: axe is injected as a script, which the pages' own CSP rightly refuses.
const AUDITED = { bypassCSP: true };

// Screenshots and the audit look at the pages, which do not depend on the database: the first target is enough.
const [firstTarget] = databaseTargets();

describe.runIf(browserAvailable() && firstTarget)('hosted pages in a real browser', () => {
  const server = useTestServer({ target: firstTarget!, clients: [photosClient], overrides: BRANDING });
  let browser: Browser;
  let rp: client.Configuration;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    rp = await discoverClient(server(), photosClient);
  });
  afterAll(async () => {
    await Promise.all(visitors.map((visitor) => visitor.close()));
    await browser?.close();
  });

  async function visitor(context: BrowserContextOptions): Promise<Visitor> {
    const opened = await openVisitor(browser, { appOrigin: APP_ORIGIN, files: LOGO, context });
    visitors.push(opened);
    return opened;
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    expect(await auditPage(page, name), `${name}: serious or critical axe violations`).toEqual([]);
  }

  /** Opens an authorization request of the photo app; `extra` adds parameters (prompt, ui_locales, ...). */
  async function startSignIn(page: Page, extra: Record<string, string> = {}) {
    const pending = await buildAuthorization(rp, { redirectUri: REDIRECT_URI, scope: 'openid profile email offline_access', extra: { prompt: 'consent', ...extra } });
    await page.goto(pending.url.href);
    return pending;
  }

  it('sign-in, consent, logout, signed-out and error pages look right in light and dark mode and pass axe', async () => {
    const user = await createTestUser(server(), { name: 'Grace Hopper' });
    const { page, nextArrivalAtApp } = await visitor({ ...DESKTOP, ...AUDITED });

    const pending = await startSignIn(page);
    expect(await page.title()).toBe('Sign in · Acme ID');
    expect(await page.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(BRANDING.ui.privacy_policy_uri);
    await expectAccessible(page, 'login');

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-describedby')).toBe('login-error');
    await expectAccessible(page, 'login-error');

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    const main = page.getByRole('main');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Photo Album wants to use your account');
    expect(await page.evaluate<number>("document.querySelector('main img.app-logo').naturalWidth")).toBeGreaterThan(0); // the logo loaded
    expect(await main.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(photosClient.policy_uri);
    expect(await main.getByRole('link', { name: 'Terms of service' }).getAttribute('href')).toBe(photosClient.tos_uri);
    expect(await main.textContent()).toContain('Your email address and whether it has been verified.');
    expect(await main.textContent()).toContain('Keep this access while you are away');
    await expectAccessible(page, 'consent');

    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await exchangeCode(rp, await nextArrivalAtApp(), pending);

    await page.goto(client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token ?? '' }).href);
    await page.getByRole('button', { name: 'Stay signed in' }).waitFor();
    expect(await main.textContent()).toContain('Photo Album asked to sign you out.');
    await expectAccessible(page, 'logout');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'You have signed out' }).waitFor();
    await expectAccessible(page, 'logged-out');

    const refused = await buildAuthorization(rp, { redirectUri: 'https://attacker.example.test/cb', scope: 'openid' });
    expect((await page.goto(refused.url.href))?.status()).toBe(400);
    await page.getByRole('heading', { name: 'This sign-in link is not set up correctly' }).waitFor();
    await expectAccessible(page, 'error');
  });

  it('the account page, with its sessions, apps, notices and errors, looks right and passes axe', async () => {
    const user = await createTestUser(server(), { name: 'Grace Hopper' });
    const phone = await visitor({ ...PHONE, ...AUDITED, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' });
    await phone.page.goto(`${server().issuer}/account`);
    await phone.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await phone.page.getByRole('main').textContent()).toContain('to manage your Acme ID account');
    await expectAccessible(phone.page, 'login-account-mobile');
    await signInOnPage(phone.page, user);

    const { page, nextArrivalAtApp } = await visitor({ ...DESKTOP, ...AUDITED });
    await startSignIn(page);
    await signInOnPage(page, user);
    await page.getByRole('button', { name: 'Allow' }).click();
    await nextArrivalAtApp();
    await openAccountPage(page, server().issuer, user);
    expect(await page.locator('li.session-item').count()).toBe(2);
    expect(await page.locator('li.app-item').textContent()).toContain('Photo Album');
    await expectAccessible(page, 'account');

    await page.getByLabel('Name', { exact: true }).fill('Grace Brewster Hopper');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').waitFor();
    await expect.poll(() => focusedElement(page)).toBe('notice'); // autofocus, so a screen reader reads it first
    await expectAccessible(page, 'account-saved');

    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('Repeat the new password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    await expect.poll(() => focusedElement(page)).toBe('current-password');
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'account-password-error');

    await phone.page.goto(`${server().issuer}/account`);
    expect(await horizontalOverflow(phone.page)).toBe(0);
    await expectAccessible(phone.page, 'account-mobile');

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You have signed out' }).waitFor();
    await expectAccessible(page, 'account-signed-out');
  });

  it('fits a 375 px wide phone screen: no page scrolls sideways', async () => {
    const user = await createTestUser(server());
    const { page } = await visitor({ ...PHONE, ...AUDITED });
    await startSignIn(page);
    expect(await horizontalOverflow(page)).toBe(0);
    await expectAccessible(page, 'login-mobile');
    await signInOnPage(page, user);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await expectAccessible(page, 'consent-mobile');
    await page.goto(`${server().issuer}/account`);
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it('signs in and consents with the keyboard alone: Tab and Enter, in order, with the focus always visible', async () => {
    const user = await createTestUser(server());
    const { page, nextArrivalAtApp, cspViolations } = await visitor(DESKTOP);
    const pending = await startSignIn(page);

    await expect.poll(() => focusedElement(page)).toBe('email'); // autofocus: no click needed
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    expect(await focusedElement(page)).toBe('password');
    await expectFocusVisible(page);
    await page.keyboard.type(user.password);
    await page.keyboard.press('Tab');
    expect(await focusedElement(page)).toBe('button:Sign in');
    await expectFocusVisible(page);
    await page.keyboard.press('Enter');

    await page.getByRole('button', { name: 'Allow' }).waitFor();
    const order: string[] = [];
    for (let presses = 0; presses < 12 && !order.includes('button:Deny'); presses++) {
      await page.keyboard.press('Tab');
      order.push(await focusedElement(page));
      await expectFocusVisible(page);
    }
    expect(order.indexOf('button:Allow')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('button:Allow')).toBe(order.indexOf('button:Deny') - 1);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedElement(page)).toBe('button:Allow');
    await page.keyboard.press('Enter');

    const tokens = await exchangeCode(rp, await nextArrivalAtApp(), pending);
    expect(tokens.claims()?.sub).toBe(user.id);
    expect(cspViolations).toEqual([]);
  });

  it('speaks the language the app asks for with ui_locales', async () => {
    const user: TestUser = await createTestUser(server());
    const { page, nextArrivalAtApp, cspViolations } = await visitor({ ...DESKTOP, locale: 'en-US' });
    await startSignIn(page, { ui_locales: 'de' });

    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.title()).toBe('Anmelden · Acme ID');
    await page.getByLabel('E-Mail').fill(user.email);
    await page.getByLabel('Passwort').fill(user.password);
    await page.screenshot({ path: 'test-results/screenshots/login-de-light.png', fullPage: true });
    await page.getByRole('button', { name: 'Anmelden' }).click();

    await page.getByRole('button', { name: 'Erlauben' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Photo Album möchte Ihr Konto verwenden');
    expect(await page.getByRole('main').textContent()).toContain('Ihre E-Mail-Adresse sehen');
    await page.screenshot({ path: 'test-results/screenshots/consent-de-light.png', fullPage: true });
    await page.getByRole('button', { name: 'Erlauben' }).click();
    expect((await nextArrivalAtApp()).searchParams.get('code')).toBeTruthy();
    expect(cspViolations).toEqual([]);
  });
});

/** The focused element draws an outline of at least 2px (the pages' :focus-visible ring). */
async function expectFocusVisible(page: Page): Promise<void> {
  const ring = await page.evaluate<{ style: string; width: number }>(`(() => {
    const element = document.activeElement;
    if (!element) return { style: 'none', width: 0 };
    const style = getComputedStyle(element);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  })()`);
  expect(ring.style).not.toBe('none');
  expect(ring.width).toBeGreaterThanOrEqual(2);
}
