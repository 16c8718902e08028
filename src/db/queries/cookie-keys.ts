import type { Knex } from 'knex';
import {
  LIFE_CYCLE_COLUMNS,
  toLifeCycleColumns,
  toLifeCycleTimes,
  type KeyLifeCycleChanges,
  type KeyLifeCycleTimes,
  type LifeCycleRow,
} from './key-life-cycle-columns.ts';

/** A stored cookie-signing secret, sealed (encrypted), with its life-cycle times. */
export interface CookieKeyRecord extends KeyLifeCycleTimes {
  kid: string;
  /** Null once the key is removed and its material destroyed. */
  sealedSecret: string | null;
  /** Only in rows an earlier version wrote, until the server encrypts them at start. */
  plaintextSecret: string | null;
}

export type NewCookieKey = Pick<CookieKeyRecord, 'kid' | 'createdAt' | 'publishedAt' | 'activeFrom'> & { sealedSecret: string };

interface CookieKeyRow extends LifeCycleRow {
  id: number;
  kid: string;
  sealed_secret: string | null;
  secret: string | null;
}

/** SQL for the cookie_keys table. */
export function createCookieKeyQueries(knex: Knex) {
  const cookieKeys = () => knex<CookieKeyRow>('cookie_keys');
  return {
    /** Every key, removed ones included, oldest first. */
    async listCookieKeys(): Promise<CookieKeyRecord[]> {
      const rows = await cookieKeys().select('kid', 'sealed_secret', 'secret', ...LIFE_CYCLE_COLUMNS).orderBy('id');
      return rows.map((row) => ({ kid: row.kid, sealedSecret: row.sealed_secret, plaintextSecret: row.secret, ...toLifeCycleTimes(row) }));
    },

    async insertCookieKey(key: NewCookieKey): Promise<void> {
      await cookieKeys().insert({
        kid: key.kid,
        sealed_secret: key.sealedSecret,
        secret: null,
        created_at: key.createdAt,
        published_at: key.publishedAt,
        active_from: key.activeFrom,
      });
    },

    async updateCookieKeyLifeCycle(kid: string, changes: KeyLifeCycleChanges): Promise<void> {
      const columns = toLifeCycleColumns(changes);
      if (Object.keys(columns).length > 0) await cookieKeys().where('kid', kid).update(columns);
    },

    /** Stores the sealed material (null destroys it) and clears any plaintext copy. */
    async replaceCookieKeyMaterial(kid: string, sealedSecret: string | null): Promise<void> {
      await cookieKeys().where('kid', kid).update({ sealed_secret: sealedSecret, secret: null });
    },
  };
}

export type CookieKeyQueries = ReturnType<typeof createCookieKeyQueries>;
