import type { Knex } from 'knex';

/** A live sign-in session of an account, with what session_activity knows about it. */
export interface AccountSessionRow {
  uid: string;
  /** oidc-provider's loginTs (epoch seconds), when the person last signed in with their password there. */
  loginTs: number | undefined;
  /** Client ids that used this session (oidc-provider's per-client authorizations). */
  clientIds: string[];
  userAgent: string | undefined;
  ip: string | undefined;
  signedInAt: Date | undefined;
  lastSeenAt: Date | undefined;
}

/** A live Grant (a person's consent to a client), as oidc-provider stores it. */
export interface AccountGrantRow {
  id: string;
  clientId: string;
  /** OpenID scopes granted, space separated. */
  oidcScope: string;
  /** API identifier → scopes granted, space separated. */
  resources: Record<string, string>;
  /** Epoch seconds. */
  issuedAt: number | undefined;
}

interface SessionJoinRow {
  uid: string;
  payload: { loginTs?: unknown; authorizations?: unknown };
  user_agent: string | null;
  ip: string | null;
  signed_in_at: Date | null;
  last_seen_at: Date | null;
}

interface GrantPayload {
  clientId?: unknown;
  openid?: { scope?: unknown };
  resources?: unknown;
  iat?: unknown;
}

/** SQL behind the account page: the sessions (with their activity) and the grants of one account. */
export function createAccountPageQueries(knex: Knex) {
  const liveRows = (model: string, now: Date) =>
    knex('oidc_payloads')
      .where('oidc_payloads.model', model)
      .andWhereRaw('(oidc_payloads.expires_at IS NULL OR oidc_payloads.expires_at > ?)', [now]);

  return {
    /** The live sessions of an account, most recently used first. */
    async listSessionsByAccountId(accountId: string, now: Date): Promise<AccountSessionRow[]> {
      const rows: SessionJoinRow[] = await liveRows('Session', now)
        .andWhere('oidc_payloads.account_id', accountId)
        .leftJoin('session_activity', 'session_activity.session_uid', 'oidc_payloads.uid')
        .select('oidc_payloads.uid', 'oidc_payloads.payload', 'user_agent', 'ip', 'signed_in_at', 'last_seen_at')
        .orderByRaw("coalesce(last_seen_at, to_timestamp((payload->>'loginTs')::bigint)) DESC NULLS LAST");
      return rows.map((row) => ({
        uid: row.uid,
        loginTs: typeof row.payload.loginTs === 'number' ? row.payload.loginTs : undefined,
        clientIds: isRecord(row.payload.authorizations) ? Object.keys(row.payload.authorizations) : [],
        userAgent: row.user_agent ?? undefined,
        ip: row.ip ?? undefined,
        signedInAt: row.signed_in_at ?? undefined,
        lastSeenAt: row.last_seen_at ?? undefined,
      }));
    },

    /** Deletes one session of the account (another account's session uid deletes nothing); returns whether it existed. */
    async deleteSessionByUid(accountId: string, uid: string): Promise<boolean> {
      const deleted = await knex('oidc_payloads').where({ model: 'Session', account_id: accountId, uid }).delete();
      await knex('session_activity').where({ session_uid: uid, account_id: accountId }).delete();
      return deleted > 0;
    },

    /** Deletes every session of the account but `keepUid` (when given); returns how many went. */
    async deleteSessionsByAccountId(accountId: string, keepUid?: string): Promise<number> {
      const sessions = knex('oidc_payloads').where({ model: 'Session', account_id: accountId });
      const activity = knex('session_activity').where('account_id', accountId);
      if (keepUid !== undefined) {
        sessions.andWhereNot('uid', keepUid);
        activity.andWhereNot('session_uid', keepUid);
      }
      const deleted = await sessions.delete();
      await activity.delete();
      return deleted;
    },

    /** The live grants of an account, newest first. */
    async listGrantsByAccountId(accountId: string, now: Date): Promise<AccountGrantRow[]> {
      const rows: { id: string; payload: GrantPayload }[] = await liveRows('Grant', now)
        .andWhere('account_id', accountId)
        .select('id', 'payload')
        .orderByRaw("(payload->>'iat')::bigint DESC");
      return rows.flatMap(({ id, payload }) => {
        if (typeof payload.clientId !== 'string') return [];
        const resources = isRecord(payload.resources) ? payload.resources : {};
        return [{
          id,
          clientId: payload.clientId,
          oidcScope: typeof payload.openid?.scope === 'string' ? payload.openid.scope : '',
          resources: Object.fromEntries(Object.entries(resources).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
          issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
        }];
      });
    },

    /**
     * Revokes everything an account gave a client: each of their grants with every code and token issued under it
     * (what oidc-provider's revokeByGrantId does, plus the Grant itself). Returns how many grants went.
     */
    async deleteGrantsByAccountAndClient(accountId: string, clientId: string): Promise<number> {
      const grantIds = knex('oidc_payloads')
        .select('id')
        .where({ model: 'Grant', account_id: accountId })
        .andWhereRaw("payload->>'clientId' = ?", [clientId]);
      await knex('oidc_payloads').whereIn('grant_id', grantIds).delete();
      return knex('oidc_payloads').where({ model: 'Grant', account_id: accountId }).andWhereRaw("payload->>'clientId' = ?", [clientId]).delete();
    },
  };
}

export type AccountPageQueries = ReturnType<typeof createAccountPageQueries>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
