import type { Knex } from 'knex';
import { createOidcPayloadRelationQueries } from './oidc-payload-relations.ts';
import { latestLiveGrantSql, storable, type LatestGrant, type StoredOidcPayload, type StoredRow } from './oidc-payload-rows.ts';
import { PREPARED } from '../preparing-pg-client.ts';

export type { LatestGrant, StoredOidcPayload } from './oidc-payload-rows.ts';
export type { StoredOidcPayloadWithRelations } from './oidc-payload-relations.ts';

interface PayloadRow {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  expires_at: Date | null;
}

/** SQL for the oidc_payloads table; expired rows are never returned, even before the cleanup deletes them. */
export function createOidcPayloadQueries(knex: Knex) {
  const notExpired = (now: Date): [string, Date[]] => ['(expires_at IS NULL OR expires_at > ?)', [now]];
  const live = (model: string, now: Date) =>
    knex<PayloadRow>('oidc_payloads')
      .select(knex.raw('payload::text AS payload_json'), 'consumed_at')
      .where('model', model)
      .andWhereRaw(...notExpired(now))
      .options(PREPARED);

  const toStored = (row: StoredRow | undefined): StoredOidcPayload | undefined =>
    row ? { payloadJson: row.payload_json, consumedAt: row.consumed_at } : undefined;

  return {
    ...createOidcPayloadRelationQueries(knex),

    async findPayloadById(model: string, id: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(id)) return undefined;
      return toStored(await live(model, now).andWhere('id', id).first<StoredRow | undefined>());
    },

    async findPayloadByUid(model: string, uid: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(uid)) return undefined;
      return toStored(await live(model, now).andWhere('uid', uid).first<StoredRow | undefined>());
    },

    async findPayloadByUserCode(model: string, userCode: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(userCode)) return undefined;
      return toStored(await live(model, now).andWhere('user_code', userCode).first<StoredRow | undefined>());
    },


    /** The newest live Grant a person gave a client, to reuse their consent on a later sign-in. */
    async findLatestGrantByAccountAndClient(accountId: string, clientId: string, now: Date): Promise<LatestGrant | undefined> {
      const result = await knex
        .raw<{ rows: (StoredRow & { id: string })[] }>(
          latestLiveGrantSql('CAST(:accountId AS text)', 'CAST(:clientId AS text)', 'CAST(:now AS timestamptz)'),
          { accountId, clientId, now },
        )
        .options(PREPARED);
      const row = result.rows[0];
      return row ? { id: row.id, stored: { payloadJson: row.payload_json, consumedAt: row.consumed_at } } : undefined;
    },

    async deletePayloadsByAccountId(model: string, accountId: string): Promise<number> {
      return knex('oidc_payloads').where({ model, account_id: accountId }).delete();
    },

    /** Deletes everything issued to an account: sessions, grants, codes and tokens. */
    async deleteAllPayloadsByAccountId(accountId: string): Promise<number> {
      return knex('oidc_payloads').where('account_id', accountId).delete();
    },

    /** Deletes up to `batchSize` expired rows; returns how many went, so the caller can loop until none are left. */
    async deleteExpiredPayloads(now: Date, batchSize: number): Promise<number> {
      return knex('oidc_payloads')
        .whereIn(
          ['model', 'id'],
          knex('oidc_payloads').select('model', 'id').where('expires_at', '<=', now).limit(batchSize),
        )
        .delete();
    },
  };
}

export type OidcPayloadQueries = ReturnType<typeof createOidcPayloadQueries>;
