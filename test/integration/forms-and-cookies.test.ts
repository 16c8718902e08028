// Interaction forms count only with their interaction's cookie, URL and CSRF token; anything else gets a page that
// offers a fresh start. Cookies are HttpOnly and SameSite=Lax, and Secure with __Host-/__Secure- names on https.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, pageKind, requireForm, type Arrival, type Page } from '../support/browser-session.ts';
import { headingOf } from '../support/html-forms.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { authorizationUrl, openLoginPage, pageOf } from '../support/login-attempts.ts';
import type { TestServer } from '../support/test-server.ts';

/** The refusal page: 400, "expired", and a Start over link back to the authorization endpoint. */
function expectRefused(arrival: Arrival): { page: Page; startOver: URL | undefined } {
  const page = pageOf(arrival);
  expect(page.status).toBe(400);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(headingOf(page.html)).toBe('This sign-in has expired');
  const href = /<a class="btn btn-primary" href="([^"]+)">Start over<\/a>/.exec(page.html)?.[1];
  return { page, startOver: href === undefined ? undefined : new URL(href.replaceAll('&amp;', '&'), page.url) };
}

/** A response that is not a redirect, as a page. */
async function asArrival(response: Response, url: URL): Promise<Arrival> {
  return { kind: 'page', page: { url, status: response.status, headers: response.headers, html: await response.text() } };
}

async function signInEvents(server: TestServer, email: string): Promise<number> {
  const [row] = await server.knex('audit_events').count<{ count: string }[]>('* as count').whereLike('event', 'sign_in.%').andWhere({ email });
  return Number(row?.count ?? 0);
}

describe.each(databaseTargets())('interaction forms ($name database)', (target) => {
  const server = useTestServer({ target, clients: [spaClient] });

  it('refuses a login form without its CSRF token, before any password check, and offers a fresh start that works', async () => {
    const user = await createTestUser(server());
    const state = 'state-kept-across-the-fresh-start';
    const browser = new BrowserSession(server().issuer);
    const login = pageOf(await browser.visit(authorizationUrl(server(), { state })));
    const form = requireForm(login, '/login');
    const { csrf: _csrf, ...withoutToken } = form.fields;

    const response = await browser.request(form.action, { form: { ...withoutToken, email: user.email, password: user.password } });
    const refused = expectRefused(await asArrival(response, form.action));

    expect(await signInEvents(server(), user.email)).toBe(0);
    expect(refused.startOver?.pathname).toBe('/auth');
    expect(refused.startOver?.searchParams.get('client_id')).toBe(spaClient.client_id);
    expect(refused.startOver?.searchParams.get('state')).toBe(state);
    const callback = await browser.signIn(refused.startOver ?? '', { email: user.email, password: user.password, consent: 'allow' });
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
  });

  it("refuses a login form carrying another interaction's CSRF token", async () => {
    const user = await createTestUser(server());
    const mine = await openLoginPage(server());
    const theirs = await openLoginPage(server());
    const form = requireForm(mine.page, '/login');

    const refused = expectRefused(await mine.browser.submit({ ...form, fields: { ...form.fields, csrf: requireForm(theirs.page, '/login').fields['csrf'] ?? '' } }, { email: user.email, password: user.password }));

    expect(refused.startOver).toBeDefined();
    expect(await signInEvents(server(), user.email)).toBe(0);
  });

  it('refuses a complete login form posted without the interaction cookie (a cross-site post, another browser)', async () => {
    const user = await createTestUser(server());
    const { page } = await openLoginPage(server());
    const elsewhere = new BrowserSession(server().issuer, { headers: { origin: 'https://attacker.example.test' } });

    const refused = expectRefused(await elsewhere.submit(requireForm(page, '/login'), { email: user.email, password: user.password }));

    expect(refused.startOver?.searchParams.get('client_id')).toBe(spaClient.client_id);
    expect(await signInEvents(server(), user.email)).toBe(0);
  });

  it("refuses a form posted to one interaction's URL with another interaction's cookie and token", async () => {
    const user = await createTestUser(server());
    const first = await openLoginPage(server());
    const second = await openLoginPage(server());
    const firstCookies = first.browser.cookies.headerFor(requireForm(first.page, '/login').action) ?? '';
    const secondForm = requireForm(second.page, '/login');

    const response = await new BrowserSession(server().issuer).request(secondForm.action, {
      form: { ...secondForm.fields, email: user.email, password: user.password },
      headers: { cookie: firstCookies },
    });

    expectRefused(await asArrival(response, secondForm.action));
    expect(await signInEvents(server(), user.email)).toBe(0);
  });

  it('refuses a consent form without its CSRF token, and no code is issued', async () => {
    const user = await createTestUser(server());
    const { browser, page } = await openLoginPage(server());
    const consent = pageOf(await browser.submitLogin(page, user.email, user.password));
    expect(pageKind(consent)).toBe('consent');
    const form = requireForm(consent, '/confirm');

    const refused = expectRefused(await browser.submit({ ...form, fields: { ...form.fields, csrf: 'forged' } }));

    expect(refused.page.html).not.toContain('code=');
    const again = pageOf(await browser.visit(refused.startOver ?? ''));
    expect(pageKind(again)).toBe('consent'); // still signed in: the fresh start asks for the consent again
  });

  it('answers an unknown interaction with the expired page and no fresh start to offer', async () => {
    const refused = expectRefused(await new BrowserSession(server().issuer).visit(`${server().issuer}/interaction/no-such-interaction`));
    expect(refused.startOver).toBeUndefined();
  });

  it('sets its cookies HttpOnly and SameSite=Lax, not Secure on plain http', async () => {
    const user = await createTestUser(server());
    const browser = new BrowserSession(server().issuer);
    const setCookies: string[] = [];
    const request = browser.request.bind(browser);
    browser.request = async (...args) => {
      const response = await request(...args);
      setCookies.push(...response.headers.getSetCookie());
      return response;
    };
    await browser.signIn(authorizationUrl(server()), { email: user.email, password: user.password, consent: 'allow' });

    const names = setCookies.map((cookie) => cookie.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['_interaction', '_interaction_resume', '_session']));
    for (const cookie of setCookies) {
      expect(cookie).toMatch(/; httponly/i);
      expect(cookie).toMatch(/; samesite=lax/i);
      expect(cookie).not.toMatch(/; secure/i);
    }
  });
});

describe.each(databaseTargets())('cookies on an https issuer ($name database)', (target) => {
  const issuer = 'https://id.example.test';
  const server = useTestServer({ target, clients: [spaClient], overrides: { issuer, proxy: true } });

  /** A browser at https://id.example.test; the requests reach the test server through a "proxy" that sets X-Forwarded-*. */
  function httpsBrowser() {
    const jar = new CookieJar();
    const setCookies: { url: URL; header: string }[] = [];
    return {
      setCookies,
      async request(url: URL, form?: Record<string, string>): Promise<Response> {
        const headers = new Headers({ accept: 'text/html', 'x-forwarded-proto': 'https', 'x-forwarded-host': url.host });
        const cookie = jar.headerFor(url);
        if (cookie) headers.set('cookie', cookie);
        if (form) headers.set('content-type', 'application/x-www-form-urlencoded');
        const response = await fetch(new URL(`${url.pathname}${url.search}`, server().url), {
          method: form ? 'POST' : 'GET',
          headers,
          body: form ? new URLSearchParams(form).toString() : undefined,
          redirect: 'manual',
        });
        for (const header of response.headers.getSetCookie()) setCookies.push({ url, header });
        jar.store(url, response.headers.getSetCookie());
        return response;
      },
    };
  }

  it('uses __Host-session and __Secure- interaction cookies, all Secure, HttpOnly and SameSite=Lax, and sends HSTS', async () => {
    const user = await createTestUser(server());
    const browser = httpsBrowser();
    let url = new URL(`${issuer}/auth?${authorizationUrl(server()).searchParams.toString()}`);
    let response = await browser.request(url);
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    for (let hops = 0; response.status === 303 || response.status === 302; hops++) {
      url = new URL(response.headers.get('location') ?? '', url);
      if (url.origin !== issuer || hops > 10) break;
      response = await browser.request(url);
      const html = await response.text();
      if (html.includes('name="password"')) {
        const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
        response = await browser.request(new URL(`${url.pathname}/login`, url), { csrf, email: user.email, password: user.password });
      }
    }

    const byName = new Map(browser.setCookies.map(({ url: setAt, header }) => [header.split('=')[0], { setAt, header }]));
    const session = byName.get('__Host-session')?.header ?? '';
    expect(session).toMatch(/; path=\/(;|$)/i);
    expect(session).not.toMatch(/; domain=/i);
    const interaction = byName.get('__Secure-interaction')?.header ?? '';
    expect(interaction).toMatch(/; path=\/interaction\/[\w-]+(;|$)/i);
    expect(byName.get('__Secure-interaction_resume')?.header).toMatch(/; path=\/auth\/[\w-]+(;|$)/i);
    for (const { header } of browser.setCookies) {
      expect(header).toMatch(/^__(Host|Secure)-/);
      expect(header).toMatch(/; secure/i);
      expect(header).toMatch(/; httponly/i);
      expect(header).toMatch(/; samesite=lax/i);
    }
    expect(byName.has('_session') || byName.has('_interaction')).toBe(false);
  });
});
