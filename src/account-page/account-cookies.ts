import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { z } from 'zod';
import { createValueSigner } from './signed-value.ts';

const SESSION_COOKIE = 'latchkey_account';
const SIGN_IN_COOKIE = 'latchkey_account_signin';
const COOKIE_PATH = '/account';

/** Who is signed in to the account page, and the Latchkey session (by uid) their sign-in belongs to. */
export interface AccountSession {
  sub: string;
  sessionUid: string;
  /** Random per sign-in; the forms' CSRF tokens are bound to it. */
  nonce: string;
}

/** What the account page keeps while the browser is at the sign-in page: the checks of the code it gets back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const accountSessionSchema = z.object({ sub: z.string().min(1), sessionUid: z.string().min(1), nonce: z.string().min(16) });
const pendingSignInSchema = z.object({ state: z.string().min(16), nonce: z.string().min(16), codeVerifier: z.string().min(43) });

/**
 * The account page's own cookies, apart from oidc-provider's: HttpOnly, SameSite=Lax, Secure when the issuer is
 * https, limited to /account, and signed (./signed-value.ts). The session cookie lasts as long as the browser
 * session; the Latchkey session behind it is checked on every request anyway.
 */
export function createAccountCookies(options: { secrets: () => readonly string[]; secure: boolean; signInTtlSeconds: number }) {
  const sessionSigner = createValueSigner(options.secrets, 'latchkey-account-session');
  const signInSigner = createValueSigner(options.secrets, 'latchkey-account-sign-in');
  const csrfMac = (secret: string, session: AccountSession) =>
    createHmac('sha256', secret).update(`latchkey-account-form.${session.sessionUid}.${session.nonce}`).digest('base64url');

  function set(ctx: Context, name: string, value: string | null, maxAgeSeconds?: number): void {
    // The issuer's scheme decides, not the hop to us: behind a TLS-terminating proxy Koa may think it is plain http.
    if (options.secure) ctx.cookies.secure = true;
    ctx.cookies.set(name, value, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      signed: false,
      overwrite: true,
      ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds * 1000 }),
    });
  }

  return {
    readSession(ctx: Context): AccountSession | undefined {
      const parsed = accountSessionSchema.safeParse(sessionSigner.verify(ctx.cookies.get(SESSION_COOKIE)));
      return parsed.success ? parsed.data : undefined;
    },

    /** Starts an account page session for a person signed in to the Latchkey session `sessionUid`. */
    writeSession(ctx: Context, sub: string, sessionUid: string): void {
      const session: AccountSession = { sub, sessionUid, nonce: randomBytes(16).toString('base64url') };
      set(ctx, SESSION_COOKIE, sessionSigner.sign(session));
    },

    clearSession(ctx: Context): void {
      set(ctx, SESSION_COOKIE, null);
    },

    readSignIn(ctx: Context): PendingSignIn | undefined {
      const parsed = pendingSignInSchema.safeParse(signInSigner.verify(ctx.cookies.get(SIGN_IN_COOKIE)));
      return parsed.success ? parsed.data : undefined;
    },

    writeSignIn(ctx: Context, pending: PendingSignIn): void {
      set(ctx, SIGN_IN_COOKIE, signInSigner.sign(pending), options.signInTtlSeconds);
    },

    clearSignIn(ctx: Context): void {
      set(ctx, SIGN_IN_COOKIE, null);
    },

    /** The CSRF token of every form on the page, bound to this sign-in. */
    csrfTokenFor(session: AccountSession): string {
      return csrfMac(options.secrets()[0] ?? '', session);
    },

    isValidCsrfToken(session: AccountSession, token: unknown): boolean {
      if (typeof token !== 'string') return false;
      const given = Buffer.from(token);
      return options.secrets().some((secret) => {
        const expected = Buffer.from(csrfMac(secret, session));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
    },
  };
}

export type AccountCookies = ReturnType<typeof createAccountCookies>;
