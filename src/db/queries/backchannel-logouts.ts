import type { Knex } from 'knex';

/** Why a session ended; kept with each logout token owed, for the record. */
export type SessionEndReason = 'logout' | 'revoked' | 'disabled' | 'password_changed' | 'deleted';

/** A logout token owed to a client. */
export interface NewBackchannelLogout {
  clientId: string;
  accountId: string;
  sid: string | undefined;
  sessionUid: string | undefined;
  reason: SessionEndReason;
}

/** A row of the back-channel logout outbox. */
export interface BackchannelLogoutRecord extends NewBackchannelLogout {
  id: string;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastError: string | null;
  deliveredTo: string | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

interface Row {
  id: string;
  client_id: string;
  account_id: string;
  sid: string | null;
  session_uid: string | null;
  reason: SessionEndReason;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  delivered_to: string | null;
  delivered_at: Date | null;
  failed_at: Date | null;
}

const MAX_ERROR_LENGTH = 500;

/** SQL for the backchannel_logouts outbox. A row is pending while next_attempt_at is set. */
export function createBackchannelLogoutQueries(knex: Knex) {
  const table = () => knex<Row>('backchannel_logouts');

  return {
    async insertBackchannelLogouts(logouts: readonly NewBackchannelLogout[], now: Date): Promise<void> {
      if (logouts.length === 0) return;
      await table().insert(
        logouts.map((logout) => ({
          client_id: logout.clientId,
          account_id: logout.accountId,
          sid: logout.sid ?? null,
          session_uid: logout.sessionUid ?? null,
          reason: logout.reason,
          created_at: now,
          next_attempt_at: now,
        })),
      );
    },

    /**
     * Claims up to `limit` due rows for this instance: each gets one more attempt and a lease until `leaseUntil`, so no
     * other instance takes it meanwhile (SKIP LOCKED passes over rows another instance is claiming right now). A row
     * whose instance died mid-delivery becomes due again when its lease runs out.
     */
    async claimDueBackchannelLogouts(now: Date, leaseUntil: Date, limit: number): Promise<BackchannelLogoutRecord[]> {
      const rows = await table()
        .whereIn(
          'id',
          table().select('id').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked(),
        )
        .update({ next_attempt_at: leaseUntil, last_attempt_at: now, attempts: knex.raw('attempts + 1') })
        .returning('*');
      return rows.map(toRecord);
    },

    async markBackchannelLogoutDelivered(id: string, deliveredTo: string, now: Date): Promise<void> {
      await table().where('id', id).update({ delivered_at: now, delivered_to: deliveredTo, next_attempt_at: null, last_error: null });
    },

    async markBackchannelLogoutRetry(id: string, nextAttemptAt: Date, error: string): Promise<void> {
      await table().where('id', id).update({ next_attempt_at: nextAttemptAt, last_error: error.slice(0, MAX_ERROR_LENGTH) });
    },

    async markBackchannelLogoutFailed(id: string, error: string, now: Date): Promise<void> {
      await table().where('id', id).update({ failed_at: now, next_attempt_at: null, last_error: error.slice(0, MAX_ERROR_LENGTH) });
    },

    /** The logout tokens owed or sent for an account's sessions, newest first. */
    async listBackchannelLogoutsByAccountId(accountId: string, limit: number): Promise<BackchannelLogoutRecord[]> {
      const rows = await table().where('account_id', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      return rows.map(toRecord);
    },

    /** Deletes up to `batchSize` finished rows created before `before`; returns how many went. */
    async deleteFinishedBackchannelLogouts(before: Date, batchSize: number): Promise<number> {
      return table()
        .whereIn('id', table().select('id').whereNull('next_attempt_at').andWhere('created_at', '<', before).limit(batchSize))
        .delete();
    },
  };
}

export type BackchannelLogoutQueries = ReturnType<typeof createBackchannelLogoutQueries>;

function toRecord(row: Row): BackchannelLogoutRecord {
  return {
    id: String(row.id),
    clientId: row.client_id,
    accountId: row.account_id,
    sid: row.sid ?? undefined,
    sessionUid: row.session_uid ?? undefined,
    reason: row.reason,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    deliveredTo: row.delivered_to,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
  };
}
