import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';
import { latestLiveGrantSql, storable, type LatestGrant, type StoredOidcPayload, type StoredRow } from './oidc-payload-rows.ts';
import { USER_COLUMNS, toUserRecord, type UserRecord, type UserRow } from './users.ts';

/**
 * A payload with what its requests read next, when it has them: the grant it belongs to, the session it expires with
 * (by the session's uid) and its account's user; for an interaction of a signed-in person, the consent they gave its
 * client before (the newest live Grant), which the resume after a sign-in looks for.
 */
export interface StoredOidcPayloadWithRelations {
  stored: StoredOidcPayload;
  grant?: { id: string; stored: StoredOidcPayload | undefined };
  session?: { uid: string; stored: StoredOidcPayload | undefined };
  account?: { id: string; user: UserRecord | undefined };
  latestGrant?: { accountId: string; clientId: string; found: LatestGrant | undefined };
}

interface RelationsRow extends StoredRow {
  grant_id: string | null;
  session_uid: string | null;
  account_id: string | null;
  grant_payload_json: string | null;
  grant_consumed_at: Date | null;
  session_payload_json: string | null;
  session_consumed_at: Date | null;
  interaction_client_id: string | null;
  latest_grant_id: string | null;
  latest_grant_payload_json: string | null;
  latest_grant_consumed_at: Date | null;
  [userColumn: `user__${string}`]: unknown;
}

// An interaction's person and client; NULL for every other model, so the lateral lookup of their newest live Grant
// below finds nothing at once (a NULL index key matches no row).
const INTERACTION_ACCOUNT_ID = `CASE WHEN t.model = 'Interaction' THEN t.account_id END`;
const INTERACTION_CLIENT_ID = `CASE WHEN t.model = 'Interaction' THEN t.payload->'params'->>'client_id' END`;
// What a payload row `t` is read with: its grant, the session it expires with (tokens name it by uid), its user and,
// for an interaction, its person's newest live Grant for its client.
const RELATIONS_COLUMNS = `t.payload::text AS payload_json, t.consumed_at, t.grant_id, t.payload->>'sessionUid' AS session_uid,
  t.account_id, g.payload::text AS grant_payload_json, g.consumed_at AS grant_consumed_at,
  s.payload::text AS session_payload_json, s.consumed_at AS session_consumed_at,
  ${INTERACTION_CLIENT_ID} AS interaction_client_id,
  lg.id AS latest_grant_id, lg.payload_json AS latest_grant_payload_json, lg.consumed_at AS latest_grant_consumed_at,
  ${USER_COLUMNS.map((column) => `u.${column} AS user__${column}`).join(', ')}`;
const RELATIONS_JOINS = `
  LEFT JOIN oidc_payloads g ON g.model = 'Grant' AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > :now)
  LEFT JOIN oidc_payloads s ON s.model = 'Session' AND s.uid = t.payload->>'sessionUid' AND (s.expires_at IS NULL OR s.expires_at > :now)
  LEFT JOIN users u ON u.id = t.account_id
  LEFT JOIN LATERAL (${latestLiveGrantSql(INTERACTION_ACCOUNT_ID, INTERACTION_CLIENT_ID, ':now')}) lg ON true`;

/**
 * Reads of oidc_payloads rows together with what the requests reading them read next, joined in one statement: their
 * grant, the session they expire with and their account's user. Part of the oidc_payloads query group.
 */
export function createOidcPayloadRelationQueries(knex: Knex) {
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
    if (row.account_id !== null && row.interaction_client_id !== null) {
      found.latestGrant = {
        accountId: row.account_id,
        clientId: row.interaction_client_id,
        found: row.latest_grant_id === null || row.latest_grant_payload_json === null
          ? undefined
          : { id: row.latest_grant_id, stored: { payloadJson: row.latest_grant_payload_json, consumedAt: row.latest_grant_consumed_at } },
      };
    }
    return found;
  };

  return {
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
  };
}
