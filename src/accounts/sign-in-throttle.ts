import { createHash } from 'node:crypto';
import type { LatchkeyConfig } from '../config/types.ts';
import type { LimitedThrottleCounter, SignInThrottleQueries } from '../db/queries/sign-in-throttles.ts';
import { throttledAddress } from './client-address.ts';

/** Whether a sign-in attempt may go ahead; when not, how many seconds until it may. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Throttling of password guessing, with counters in Postgres so every instance sees the same ones. An attempt is
 * counted *before* the password is checked (and taken back when it succeeds, or when hashing was too busy to check
 * it), so the check itself is what the limit protects and parallel attempts cannot all get through before the first
 * failure is written.
 */
export function createSignInThrottle(
  queries: SignInThrottleQueries,
  settings: LatchkeyConfig['throttling'],
  now: () => Date = () => new Date(),
) {
  const policy = { baseDelaySeconds: settings.baseDelay, maxDelaySeconds: settings.maxDelay, resetAfterSeconds: settings.resetAfter };

  function countersFor(email: string, ip: string): { accountAndIp: LimitedThrottleCounter; account: LimitedThrottleCounter; ip: LimitedThrottleCounter } {
    // The same key for every spelling of an email the database treats as one, and whether or not the account exists,
    // so throttling says nothing about which emails are registered.
    const account = email.trim().toLowerCase();
    const address = throttledAddress(ip);
    return {
      accountAndIp: { scope: 'account_and_ip', key: hashKey(`${account}\n${address}`), freeAttempts: settings.perAccountAndIp },
      account: { scope: 'account', key: hashKey(account), freeAttempts: settings.perAccount },
      ip: { scope: 'ip', key: hashKey(address), freeAttempts: settings.perIp },
    };
  }

  return {
    /** Counts an attempt for `email` from `ip`, unless one of its counters is in back-off. */
    async begin(email: string, ip: string): Promise<ThrottleDecision> {
      const counters = countersFor(email, ip);
      const list = [counters.accountAndIp, counters.account, counters.ip];
      const at = now();
      if (await queries.countAttempt(list, policy, at)) return { allowed: true };
      const until = await queries.findBlockedUntil(list, at);
      // Without a row in back-off the attempt lost a race with one that just ended its back-off: a second will do.
      const retryAfterSeconds = until ? Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000)) : 1;
      return { allowed: false, retryAfterSeconds };
    },

    /** A counted attempt succeeded: the email's counters start over, and the address's takes the attempt back. */
    async succeeded(email: string, ip: string): Promise<void> {
      const counters = countersFor(email, ip);
      await queries.settleSuccessfulAttempt([counters.accountAndIp, counters.account], counters.ip);
    },

    /** A counted attempt was refused before its password was checked (hashing was busy): every counter takes it back. */
    async withdrawn(email: string, ip: string): Promise<void> {
      const counters = countersFor(email, ip);
      await queries.uncountAttempts([counters.accountAndIp, counters.account, counters.ip]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

/** Counter keys are hashes: bounded in size whatever was typed, and no email or address kept in the table. */
function hashKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
