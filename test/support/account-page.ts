// The account page (/account) driven over HTTP by a BrowserSession: sign in through the hosted login, read its lists,
// submit its forms.
import { BrowserSession, loginErrorOf, pageKind, type Arrival, type Page } from './browser-session.ts';
import { findForms, type HtmlForm } from './html-forms.ts';
import type { TestUser } from './fixtures.ts';

/** Opens /account; signs in on the login page when it appears; returns the account page. */
export async function signInToAccount(browser: BrowserSession, issuer: string, user: Pick<TestUser, 'email' | 'password'>): Promise<Page> {
  let arrival = await browser.visit(`${issuer}/account`);
  const first = requirePage(arrival, 'opening /account');
  if (pageKind(first) === 'login') {
    arrival = await browser.submitLogin(first, user.email, user.password);
  }
  const page = requirePage(arrival, 'signing in to /account');
  if (pageKind(page) === 'login') throw new Error(`sign-in failed: ${loginErrorOf(page) ?? 'no message'}`);
  if (page.url.pathname !== '/account' || page.status !== 200) throw new Error(`expected the account page, got ${page.status} ${page.url.pathname}`);
  return page;
}

/** The page an arrival stopped at; throws when it left the identity provider. */
export function requirePage(arrival: Arrival, doing: string): Page {
  if (arrival.kind !== 'page') throw new Error(`${doing} left for ${arrival.location.href}`);
  return arrival.page;
}

/** The forms of the account page posting to `path` (e.g. /account/sessions/end), one per listed item. */
export function accountForms(page: Page, path: string): HtmlForm[] {
  return findForms(page.html, page.url).filter((form) => form.action.pathname === path);
}

/** The one form posting to `path`, or the one among several whose hidden `field` has `value`. */
export function accountForm(page: Page, path: string, match?: { field: string; value: string }): HtmlForm {
  const forms = accountForms(page, path).filter((form) => !match || form.fields[match.field] === match.value);
  const [form] = forms;
  if (!form || forms.length > 1) throw new Error(`expected one form posting to ${path}${match ? ` with ${match.field}=${match.value}` : ''}, found ${forms.length}`);
  return form;
}

/** The session uids listed on the account page, in page order. */
export function listedSessionUids(page: Page): string[] {
  return accountForms(page, '/account/sessions/end').map((form) => form.fields['session'] ?? '');
}

/** The client ids listed under connected apps. */
export function listedAppIds(page: Page): string[] {
  return accountForms(page, '/account/apps/remove').map((form) => form.fields['client_id'] ?? '');
}

/** Whether opening /account in this browser asks to sign in (the login page) instead of showing the account. */
export async function accountAsksToSignIn(browser: BrowserSession, issuer: string): Promise<boolean> {
  const page = requirePage(await browser.visit(`${issuer}/account`), 'opening /account');
  return pageKind(page) === 'login';
}
