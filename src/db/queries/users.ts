import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';

/** A row of the users table, in the application's names. */
export interface UserRecord {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  passwordHash: string;
}

export interface UserRow {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    givenName: row.given_name,
    familyName: row.family_name,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns of the users table, for queries elsewhere that read a user along with their own rows. */
export const USER_COLUMNS = [
  'id',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'password_hash',
  'password_changed_at',
  'disabled_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof UserRow)[];

/** SQL for the users table. Emails compare case-insensitively through the lower(email) unique index. */
export function createUserQueries(knex: Knex) {
  const users = () => knex<UserRow>('users');

  return {
    async insertUser(user: NewUser, now: Date): Promise<UserRecord> {
      const [row] = await users()
        .insert({
          id: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name,
          given_name: user.givenName,
          family_name: user.familyName,
          password_hash: user.passwordHash,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning('*');
      return toUserRecord(row as UserRow);
    },

    async findUserById(id: string): Promise<UserRecord | undefined> {
      if (id.includes('\0')) return undefined; // Postgres text cannot hold NUL, so no row has it (and pg would throw)
      const row = await users().select([...USER_COLUMNS]).where('id', id).options(PREPARED).first();
      return row ? toUserRecord(row) : undefined;
    },

    async findUserByEmail(email: string): Promise<UserRecord | undefined> {
      if (email.includes('\0')) return undefined; // as above: typed input may hold NUL, no stored email does
      const row = await users().select([...USER_COLUMNS]).whereRaw('lower(email) = lower(?)', [email]).options(PREPARED).first();
      return row ? toUserRecord(row) : undefined;
    },

    async listUsers(): Promise<UserRecord[]> {
      const rows = await users().select('*').orderBy('created_at').orderBy('id');
      return rows.map(toUserRecord);
    },

    async updateUserPasswordHash(id: string, passwordHash: string, now: Date, changed: boolean): Promise<void> {
      await users()
        .where('id', id)
        .update({ password_hash: passwordHash, updated_at: now, ...(changed ? { password_changed_at: now } : {}) });
    },

    /** Sets the display name (null clears it); updated_at moves, so relying parties see the change in `updated_at`. */
    async updateUserName(id: string, name: string | null, now: Date): Promise<boolean> {
      return (await users().where('id', id).update({ name, updated_at: now })) > 0;
    },

    async updateUserDisabledAt(id: string, disabledAt: Date | null, now: Date): Promise<boolean> {
      return (await users().where('id', id).update({ disabled_at: disabledAt, updated_at: now })) > 0;
    },

    async deleteUserById(id: string): Promise<boolean> {
      return (await users().where('id', id).delete()) > 0;
    },
  };
}

export type UserQueries = ReturnType<typeof createUserQueries>;
