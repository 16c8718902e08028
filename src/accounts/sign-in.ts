import type { UserRecord } from '../db/queries/users.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AccountService, CredentialCheck } from './account-service.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import { HashingBusyError, type HashingGate } from './hashing-gate.ts';

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
  | { kind: 'throttled'; retryAfterSeconds: number }
  /** Password hashing is at capacity: nothing was checked or counted, and trying again in a moment will likely do. */
  | { kind: 'busy' };

// An email field sometimes receives a password typed in the wrong box; only something shaped like an email is kept.
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

/**
 * Password sign-in: throttled before any password work, audited whatever the outcome, except "busy": a refusal for
 * load, not for anything the person did, so it is neither counted against the throttle nor written to the audit trail
 * (a row per refusal would add database work exactly when the server has too much to do); the metrics count it.
 */
export function createSignIn(deps: { accounts: AccountService; throttle: SignInThrottle; audit: AuditLog; hashing: Pick<HashingGate, 'isFull'> }) {
  return {
    async attempt(attempt: SignInAttempt): Promise<SignInOutcome> {
      const { email, password, ip, userAgent, clientId } = attempt;
      if (email === '' || password === '') return { kind: 'failed' };
      // Most refusals under load are decided here, before any database work; the gate itself has the last word below.
      if (deps.hashing.isFull()) return { kind: 'busy' };
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

      const check = await verifyUnlessBusy(deps.accounts, email, password);
      if (check === 'busy') {
        await deps.throttle.withdrawn(email, ip);
        return { kind: 'busy' };
      }
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

/** verifyCredentials, or 'busy' when password hashing had no room for the check. */
async function verifyUnlessBusy(accounts: AccountService, email: string, password: string): Promise<CredentialCheck | 'busy'> {
  try {
    return await accounts.verifyCredentials(email, password);
  } catch (error) {
    if (error instanceof HashingBusyError) return 'busy';
    throw error;
  }
}
