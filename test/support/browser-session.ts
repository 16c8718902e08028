// A browser without a screen: plain HTTP with a cookie jar that follows Latchkey's hosted pages the way a browser would
// (manual redirects, form posts), and stops when it is sent off to an application (a redirect_uri or a logout target).
import { CookieJar } from './cookie-jar.ts';
import { findFormByAction, textOfElementById, headingOf, type HtmlForm } from './html-forms.ts';

/** A page the browser stopped at on the identity provider. */
export interface Page {
  url: URL;
  status: number;
  headers: Headers;
  html: string;
}

/** Where following a link or a form ended: a page of the identity provider, or a redirect to somewhere else. */
export type Arrival = { kind: 'page'; page: Page } | { kind: 'left'; location: URL };

export interface SignInOptions {
  email: string;
  password: string;
  /** allow / deny: the consent page must appear and gets that answer; expect-none: it must not appear. */
  consent: 'allow' | 'deny' | 'expect-none';
}

const MAX_REDIRECTS = 20;
const MAX_PAGES = 6;

/** One browser profile (its own cookies) talking to the identity provider at `issuer`. */
export class BrowserSession {
  readonly cookies = new CookieJar();
  readonly #origin: string;
  readonly #headers: Record<string, string>;

  /** `headers` go with every request: a User-Agent or Accept-Language of this browser, or X-Forwarded-For to appear to come from another address behind a proxy. */
  constructor(issuer: string, options: { headers?: Record<string, string> } = {}) {
    this.#origin = new URL(issuer).origin;
    this.#headers = options.headers ?? {};
  }

  /** One request with this browser's cookies, redirects not followed; Set-Cookie goes into the jar. */
  async request(url: URL | string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers({ accept: 'text/html,application/xhtml+xml', ...this.#headers, ...init.headers });
    const cookie = this.cookies.headerFor(target);
    if (cookie) headers.set('cookie', cookie);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.cookies.store(target, response.headers.getSetCookie());
    return response;
  }

  /** Opens `url` and follows redirects while they stay on the identity provider. */
  async visit(url: URL | string): Promise<Arrival> {
    return this.#follow(await this.request(url), new URL(url));
  }

  /** Submits a form with its own fields plus `extra` (typed fields or the pressed button's name and value). */
  async submit(form: HtmlForm, extra: Record<string, string> = {}): Promise<Arrival> {
    if (form.method !== 'post') throw new Error(`expected a POST form, got ${form.method} ${form.action.href}`);
    return this.#follow(await this.request(form.action, { method: 'POST', form: { ...form.fields, ...extra } }), form.action);
  }

  /** Submits the sign-in form of a login page. */
  async submitLogin(page: Page, email: string, password: string): Promise<Arrival> {
    return this.submit(requireForm(page, '/login'), { email, password });
  }

  /** Answers the consent page. */
  async answerConsent(page: Page, answer: 'allow' | 'deny'): Promise<Arrival> {
    return this.submit(requireForm(page, answer === 'allow' ? '/confirm' : '/abort'));
  }

  /**
   * Goes through sign-in from an authorization URL: login page (when there is no session), consent page (as
   * `consent` expects), then returns the URL the browser is finally sent to, i.e. the client's redirect_uri.
   */
  async signIn(authorizationUrl: URL | string, options: SignInOptions): Promise<URL> {
    let arrival = await this.visit(authorizationUrl);
    let consentShown = false;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      if (arrival.kind === 'left') {
        if (options.consent !== 'expect-none' && !consentShown) throw new Error(`the consent page never appeared; sent to ${arrival.location.href}`);
        return arrival.location;
      }
      const page = arrival.page;
      const kind = pageKind(page);
      if (kind === 'login') {
        arrival = await this.submitLogin(page, options.email, options.password);
        if (arrival.kind === 'page' && pageKind(arrival.page) === 'login') {
          throw new Error(`sign-in failed: ${loginErrorOf(arrival.page) ?? 'the login page came back without a message'}`);
        }
      } else if (kind === 'consent') {
        if (options.consent === 'expect-none') throw new Error('the consent page appeared, but the consent should have been remembered');
        consentShown = true;
        arrival = await this.answerConsent(page, options.consent);
      } else {
        throw new Error(`unexpected page ${page.status} ${page.url.pathname}: ${headingOf(page.html) ?? page.html.slice(0, 200)}`);
      }
    }
    throw new Error(`sign-in did not finish after ${MAX_PAGES} pages`);
  }

  async #follow(first: Response, firstUrl: URL): Promise<Arrival> {
    let response = first;
    let url = firstUrl;
    for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
      if (!isRedirect(response.status)) {
        return { kind: 'page', page: { url, status: response.status, headers: response.headers, html: await response.text() } };
      }
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new Error(`${response.status} from ${url.href} without a Location`);
      const next = new URL(location, url);
      if (next.origin !== this.#origin) return { kind: 'left', location: next };
      // 301/302/303 turn into GET, as browsers do; oidc-provider and the interaction routes use nothing else.
      if (response.status === 307 || response.status === 308) throw new Error(`unexpected ${response.status} to ${next.href}`);
      url = next;
      response = await this.request(next);
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${firstUrl.href}`);
  }
}

/** Which hosted page this is, told by its forms. */
export function pageKind(page: Page): 'login' | 'consent' | 'logout' | 'other' {
  if (page.status !== 200) return 'other';
  if (findFormByAction(page.html, page.url, '/login')) return 'login';
  if (findFormByAction(page.html, page.url, '/confirm') && findFormByAction(page.html, page.url, '/abort')) return 'consent';
  if (findFormByAction(page.html, page.url, '/session/end/confirm')) return 'logout';
  return 'other';
}

/** The error shown above the sign-in form, if any. */
export function loginErrorOf(page: Page): string | undefined {
  return textOfElementById(page.html, 'login-error');
}

/** The form of `page` whose action ends with `suffix`; throws naming the page when it has none. */
export function requireForm(page: Page, suffix: string): HtmlForm {
  const form = findFormByAction(page.html, page.url, suffix);
  if (!form) throw new Error(`no form posting to …${suffix} on ${page.status} ${page.url.pathname}: ${headingOf(page.html) ?? ''}`);
  return form;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
