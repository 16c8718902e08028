// response_mode=form_post in a real browser under the strict CSP: the response page's one inline script is allowed by
// its hash and its form may post to the client's redirect_uri, so the code arrives; nothing else may run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { authorizationUrl } from '../support/login-attempts.ts';
import { browserAvailable, launchBrowser } from '../support/real-browser.ts';
import { atOrigin, startAppLanding } from '../support/app-landing.ts';
import { openVisitor } from '../support/browser-visitor.ts';

const app = await startAppLanding();
afterAll(() => app.close());
const appClient = atOrigin(spaClient, app.origin);

describe.runIf(browserAvailable()).each(databaseTargets())('form_post response mode in a real browser ($name)', (target) => {
  const server = useTestServer({ target, clients: [appClient] });
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('posts the code and state to the redirect_uri, with no CSP violation', async () => {
    const user = await createTestUser(server());
    const { page, cspViolations, nextRequestToApp, close } = await openVisitor(browser, { appOrigin: app.origin });
    await page.goto(authorizationUrl(server(), { redirect_uri: appClient.redirect_uris[0] ?? '', response_mode: 'form_post', state: 'form-post-state' }).href);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();

    const posted = await nextRequestToApp();
    const body = new URLSearchParams(posted.postData() ?? '');
    expect(posted.method()).toBe('POST');
    expect(body.get('state')).toBe('form-post-state');
    expect(body.get('code')).toEqual(expect.any(String));
    expect(cspViolations).toEqual([]);
    await close();
  });
});
