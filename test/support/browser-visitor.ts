// A person in Chromium: one browser context (its own cookies), its page, and what reached the application.
import type { Browser, BrowserContext, BrowserContextOptions, Page, Request } from 'playwright-core';
import type { TestUser } from './fixtures.ts';

/** One browser profile on the hosted pages, and its arrivals at the application's origin (an AppLanding). */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Console messages about Content-Security-Policy violations; a page that keeps to its CSP has none. */
  cspViolations: string[];
  /** The next navigation to the application (a redirect_uri, a form_post, a logout target), once its page loaded. */
  nextRequestToApp(): Promise<Request>;
  /** The URL of nextRequestToApp(). */
  nextArrivalAtApp(): Promise<URL>;
  close(): Promise<void>;
}

/** Files the pages may load from other origins in a test (e.g. a client's logo), as the network would serve them. */
export type StubbedFiles = Record<string, { contentType: string; body: string }>;

export async function openVisitor(
  browser: Browser,
  options: { appOrigin: string; files?: StubbedFiles; context?: BrowserContextOptions },
): Promise<Visitor> {
  const context = await browser.newContext(options.context);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  const arrivals: Request[] = [];
  const waiting: ((request: Request) => void)[] = [];
  // The app's origin is a real server (test/support/app-landing.ts): Playwright does not route a request that a redirect
  // made (microsoft/playwright#33882), so the redirect to a redirect_uri goes to the network. This context's arrivals
  // there are read from its request events, which every navigation raises, redirected or not.
  context.on('request', (request) => {
    if (!request.isNavigationRequest() || new URL(request.url()).origin !== options.appOrigin) return;
    const waiter = waiting.shift();
    if (waiter) waiter(request);
    else arrivals.push(request);
  });
  for (const [url, file] of Object.entries(options.files ?? {})) {
    await context.route(url, (route) => route.fulfill({ status: 200, contentType: file.contentType, body: file.body }));
  }
  async function nextRequestToApp(): Promise<Request> {
    const arrived = arrivals.shift() ?? (await new Promise<Request>((resolve) => waiting.push(resolve)));
    // Let the navigation to the app finish, so the next page.goto does not interrupt it.
    await page.waitForURL((url) => url.origin === options.appOrigin);
    return arrived;
  }
  return {
    context,
    page,
    cspViolations,
    nextRequestToApp,
    nextArrivalAtApp: async () => new URL((await nextRequestToApp()).url()),
    close: () => context.close(),
  };
}

/** Fills the English sign-in form by its labels and submits it. */
export async function signInOnPage(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens /account and signs in there when asked; resolves on the account page. */
export async function openAccountPage(page: Page, issuer: string, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.goto(`${issuer}/account`);
  if (await page.getByRole('button', { name: 'Sign in' }).isVisible()) await signInOnPage(page, user);
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
}

/** The id of the focused element, or its tag and text when it has none. */
export function focusedElement(page: Page): Promise<string> {
  // A string: it runs in the page, whose DOM types this Node project does not compile against.
  return page.evaluate<string>(`(() => {
    const element = document.activeElement;
    if (!element) return '';
    return element.id || element.tagName.toLowerCase() + ':' + (element.textContent || '').trim();
  })()`);
}
