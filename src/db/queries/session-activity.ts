import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';

/** Where a session was signed in from, as the request showed it. */
export interface SessionClient {
  sessionUid: string;
  accountId: string;
  ip: string | undefined;
  userAgent: string | undefined;
}

const MAX_USER_AGENT_LENGTH = 512;

/** SQL for session_activity: where and when each oidc-provider session (by uid) was signed in and last used. */
export function createSessionActivityQueries(knex: Knex) {
  const activityRow = (client: SessionClient, now: Date) => ({
    session_uid: client.sessionUid,
    account_id: client.accountId,
    user_agent: client.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    ip: client.ip ?? null,
    signed_in_at: now,
    last_seen_at: now,
  });

  return {
    /** A password sign-in in this session: it starts (again) from this browser and address. */
    async recordSignIn(client: SessionClient, now: Date): Promise<void> {
      await knex('session_activity')
        .insert(activityRow(client, now))
        .onConflict('session_uid')
        .merge(['account_id', 'user_agent', 'ip', 'signed_in_at', 'last_seen_at'])
        .options(PREPARED);
    },

    /** The session was used; written at most once per `throttleSeconds` so busy sessions cost no write per request. */
    async touchSessionActivity(client: SessionClient, now: Date, throttleSeconds: number): Promise<void> {
      await knex('session_activity')
        .insert(activityRow(client, now))
        .onConflict('session_uid')
        .merge(['user_agent', 'ip', 'last_seen_at'])
        .where('session_activity.last_seen_at', '<', new Date(now.getTime() - throttleSeconds * 1000))
        .andWhere('session_activity.account_id', client.accountId)
        .options(PREPARED);
    },

    async deleteSessionActivity(sessionUid: string): Promise<void> {
      await knex('session_activity').where('session_uid', sessionUid).delete();
    },

    /** Deletes up to `batchSize` rows whose session no longer exists; returns how many went. */
    async deleteOrphanedSessionActivity(batchSize: number): Promise<number> {
      return knex('session_activity')
        .whereIn(
          'session_uid',
          knex('session_activity as a')
            .select('a.session_uid')
            .whereNotExists(knex('oidc_payloads as p').select(knex.raw('1')).where('p.model', 'Session').andWhereRaw('p.uid = a.session_uid'))
            .limit(batchSize),
        )
        .delete();
    },
  };
}

export type SessionActivityQueries = ReturnType<typeof createSessionActivityQueries>;
