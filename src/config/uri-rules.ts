// Checks on URIs written in config files. Each returns a message saying what to write instead, or undefined when fine.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

/** A page or image link shown to users: https, or http on this machine for development. */
export function checkWebUrl(raw: string): string | undefined {
  const url = parseAbsolute(raw);
  if (url === undefined) return 'must be an absolute URL like https://example.com/page';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) return undefined;
  return 'must use https (http is allowed only for localhost)';
}

/** A redirect URI (RFC 6749 §3.1.2); native apps follow RFC 8252 §7. */
export function checkRedirectUri(raw: string, applicationType: 'web' | 'native'): string | undefined {
  const url = parseAbsolute(raw);
  if (url === undefined) return 'must be an absolute URI like https://app.example.com/callback';
  if (raw.includes('#')) return 'must not contain a fragment (#...) (RFC 6749 §3.1.2)';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return undefined;
  if (applicationType === 'web') {
    if (scheme === 'http') return undefined;
    return 'web clients may use only http or https; set application_type: native for an app URI scheme';
  }
  if (scheme === 'http') {
    if (LOOPBACK_IPS.has(url.hostname)) return undefined;
    if (url.hostname === 'localhost') {
      return 'native clients must use the loopback IP, http://127.0.0.1:<port>/ or http://[::1]:<port>/, not localhost (RFC 8252 §8.3)';
    }
    return 'native clients may use http only with the loopback IP 127.0.0.1 or [::1] (RFC 8252 §7.3)';
  }
  if (!scheme.includes('.')) {
    return `private-use scheme "${scheme}" must be a reverse domain name you control, like com.example.app:/callback (RFC 8252 §7.1)`;
  }
  return undefined;
}

/**
 * A back-channel logout URI (OpenID Connect Back-Channel Logout 1.0 §2.2): absolute, no fragment, https; http only for
 * a confidential client (the spec allows it for them) or on this machine.
 */
export function checkBackchannelLogoutUri(raw: string, confidential: boolean): string | undefined {
  const url = parseAbsolute(raw);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return 'must be an absolute URL like https://app.example.com/backchannel-logout';
  }
  if (raw.includes('#')) return 'must not contain a fragment (#...) (Back-Channel Logout §2.2)';
  if (url.protocol === 'https:' || confidential || LOCAL_HOSTS.has(url.hostname)) return undefined;
  return 'must use https; http is allowed only for confidential clients (Back-Channel Logout §2.2) and localhost';
}

/** A web origin allowed for CORS: scheme://host[:port], exactly as browsers send it in the Origin header. */
export function checkOrigin(raw: string): string | undefined {
  const url = parseAbsolute(raw);
  if (url === undefined || url.origin === 'null') return 'must be an origin like https://app.example.com';
  if (url.origin !== raw) return `must be an origin (scheme://host[:port], no path or trailing slash); did you mean ${url.origin}?`;
  if (url.protocol === 'https:' || LOCAL_HOSTS.has(url.hostname)) return undefined;
  return 'must use https (http is allowed only for localhost, 127.0.0.1 and [::1])';
}

/** An absolute URI used as an identifier (issuer-style or RFC 8707 resource). */
export function checkIdentifierUri(raw: string): string | undefined {
  if (parseAbsolute(raw) === undefined) return 'must be an absolute URI like https://api.example.com';
  if (raw.includes('#')) return 'must not contain a fragment (#...) (RFC 8707 §2)';
  return undefined;
}

/** Parses only what is plainly absolute: WHATWG URL parsing would accept `https:host` or surrounding spaces. */
function parseAbsolute(raw: string): URL | undefined {
  if (raw.trim() !== raw || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  const special = url.protocol === 'http:' || url.protocol === 'https:';
  if (special && !raw.toLowerCase().startsWith(`${url.protocol}//`)) return undefined;
  return url;
}
