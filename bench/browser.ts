// One browser profile, by hand: fetch with redirect: 'manual', a cookie jar with paths (RFC 6265 §5.1.4, §5.4), and
// just enough HTML reading to find a form and its hidden fields.

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** The cookies a browser keeps for the one origin the bench talks to. */
export class Browser {
  #cookies: Cookie[] = [];

  /** One request with this browser's cookies; redirects are not followed, Set-Cookie goes into the jar. */
  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.#header(url.pathname);
    if (cookie) headers['cookie'] = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const header of response.headers.getSetCookie()) this.#store(url.pathname, header);
    return response;
  }

  #header(path: string): string | undefined {
    const matching = this.#cookies.filter((cookie) => pathMatches(path, cookie.path));
    if (matching.length === 0) return undefined;
    return matching.sort((a, b) => b.path.length - a.path.length).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  #store(requestPath: string, header: string): void {
    const [pair = '', ...attributes] = header.split(';');
    const separator = pair.indexOf('=');
    if (separator <= 0) return;
    const cookie: Cookie = { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim(), path: defaultPath(requestPath) };
    let expired = false;
    for (const attribute of attributes) {
      const [rawKey = '', ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const value = rest.join('=').trim();
      if (key === 'path' && value.startsWith('/')) cookie.path = value;
      if (key === 'max-age' && Number(value) <= 0) expired = true;
      if (key === 'expires' && Date.parse(value) <= Date.now()) expired = true;
    }
    this.#cookies = this.#cookies.filter((existing) => !(existing.name === cookie.name && existing.path === cookie.path));
    if (!expired) this.#cookies.push(cookie);
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

function defaultPath(requestPath: string): string {
  const lastSlash = requestPath.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : requestPath.slice(0, lastSlash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}
