import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for interaction forms: an HMAC of the interaction uid under a server secret. A form only counts when it
 * carries the token of the very interaction its URL and its interaction cookie name.
 */
export function createCsrfTokens(secret: string) {
  const tokenFor = (uid: string) => createHmac('sha256', secret).update(`interaction-form:${uid}`).digest('base64url');
  return {
    tokenFor,
    isValid(uid: string, token: unknown): boolean {
      if (typeof token !== 'string') return false;
      const expected = Buffer.from(tokenFor(uid));
      const actual = Buffer.from(token);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type CsrfTokens = ReturnType<typeof createCsrfTokens>;
