import type { Queries } from '../db/queries/index.ts';
import type { AccountGrantRow, AccountSessionRow } from '../db/queries/account-page.ts';
import type { SessionClient } from '../db/queries/session-activity.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordProblem } from './password-policy.ts';
import { HashingBusyError } from './hashing-gate.ts';

export const MAX_NAME_LENGTH = 200;
/** A session's last activity is written at most this often; the account page shows minutes, not seconds. */
export const ACTIVITY_THROTTLE_SECONDS = 5 * 60;

export type NameChange = 'saved' | 'too_long' | 'invalid';
/** `busy`: password hashing was at capacity, nothing was changed, and trying again in a moment will likely do. */
export type PasswordChange = 'changed' | 'wrong_current' | 'too_short' | 'too_long' | 'too_common' | 'mismatch' | 'busy';

/**
 * What a signed-in person may do to their own account: their name, their password, their sessions and the apps they
 * allowed. Every call names the account it acts on, so a session or client id of another account changes nothing.
 */
export function createSelfService(
  queries: Queries,
  hasher: PasswordHasher,
  policy: { minPasswordLength: number },
  now: () => Date = () => new Date(),
) {
  return {
    /** Sets the display name; blank clears it. */
    async updateName(accountId: string, name: string): Promise<NameChange> {
      const trimmed = name.trim();
      if (trimmed.length > MAX_NAME_LENGTH) return 'too_long';
      if (/\p{Cc}/u.test(trimmed)) return 'invalid';
      await queries.users.updateUserName(accountId, trimmed === '' ? null : trimmed, now());
      return 'saved';
    },

    /**
     * Changes the password when the current one is right, and ends every other session of the account in the same
     * transaction: whoever else knew the old password is signed out; `keepSessionUid` (the one asking) stays.
     */
    async changePassword(accountId: string, current: string, next: string, confirmation: string, keepSessionUid: string): Promise<PasswordChange> {
      try {
        const user = await queries.users.findUserById(accountId);
        const verified = user?.passwordHash && current ? await hasher.verify(user.passwordHash, current) : undefined;
        if (!user || !verified?.valid || user.disabledAt) return 'wrong_current';
        const problem = passwordProblem(next, policy.minPasswordLength);
        if (problem) return problem;
        if (next !== confirmation) return 'mismatch';
        const hash = await hasher.hash(next);
        await queries.transaction(async (trx) => {
          await trx.users.updateUserPasswordHash(accountId, hash, now(), true);
          await trx.accountPage.deleteSessionsByAccountId(accountId, keepSessionUid);
        });
        return 'changed';
      } catch (error) {
        if (error instanceof HashingBusyError) return 'busy';
        throw error;
      }
    },

    /** Notes that a session was used just now, from this browser and address (throttled). */
    noteActivity(client: SessionClient): Promise<void> {
      return queries.sessionActivity.touchSessionActivity(client, now(), ACTIVITY_THROTTLE_SECONDS);
    },

    listSessions(accountId: string): Promise<AccountSessionRow[]> {
      return queries.accountPage.listSessionsByAccountId(accountId, now());
    },

    /** Signs one session out; the browser holding it has to sign in again. */
    endSession(accountId: string, sessionUid: string): Promise<boolean> {
      return queries.transaction((trx) => trx.accountPage.deleteSessionByUid(accountId, sessionUid));
    },

    /** Signs every session of the account out, the asking one included. */
    endAllSessions(accountId: string): Promise<number> {
      return queries.transaction((trx) => trx.accountPage.deleteSessionsByAccountId(accountId));
    },

    listGrants(accountId: string): Promise<AccountGrantRow[]> {
      return queries.accountPage.listGrantsByAccountId(accountId, now());
    },

    /** Withdraws the consent given to a client and revokes its codes and tokens; it has to ask again. */
    removeAppAccess(accountId: string, clientId: string): Promise<number> {
      return queries.transaction((trx) => trx.accountPage.deleteGrantsByAccountAndClient(accountId, clientId));
    },
  };
}

export type SelfService = ReturnType<typeof createSelfService>;
