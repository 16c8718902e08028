import type { Knex } from 'knex';

/** What oidc-provider stores for one model instance, as it hands it to the adapter. */
export type OidcPayload = Record<string, unknown>;

interface PayloadRow {
  model: string;
  id: string;
  payload: OidcPayload;
  consumed_at: Date | null;
  expires_at: Date | null;
}

export interface StoredOidcPayload {
  payload: OidcPayload;
  consumedAt: Date | null;
}

export interface OidcPayloadRow {
  model: string;
  id: string;
  payload: OidcPayload;
  grantId: string | undefined;
  userCode: string | undefined;
  uid: string | undefined;
  accountId: string | undefined;
  expiresAt: Date | undefined;
}

/**
 * Ids come straight from requests (a code, a token, a cookie). Postgres text cannot hold NUL, so no row has such an id,
 * and pg would throw on it rather than find nothing.
 */
function storable(id: string): boolean {
  return !id.includes('\0');
}

/** SQL for the oidc_payloads table; expired rows are never returned, even before the cleanup deletes them. */
export function createOidcPayloadQueries(knex: Knex) {
  const notExpired = (now: Date): [string, Date[]] => ['(expires_at IS NULL OR expires_at > ?)', [now]];
  const live = (model: string, now: Date) =>
    knex<PayloadRow>('oidc_payloads').select('payload', 'consumed_at').where('model', model).andWhereRaw(...notExpired(now));

  const toStored = (row: Pick<PayloadRow, 'payload' | 'consumed_at'> | undefined) =>
    row ? { payload: row.payload, consumedAt: row.consumed_at } : undefined;

  return {
    async upsertPayload(row: OidcPayloadRow): Promise<void> {
      await knex('oidc_payloads')
        .insert({
          model: row.model,
          id: row.id,
          payload: JSON.stringify(row.payload),
          grant_id: row.grantId ?? null,
          user_code: row.userCode ?? null,
          uid: row.uid ?? null,
          account_id: row.accountId ?? null,
          expires_at: row.expiresAt ?? null,
          consumed_at: null,
        })
        .onConflict(['model', 'id'])
        .merge(['payload', 'grant_id', 'user_code', 'uid', 'account_id', 'expires_at']);
    },

    async findPayloadById(model: string, id: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(id)) return undefined;
      return toStored(await live(model, now).andWhere('id', id).first());
    },

    async findPayloadByUid(model: string, uid: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(uid)) return undefined;
      return toStored(await live(model, now).andWhere('uid', uid).first());
    },

    async findPayloadByUserCode(model: string, userCode: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(userCode)) return undefined;
      return toStored(await live(model, now).andWhere('user_code', userCode).first());
    },

    /** Marks a payload consumed once; a second consume keeps the first time, which is what replay detection reads. */
    async consumePayload(model: string, id: string, now: Date): Promise<void> {
      await knex('oidc_payloads').where({ model, id }).whereNull('consumed_at').update({ consumed_at: now });
    },

    async deletePayload(model: string, id: string): Promise<void> {
      await knex('oidc_payloads').where({ model, id }).delete();
    },

    /** Deletes every payload of a grant, whatever its model: tokens, codes and the grant itself. */
    async deletePayloadsByGrantId(grantId: string): Promise<number> {
      return knex('oidc_payloads').where('grant_id', grantId).delete();
    },


    /** The newest live Grant a person gave a client, to reuse their consent on a later sign-in. */
    async findLatestGrantIdByAccountAndClient(accountId: string, clientId: string, now: Date): Promise<string | undefined> {
      const row = await knex<PayloadRow>('oidc_payloads')
        .select('id')
        .where('model', 'Grant')
        .andWhereRaw(...notExpired(now))
        .andWhere('account_id', accountId)
        .andWhereRaw("payload->>'clientId' = ?", [clientId])
        .orderByRaw("(payload->>'iat')::bigint DESC")
        .first();
      return row?.id;
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
