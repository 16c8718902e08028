import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for interaction forms: an HMAC of the interaction uid under a server secret. A form only counts when it
 * carries the token of the very interaction its URL and its interaction cookie name. The secrets are the cookie keys,
 * newest first, read on each use because they rotate: new tokens use the first, a form rendered before a rotation
 * still carries a token made with one of the others.
 */
export function createCsrfTokens(secrets: () => readonly string[]) {
  const tokenWith = (secret: string, uid: string) => createHmac('sha256', secret).update(`interaction-form:${uid}`).digest('base64url');
  return {
    tokenFor(uid: string): string {
      return tokenWith(secrets()[0] ?? '', uid);
    },
    isValid(uid: string, token: unknown): boolean {
      if (typeof token !== 'string') return false;
      const actual = Buffer.from(token);
      return secrets().some((secret) => {
        const expected = Buffer.from(tokenWith(secret, uid));
        return actual.length === expected.length && timingSafeEqual(actual, expected);
      });
    },
  };
}

export type CsrfTokens = ReturnType<typeof createCsrfTokens>;
