// A small RFC 6265 cookie store: host-only cookies, paths, expiry and deletion, as a browser keeps them for one site.

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  /** Epoch milliseconds; undefined = a session cookie. */
  expiresAt: number | undefined;
}

/** The cookies of one browser profile. */
export class CookieJar {
  #cookies: StoredCookie[] = [];

  /** Applies the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(url, header);
      if (cookie === undefined) continue;
      this.#cookies = this.#cookies.filter(
        (existing) => !(existing.name === cookie.name && existing.host === cookie.host && existing.path === cookie.path),
      );
      if (!isExpired(cookie, Date.now())) this.#cookies.push(cookie);
    }
  }

  /** The Cookie header a browser sends to `url`, longest path first (RFC 6265 §5.4); undefined when none. */
  headerFor(url: URL): string | undefined {
    const matching = this.#matching(url);
    if (matching.length === 0) return undefined;
    return matching
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** Names of the cookies that would be sent to `url`. */
  namesFor(url: URL): string[] {
    return this.#matching(url).map((cookie) => cookie.name);
  }

  #matching(url: URL): StoredCookie[] {
    const now = Date.now();
    this.#cookies = this.#cookies.filter((cookie) => !isExpired(cookie, now));
    return this.#cookies.filter((cookie) => cookie.host === url.host && pathMatches(url.pathname, cookie.path));
  }
}

function parseSetCookie(url: URL, header: string): StoredCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const separator = pair.indexOf('=');
  if (separator <= 0) return undefined;
  const cookie: StoredCookie = {
    name: pair.slice(0, separator).trim(),
    value: pair.slice(separator + 1).trim(),
    host: url.host,
    path: defaultPath(url.pathname),
    expiresAt: undefined,
  };
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'path' && value.startsWith('/')) cookie.path = value;
    if (key === 'max-age' && /^-?\d+$/.test(value)) {
      maxAgeSeen = true; // Max-Age wins over Expires (RFC 6265 §5.3 step 3)
      cookie.expiresAt = Date.now() + Number(value) * 1000;
    }
    if (key === 'expires' && !maxAgeSeen) {
      const time = Date.parse(value);
      if (!Number.isNaN(time)) cookie.expiresAt = time;
    }
    // Browsers refuse Secure cookies from plain http pages; a test issuer is http, so such a cookie would be lost.
    if (key === 'secure' && url.protocol !== 'https:') return undefined;
  }
  return cookie;
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const lastSlash = requestPath.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : requestPath.slice(0, lastSlash);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

function isExpired(cookie: StoredCookie, now: number): boolean {
  return cookie.expiresAt !== undefined && cookie.expiresAt <= now;
}
