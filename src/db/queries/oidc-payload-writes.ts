import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';

/** A payload to store, with the columns it is looked up by; `payloadJson` is the payload as JSON text. */
export interface OidcPayloadRow {
  model: string;
  id: string;
  payloadJson: string;
  grantId: string | undefined;
  userCode: string | undefined;
  uid: string | undefined;
  accountId: string | undefined;
  expiresAt: Date | undefined;
}

/** One write of oidc-provider's adapter (src/oidc/payload-writer.ts). */
export type OidcPayloadWrite =
  | { kind: 'upsert'; row: OidcPayloadRow }
  | { kind: 'consume'; model: string; id: string }
  | { kind: 'destroy'; model: string; id: string };

const UPSERT_MERGE = `ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
  user_code = excluded.user_code, uid = excluded.uid, account_id = excluded.account_id, expires_at = excluded.expires_at`;
const ONLY_IF_CONSUMED = 'EXISTS (SELECT 1 FROM consumed)';

/**
 * The writes of oidc-provider's adapter to oidc_payloads: a request's deferred writes go in one statement, one commit
 * and one round trip instead of one each; a grant's revocation deletes all its rows. Kept out of the query groups
 * that wait for a request's deferred writes (src/db/queries/index.ts): it is what they wait for.
 */
export function createOidcPayloadWriteQueries(knex: Knex) {
  return {
    /**
     * Stores `writes`, each on a different row, all or none. A consume may only come first; the writes after it then
     * take effect only if it did: a code or refresh token is spent once, and a request that lost the race to spend it
     * stores nothing of what it would have issued. Returns false when the leading consume found the row already
     * consumed (or gone), true otherwise.
     */
    async storePayloadWrites(writes: readonly OidcPayloadWrite[], now: Date): Promise<boolean> {
      if (writes.length === 0) return true;
      const guarded = writes[0]?.kind === 'consume';
      const bindings: Record<string, unknown> = { now };
      const statements = writes.map((write, index) => {
        if (write.kind === 'consume' && index > 0) throw new Error('a consume must come first among deferred writes');
        const guard = guarded && index > 0;
        if (write.kind === 'upsert') return `w${index} AS (${upsertSql(write.row, index, guard, bindings)})`;
        bindings[`model${index}`] = write.model;
        bindings[`id${index}`] = write.id;
        const row = `model = CAST(:model${index} AS text) AND id = CAST(:id${index} AS text)`;
        if (write.kind === 'consume') {
          return `consumed AS (UPDATE oidc_payloads SET consumed_at = CAST(:now AS timestamptz) WHERE ${row} AND consumed_at IS NULL RETURNING 1)`;
        }
        return `w${index} AS (DELETE FROM oidc_payloads WHERE ${row}${guard ? ` AND ${ONLY_IF_CONSUMED}` : ''})`;
      });
      const result = await knex
        .raw<{ rows: { stored: boolean }[] }>(`WITH ${statements.join(',\n')} SELECT ${guarded ? ONLY_IF_CONSUMED : 'true'} AS stored`, bindings)
        .options(PREPARED);
      return result.rows[0]?.stored === true;
    },

    /** Deletes every payload of a grant, whatever its model: tokens, codes and the grant itself. */
    async deletePayloadsByGrantId(grantId: string): Promise<number> {
      return knex('oidc_payloads').where('grant_id', grantId).delete().options(PREPARED);
    },
  };
}

function upsertSql(row: OidcPayloadRow, index: number, guard: boolean, bindings: Record<string, unknown>): string {
  const values: Record<string, [unknown, string]> = {
    model: [row.model, 'text'],
    id: [row.id, 'text'],
    payload: [row.payloadJson, 'jsonb'],
    grant_id: [row.grantId, 'text'],
    user_code: [row.userCode, 'text'],
    uid: [row.uid, 'text'],
    account_id: [row.accountId, 'text'],
    expires_at: [row.expiresAt, 'timestamptz'],
  };
  const selected = Object.entries(values).map(([column, [value, type]]) => {
    bindings[`${column}${index}`] = value ?? null;
    return `CAST(:${column}${index} AS ${type})`;
  });
  return `INSERT INTO oidc_payloads (${Object.keys(values).join(', ')}, consumed_at)
    SELECT ${selected.join(', ')}, CAST(NULL AS timestamptz)${guard ? ` WHERE ${ONLY_IF_CONSUMED}` : ''}
    ${UPSERT_MERGE}`;
}

export type OidcPayloadWriteQueries = ReturnType<typeof createOidcPayloadWriteQueries>;
