// One browser profile, by hand: fetch with redirect: 'manual', the tests' cookie jar, and just enough HTML reading to
// find a form and its hidden fields.
import { CookieJar } from '../test/support/cookie-jar.ts';

/** The cookies a browser keeps for the one origin the bench talks to (the tests' cookie jar). */
export class Browser {
  readonly #cookies = new CookieJar();

  /** One request with this browser's cookies; redirects are not followed, Set-Cookie goes into the jar. */
  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.#cookies.headerFor(url);
    if (cookie) headers['cookie'] = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.#cookies.store(url, response.headers.getSetCookie());
    return response;
  }
}

/** A POST form of a page: its resolved action and the hidden fields it carries (the CSRF token). */
export interface Form {
  action: URL;
  fields: Record<string, string>;
}

/** The form whose action path ends with `suffix`, or undefined. */
export function findForm(html: string, pageUrl: URL, suffix: string): Form | undefined {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = attribute(match[1] ?? '', 'action');
    const url = new URL(action ?? pageUrl.href, pageUrl);
    if (!url.pathname.endsWith(suffix)) continue;
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = attribute(input[1] ?? '', 'name');
      if (name !== undefined && attribute(input[1] ?? '', 'type') === 'hidden') fields[name] = attribute(input[1] ?? '', 'value') ?? '';
    }
    return { action: url, fields };
  }
  return undefined;
}

function attribute(source: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(source);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? match[3] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
