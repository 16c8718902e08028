import type { Knex } from 'knex';

/** One client a session signed in to, from oidc-provider's `authorizations` of the session. */
export interface SessionClient {
  clientId: string;
  /** The session id this client knows (the `sid` of its ID tokens and logout tokens). */
  sid: string | undefined;
  grantId: string | undefined;
}

/**
 * A person's sign-in session at Latchkey. `uid` is its public id; the row id (oidc-provider's `jti`) is the value of
 * the session cookie, a bearer secret, so it never leaves this layer.
 */
export interface SessionRecord {
  uid: string;
  accountId: string;
  signedInAt: Date | undefined;
  expiresAt: Date | undefined;
  /** Authentication methods of the sign-in (RFC 8176), e.g. ['pwd']. */
  amr: string[];
  clients: SessionClient[];
}

interface SessionRow {
  uid: string | null;
  account_id: string | null;
  payload: unknown;
  expires_at: Date | null;
}

const MODEL = 'Session';

/** SQL for the sessions oidc-provider keeps in oidc_payloads (model 'Session'); only signed-in sessions count. */
export function createSessionQueries(knex: Knex) {
  const live = (now: Date) =>
    knex<SessionRow>('oidc_payloads')
      .select('uid', 'account_id', 'payload', 'expires_at')
      .where('model', MODEL)
      .whereNotNull('account_id')
      .andWhereRaw('(expires_at IS NULL OR expires_at > ?)', [now]);

  return {
    /** The live sessions of an account, newest sign-in first. */
    async listSessionsByAccountId(accountId: string, now: Date): Promise<SessionRecord[]> {
      const rows = await live(now).andWhere('account_id', accountId);
      return sortNewestFirst(rows.flatMap(toSessionRecord));
    },

    async findSessionByUid(uid: string, now: Date): Promise<SessionRecord | undefined> {
      const row = await live(now).andWhere('uid', uid).first();
      return row ? toSessionRecord(row)[0] : undefined;
    },

    /** Deletes every session of an account; returns those that were still live (expired ones end unnoticed). */
    async deleteSessionsByAccountId(accountId: string, now: Date): Promise<SessionRecord[]> {
      const rows: SessionRow[] = await knex('oidc_payloads')
        .where({ model: MODEL, account_id: accountId })
        .delete()
        .returning(['uid', 'account_id', 'payload', 'expires_at']);
      return rows.filter((row) => isLive(row, now)).flatMap(toSessionRecord);
    },

    /** Deletes one session by its public id; returns it when it was live. */
    async deleteSessionByUid(uid: string, now: Date): Promise<SessionRecord | undefined> {
      const rows: SessionRow[] = await knex('oidc_payloads')
        .where({ model: MODEL, uid })
        .whereNotNull('account_id')
        .delete()
        .returning(['uid', 'account_id', 'payload', 'expires_at']);
      return rows.filter((row) => isLive(row, now)).flatMap(toSessionRecord)[0];
    },
  };
}

export type SessionQueries = ReturnType<typeof createSessionQueries>;

function isLive(row: SessionRow, now: Date): boolean {
  return row.expires_at === null || row.expires_at > now;
}

function sortNewestFirst(sessions: SessionRecord[]): SessionRecord[] {
  return sessions.sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
}

/** Reads the parts of oidc-provider's Session payload we use; a row without uid or account is no sign-in session. */
function toSessionRecord(row: SessionRow): SessionRecord[] {
  if (!row.uid || !row.account_id) return [];
  const payload = isObject(row.payload) ? row.payload : {};
  const loginTs = payload['loginTs'];
  const amr = payload['amr'];
  const authorizations = isObject(payload['authorizations']) ? payload['authorizations'] : {};
  return [
    {
      uid: row.uid,
      accountId: row.account_id,
      signedInAt: typeof loginTs === 'number' ? new Date(loginTs * 1000) : undefined,
      expiresAt: row.expires_at ?? undefined,
      amr: Array.isArray(amr) ? amr.filter((method): method is string => typeof method === 'string') : [],
      clients: Object.entries(authorizations).map(([clientId, authorization]) => {
        const details = isObject(authorization) ? authorization : {};
        return { clientId, sid: stringOrUndefined(details['sid']), grantId: stringOrUndefined(details['grantId']) };
      }),
    },
  ];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
