import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Values the browser keeps for us (cookies) and must not change: base64url JSON plus an HMAC-SHA256 under the newest
 * cookie secret; any of the current secrets verifies, so rotating them (newest first) signs no one out. `secrets` is
 * read on each use, because the cookie keys rotate while the server runs. `purpose` is part of what is signed, so a
 * value made for one cookie is refused as another.
 */
export function createValueSigner(secrets: () => readonly string[], purpose: string) {
  const mac = (secret: string, body: string) => createHmac('sha256', secret).update(`${purpose}.${body}`).digest('base64url');

  return {
    sign(value: unknown): string {
      const [signingSecret] = secrets();
      if (!signingSecret) throw new Error('no cookie secret to sign account cookies with');
      const body = Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${body}.${mac(signingSecret, body)}`;
    },

    /** The signed value, or undefined when it is missing, malformed or signed with no secret we know. */
    verify(signed: string | undefined): unknown {
      const [body, signature, extra] = (signed ?? '').split('.');
      if (!body || !signature || extra !== undefined) return undefined;
      const given = Buffer.from(signature);
      const valid = secrets().some((secret) => {
        const expected = Buffer.from(mac(secret, body));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
      if (!valid) return undefined;
      try {
        return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}

export type ValueSigner = ReturnType<typeof createValueSigner>;
