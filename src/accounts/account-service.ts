import { randomBytes } from 'node:crypto';
import type { Queries } from '../db/queries/index.ts';
import type { UserRecord } from '../db/queries/users.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { AccountError } from './account-errors.ts';
import { HashingBusyError } from './hashing-gate.ts';
import { checkPasswordPolicy, MAX_PASSWORD_LENGTH } from './password-policy.ts';
import { loadCommonPasswords } from './common-passwords.ts';
import { readThrough, requestCacheKeys } from '../db/request-scope.ts';

export interface NewAccount {
  email: string;
  password: string;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  emailVerified?: boolean | undefined;
}

/** The outcome of a password check; `reason` and `user` are for the audit trail, never for the person signing in. */
export type CredentialCheck =
  | { ok: true; user: UserRecord }
  | { ok: false; reason: 'unknown_account' | 'no_password' | 'wrong_password' | 'disabled_account' | 'password_too_long'; user: UserRecord | undefined };

// Deliberately loose: one @, something on both sides, no spaces or control characters. Real verification is sending
// mail, not a regex.
const EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;

/** User accounts: creation, password sign-in, and the changes that end a person's sessions. */
export function createAccountService(
  queries: Queries,
  hasher: PasswordHasher,
  policy: { minPasswordLength: number },
  sessions: SessionService,
  now: () => Date = () => new Date(),
) {
  loadCommonPasswords(); // at start, so a missing list file stops startup rather than the first password change
  const checkPassword = (password: string) => checkPasswordPolicy(password, policy.minPasswordLength);

  async function requireUser(email: string): Promise<UserRecord> {
    const user = await queries.users.findUserByEmail(email);
    if (!user) throw new AccountError('not_found', `There is no user with the email ${email}.`);
    return user;
  }


  /**
   * Checks an email and password. Unknown, disabled and wrong-password all fail after the same argon2 work, so
   * neither the answer nor its timing tells whether the email exists; the reason is for the audit trail only. Throws
   * HashingBusyError when password hashing is at capacity: then nothing was checked.
   */
  async function verifyCredentials(email: string, password: string): Promise<CredentialCheck> {
    if (password.length > MAX_PASSWORD_LENGTH) return { ok: false, reason: 'password_too_long', user: undefined };
    const user = await queries.users.findUserByEmail(email.trim());
    if (!user?.passwordHash) {
      await hasher.verifyDummy(password);
      return { ok: false, reason: user ? 'no_password' : 'unknown_account', user };
    }
    const { valid, needsRehash } = await hasher.verify(user.passwordHash, password);
    if (!valid) return { ok: false, reason: 'wrong_password', user };
    if (user.disabledAt) return { ok: false, reason: 'disabled_account', user };
    if (needsRehash) await rehash(user, password);
    return { ok: true, user };
  }

  /** Replaces a hash made with older parameters; when hashing is busy, a later sign-in does it instead. */
  async function rehash(user: UserRecord, password: string): Promise<void> {
    let hash: string;
    try {
      hash = await hasher.hash(password);
    } catch (error) {
      if (error instanceof HashingBusyError) return;
      throw error;
    }
    await queries.users.updateUserPasswordHash(user.id, hash, now(), false);
  }

  return {
    async createAccount(account: NewAccount): Promise<UserRecord> {
      const email = account.email.trim();
      if (!EMAIL_PATTERN.test(email) || email.length > 254) {
        throw new AccountError('invalid_email', `"${email}" is not an email address.`);
      }
      checkPassword(account.password);
      if (await queries.users.findUserByEmail(email)) {
        throw new AccountError('email_taken', `A user with the email ${email} already exists.`);
      }
      return queries.users.insertUser(
        {
          id: randomBytes(16).toString('base64url'),
          email,
          emailVerified: account.emailVerified ?? false,
          name: account.name ?? null,
          givenName: account.givenName ?? null,
          familyName: account.familyName ?? null,
          passwordHash: await hasher.hash(account.password),
        },
        now(),
      );
    },

    verifyCredentials,

    /** verifyCredentials without the reason: the user, or undefined. */
    async authenticate(email: string, password: string): Promise<UserRecord | undefined> {
      const check = await verifyCredentials(email, password);
      return check.ok ? check.user : undefined;
    },

    findAccountById(id: string): Promise<UserRecord | undefined> {
      return queries.users.findUserById(id);
    },

    /**
     * The account as this HTTP request already read it (a token or session is read with its user), else from the
     * database. For reading only: a request that changes the user reads it again with findAccountById.
     */
    findAccountForRequest(id: string): Promise<UserRecord | undefined> {
      return readThrough(requestCacheKeys.account(id), () => queries.users.findUserById(id));
    },

    findAccountByEmail(email: string): Promise<UserRecord | undefined> {
      return queries.users.findUserByEmail(email.trim());
    },

    listAccounts(): Promise<UserRecord[]> {
      return queries.users.listUsers();
    },

    /** Sets a new password and ends the user's sessions; returns how many sessions ended. */
    async setPassword(email: string, password: string): Promise<number> {
      checkPassword(password);
      const user = await requireUser(email);
      const hash = await hasher.hash(password);
      return queries.transaction(async (trx) => {
        await trx.users.updateUserPasswordHash(user.id, hash, now(), true);
        return sessions.endSessionsOfAccount(user.id, 'password_changed', trx);
      });
    },

    /** Disables the user and ends their sessions; returns how many sessions ended. */
    async disableAccount(email: string): Promise<number> {
      const user = await requireUser(email);
      return queries.transaction(async (trx) => {
        await trx.users.updateUserDisabledAt(user.id, now(), now());
        return sessions.endSessionsOfAccount(user.id, 'disabled', trx);
      });
    },

    async enableAccount(email: string): Promise<void> {
      const user = await requireUser(email);
      await queries.users.updateUserDisabledAt(user.id, null, now());
    },

    /** Deletes the user and everything issued to them: sessions, grants, codes and tokens. */
    async deleteAccount(email: string): Promise<void> {
      const user = await requireUser(email);
      await queries.transaction(async (trx) => {
        // Sessions first, so their clients are told; then everything else issued to the user.
        await sessions.endSessionsOfAccount(user.id, 'deleted', trx);
        await trx.oidcPayloads.deleteAllPayloadsByAccountId(user.id);
        await trx.users.deleteUserById(user.id);
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
