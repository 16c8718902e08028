import type { Knex } from 'knex';
import { USER_COLUMNS, toUserRecord, type UserRecord, type UserRow } from './users.ts';
import { PREPARED } from '../preparing-pg-client.ts';

/** What oidc-provider stores for one model instance, as it hands it to the adapter. */
export type OidcPayload = Record<string, unknown>;

interface PayloadRow {
  model: string;
  id: string;
  payload: OidcPayload;
  consumed_at: Date | null;
  expires_at: Date | null;
}

/**
 * A stored payload as read: the JSON text, parsed by whoever uses it, so a cached copy can never be changed through
 * an object handed out earlier.
 */
export interface StoredOidcPayload {
  payloadJson: string;
  consumedAt: Date | null;
}

/**
 * A payload with what its requests read next, when it has them: the grant it belongs to, the session it expires with
 * (by the session's uid) and its account's user.
 */
export interface StoredOidcPayloadWithRelations {
  stored: StoredOidcPayload;
  grant?: { id: string; stored: StoredOidcPayload | undefined };
  session?: { uid: string; stored: StoredOidcPayload | undefined };
  account?: { id: string; user: UserRecord | undefined };
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

interface StoredRow {
  payload_json: string;
  consumed_at: Date | null;
}

interface RelationsRow extends StoredRow {
  grant_id: string | null;
  session_uid: string | null;
  account_id: string | null;
  grant_payload_json: string | null;
  grant_consumed_at: Date | null;
  session_payload_json: string | null;
  session_consumed_at: Date | null;
  [userColumn: `user__${string}`]: unknown;
}

// What a payload row `t` is read with: its grant, the session it expires with (tokens name it by uid) and its user.
const RELATIONS_COLUMNS = `t.payload::text AS payload_json, t.consumed_at, t.grant_id, t.payload->>'sessionUid' AS session_uid,
  t.account_id, g.payload::text AS grant_payload_json, g.consumed_at AS grant_consumed_at,
  s.payload::text AS session_payload_json, s.consumed_at AS session_consumed_at,
  ${USER_COLUMNS.map((column) => `u.${column} AS user__${column}`).join(', ')}`;
const RELATIONS_JOINS = `
  LEFT JOIN oidc_payloads g ON g.model = 'Grant' AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > :now)
  LEFT JOIN oidc_payloads s ON s.model = 'Session' AND s.uid = t.payload->>'sessionUid' AND (s.expires_at IS NULL OR s.expires_at > :now)
  LEFT JOIN users u ON u.id = t.account_id`;

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
    knex<PayloadRow>('oidc_payloads')
      .select(knex.raw('payload::text AS payload_json'), 'consumed_at')
      .where('model', model)
      .andWhereRaw(...notExpired(now))
      .options(PREPARED);

  const toStored = (row: StoredRow | undefined): StoredOidcPayload | undefined =>
    row ? { payloadJson: row.payload_json, consumedAt: row.consumed_at } : undefined;

  const userOf = (row: RelationsRow): UserRecord | undefined => {
    if (row.user__id === null) return undefined;
    const user = Object.fromEntries(USER_COLUMNS.map((column) => [column, row[`user__${column}`]])) as unknown as UserRow;
    return toUserRecord(user);
  };

  const storedOrUndefined = (payloadJson: string | null, consumedAt: Date | null): StoredOidcPayload | undefined =>
    payloadJson === null ? undefined : { payloadJson, consumedAt };

  const withRelations = (row: RelationsRow): StoredOidcPayloadWithRelations => {
    const found: StoredOidcPayloadWithRelations = { stored: { payloadJson: row.payload_json, consumedAt: row.consumed_at } };
    if (row.grant_id !== null) found.grant = { id: row.grant_id, stored: storedOrUndefined(row.grant_payload_json, row.grant_consumed_at) };
    if (row.session_uid !== null) found.session = { uid: row.session_uid, stored: storedOrUndefined(row.session_payload_json, row.session_consumed_at) };
    if (row.account_id !== null) found.account = { id: row.account_id, user: userOf(row) };
    return found;
  };

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
        .merge(['payload', 'grant_id', 'user_code', 'uid', 'account_id', 'expires_at'])
        .options(PREPARED);
    },

    async findPayloadById(model: string, id: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(id)) return undefined;
      return toStored(await live(model, now).andWhere('id', id).first<StoredRow | undefined>());
    },

    /**
     * Payloads (by model and id) each together with its grant, the session it expires with and its account's user,
     * all in one round trip: whoever reads a token, a code, a session or an interaction reads those next (userinfo,
     * introspection, the token endpoint, any request in a session, the resume after a sign-in), and introspection
     * without a type hint looks for one token as three models at once. Results are in the order of `lookups`,
     * undefined where nothing live was found.
     */
    async findPayloadsWithRelations(
      lookups: readonly { model: string; id: string }[],
      now: Date,
    ): Promise<(StoredOidcPayloadWithRelations | undefined)[]> {
      const bindings: Record<string, unknown> = { now };
      const wanted: string[] = [];
      lookups.forEach((lookup, index) => {
        if (!storable(lookup.id)) return;
        Object.assign(bindings, { [`model${index}`]: lookup.model, [`id${index}`]: lookup.id });
        wanted.push(`(${index}, CAST(:model${index} AS text), CAST(:id${index} AS text))`);
      });
      if (wanted.length === 0) return lookups.map(() => undefined);
      const result = await knex.raw<{ rows: (RelationsRow & { lookup_index: number })[] }>(
        `SELECT w.lookup_index, ${RELATIONS_COLUMNS}
           FROM (VALUES ${wanted.join(', ')}) AS w (lookup_index, model, id)
           JOIN oidc_payloads t ON t.model = w.model AND t.id = w.id AND (t.expires_at IS NULL OR t.expires_at > :now)
           ${RELATIONS_JOINS}`,
        bindings,
      ).options(PREPARED);
      const found: (StoredOidcPayloadWithRelations | undefined)[] = lookups.map(() => undefined);
      for (const row of result.rows) found[row.lookup_index] = withRelations(row);
      return found;
    },

    /** A session (or another model) by uid, with its relations as findPayloadsWithRelations reads them. */
    async findPayloadByUidWithRelations(model: string, uid: string, now: Date): Promise<StoredOidcPayloadWithRelations | undefined> {
      if (!storable(uid)) return undefined;
      const result = await knex.raw<{ rows: RelationsRow[] }>(
        `SELECT ${RELATIONS_COLUMNS}
           FROM oidc_payloads t ${RELATIONS_JOINS}
          WHERE t.model = :model AND t.uid = :uid AND (t.expires_at IS NULL OR t.expires_at > :now)`,
        { model, uid, now },
      ).options(PREPARED);
      const row = result.rows[0];
      return row ? withRelations(row) : undefined;
    },

    async findPayloadByUid(model: string, uid: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(uid)) return undefined;
      return toStored(await live(model, now).andWhere('uid', uid).first<StoredRow | undefined>());
    },

    async findPayloadByUserCode(model: string, userCode: string, now: Date): Promise<StoredOidcPayload | undefined> {
      if (!storable(userCode)) return undefined;
      return toStored(await live(model, now).andWhere('user_code', userCode).first<StoredRow | undefined>());
    },

    /** Marks a payload consumed once; a second consume keeps the first time, which is what replay detection reads. */
    async consumePayload(model: string, id: string, now: Date): Promise<void> {
      await knex('oidc_payloads').where({ model, id }).whereNull('consumed_at').update({ consumed_at: now }).options(PREPARED);
    },

    async deletePayload(model: string, id: string): Promise<void> {
      await knex('oidc_payloads').where({ model, id }).delete().options(PREPARED);
    },

    /** Deletes every payload of a grant, whatever its model: tokens, codes and the grant itself. */
    async deletePayloadsByGrantId(grantId: string): Promise<number> {
      return knex('oidc_payloads').where('grant_id', grantId).delete().options(PREPARED);
    },


    /** The newest live Grant a person gave a client, to reuse their consent on a later sign-in. */
    async findLatestGrantByAccountAndClient(
      accountId: string,
      clientId: string,
      now: Date,
    ): Promise<{ id: string; stored: StoredOidcPayload } | undefined> {
      const row = await knex<PayloadRow>('oidc_payloads')
        .select('id', knex.raw('payload::text AS payload_json'), 'consumed_at')
        .where('model', 'Grant')
        .andWhereRaw(...notExpired(now))
        .andWhere('account_id', accountId)
        .andWhereRaw("payload->>'clientId' = ?", [clientId])
        .orderByRaw("(payload->>'iat')::bigint DESC")
        .options(PREPARED)
        .first<(StoredRow & { id: string }) | undefined>();
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
