import type { UserRecord } from '../db/queries/users.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AccountService } from './account-service.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

/** Who is trying to sign in, from where, through which client. */
export interface SignInAttempt {
  email: string;
  password: string;
  ip: string;
  userAgent: string | undefined;
  clientId: string | undefined;
}

export type SignInOutcome =
  | { kind: 'signed_in'; user: UserRecord }
  | { kind: 'failed' }
  | { kind: 'throttled'; retryAfterSeconds: number };

// An email field sometimes receives a password typed in the wrong box; only something shaped like an email is kept.
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

/** Password sign-in: throttled before any password work, audited whatever the outcome. */
export function createSignIn(deps: { accounts: AccountService; throttle: SignInThrottle; audit: AuditLog }) {
  return {
    async attempt(attempt: SignInAttempt): Promise<SignInOutcome> {
      const { email, password, ip, userAgent, clientId } = attempt;
      if (email === '' || password === '') return { kind: 'failed' };
      const where = { ip, userAgent, clientId };
      const typedEmail = EMAIL_SHAPE.test(email.trim()) ? email.trim() : undefined;

      const decision = await deps.throttle.begin(email, ip);
      if (!decision.allowed) {
        await deps.audit.record({
          event: 'sign_in.throttled',
          email: typedEmail,
          ...where,
          details: { retry_after_seconds: decision.retryAfterSeconds },
        });
        return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      }

      const check = await deps.accounts.verifyCredentials(email, password);
      if (!check.ok) {
        await deps.audit.record({
          event: 'sign_in.failed',
          userId: check.user?.id,
          email: check.user?.email ?? typedEmail,
          ...where,
          details: { reason: check.reason },
        });
        return { kind: 'failed' };
      }
      // Independent writes: side by side, the sign-in waits for one round trip instead of two.
      await Promise.all([
        deps.throttle.succeeded(email, ip),
        deps.audit.record({ event: 'sign_in.succeeded', userId: check.user.id, email: check.user.email, ...where, details: { method: 'pwd' } }),
      ]);
      return { kind: 'signed_in', user: check.user };
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
