// Reading the published JWKS and the key ids of tokens, as a relying party sees them.
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';

/** The JWKS at `<issuer>/jwks`, fetched fresh (no cache), with its response headers. */
export async function fetchJwks(issuer: string): Promise<{ jwks: JSONWebKeySet; kids: Set<string>; headers: Headers }> {
  const response = await fetch(`${issuer}/jwks`);
  if (!response.ok) throw new Error(`GET /jwks answered ${response.status}`);
  const jwks = (await response.json()) as JSONWebKeySet;
  return { jwks, kids: new Set(jwks.keys.map((key) => key.kid ?? '')), headers: response.headers };
}

/** The kid in a JWT's protected header. */
export function kidOf(token: string): string {
  const { kid } = decodeProtectedHeader(token);
  if (typeof kid !== 'string') throw new Error('the token has no kid');
  return kid;
}

/** Waits until `probe` returns a value other than undefined, checking every `intervalMs`; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
