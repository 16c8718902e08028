import type { Knex } from 'knex';
import {
  LIFE_CYCLE_COLUMNS,
  toLifeCycleColumns,
  toLifeCycleTimes,
  type KeyLifeCycleChanges,
  type KeyLifeCycleTimes,
  type LifeCycleRow,
} from './key-life-cycle-columns.ts';

/** A stored signing key: its private JWK sealed (encrypted), with its life-cycle times. */
export interface SigningKeyRecord extends KeyLifeCycleTimes {
  kid: string;
  alg: string;
  /** Null once the key is removed and its material destroyed. */
  sealedPrivateJwk: string | null;
  /** Only in rows an earlier version wrote, until the server encrypts them at start. */
  plaintextPrivateJwk: Record<string, unknown> | null;
}

export type NewSigningKey = Pick<SigningKeyRecord, 'kid' | 'alg' | 'createdAt' | 'publishedAt' | 'activeFrom'> & { sealedPrivateJwk: string };

interface SigningKeyRow extends LifeCycleRow {
  kid: string;
  alg: string;
  use: string;
  sealed_private_jwk: string | null;
  private_jwk: Record<string, unknown> | null;
}

/** SQL for the signing_keys table. */
export function createSigningKeyQueries(knex: Knex) {
  const signingKeys = () => knex<SigningKeyRow>('signing_keys');
  return {
    /** Every key, removed ones included, oldest first. */
    async listSigningKeys(): Promise<SigningKeyRecord[]> {
      const rows = await signingKeys()
        .select('kid', 'alg', 'sealed_private_jwk', 'private_jwk', ...LIFE_CYCLE_COLUMNS)
        .orderBy('created_at')
        .orderBy('kid');
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        sealedPrivateJwk: row.sealed_private_jwk,
        plaintextPrivateJwk: row.private_jwk,
        ...toLifeCycleTimes(row),
      }));
    },

    async insertSigningKey(key: NewSigningKey): Promise<void> {
      await signingKeys().insert({
        kid: key.kid,
        alg: key.alg,
        use: 'sig',
        sealed_private_jwk: key.sealedPrivateJwk,
        private_jwk: null,
        created_at: key.createdAt,
        published_at: key.publishedAt,
        active_from: key.activeFrom,
      });
    },

    async updateSigningKeyLifeCycle(kid: string, changes: KeyLifeCycleChanges): Promise<void> {
      const columns = toLifeCycleColumns(changes);
      if (Object.keys(columns).length > 0) await signingKeys().where('kid', kid).update(columns);
    },

    /** Stores the sealed material (null destroys it) and clears any plaintext copy. */
    async replaceSigningKeyMaterial(kid: string, sealedPrivateJwk: string | null): Promise<void> {
      await signingKeys().where('kid', kid).update({ sealed_private_jwk: sealedPrivateJwk, private_jwk: null });
    },
  };
}

export type SigningKeyQueries = ReturnType<typeof createSigningKeyQueries>;
