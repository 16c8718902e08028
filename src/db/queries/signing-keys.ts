import type { Knex } from 'knex';

/** A stored signing key: a private JWK with its kid and alg. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  privateJwk: Record<string, unknown>;
  createdAt: Date;
}

/** SQL for the signing_keys table. */
export function createSigningKeyQueries(knex: Knex) {
  return {
    async listSigningKeys(): Promise<SigningKeyRecord[]> {
      const rows = await knex<{ kid: string; alg: string; private_jwk: Record<string, unknown>; created_at: Date }>(
        'signing_keys',
      ).select('kid', 'alg', 'private_jwk', 'created_at').orderBy('created_at', 'desc');
      return rows.map((row) => ({ kid: row.kid, alg: row.alg, privateJwk: row.private_jwk, createdAt: row.created_at }));
    },

    /** Inserts a key unless one with that kid exists; returns whether it was inserted. */
    async insertSigningKey(key: Omit<SigningKeyRecord, 'createdAt'>, now: Date): Promise<void> {
      await knex('signing_keys')
        .insert({ kid: key.kid, alg: key.alg, use: 'sig', private_jwk: JSON.stringify(key.privateJwk), created_at: now })
        .onConflict('kid')
        .ignore();
    },
  };
}

export type SigningKeyQueries = ReturnType<typeof createSigningKeyQueries>;
