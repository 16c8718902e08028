import type { ClientMetadata } from '../config/types.ts';
import type { Queries } from '../db/queries/index.ts';
import type { SessionRecord } from '../db/queries/sessions.ts';
import type { BackchannelLogoutRecord, NewBackchannelLogout, SessionEndReason } from '../db/queries/backchannel-logouts.ts';

/** The ids of the clients that registered a backchannel_logout_uri, i.e. that are owed a logout token. */
export function findLogoutReceivers(clients: readonly ClientMetadata[]): ReadonlySet<string> {
  return new Set(clients.filter((client) => client.backchannel_logout_uri !== undefined).map((client) => client.client_id));
}

/** The logout tokens owed for ended sessions: one per client of each session that registered a back-channel URI. */
export function logoutsOwedFor(
  sessions: readonly SessionRecord[],
  receivers: ReadonlySet<string>,
  reason: SessionEndReason,
): NewBackchannelLogout[] {
  return sessions.flatMap((session) =>
    session.clients
      .filter((client) => receivers.has(client.clientId))
      .map((client) => ({ clientId: client.clientId, accountId: session.accountId, sid: client.sid, sessionUid: session.uid, reason })),
  );
}

/**
 * People's sign-in sessions: listing them and ending them. Ending a session deletes it (every instance reads sessions
 * from the database, so it is over everywhere at once; tokens bound to it stop working with it) and, in the same
 * transaction, records the back-channel logout tokens owed to its clients, which the instances then deliver.
 */
export function createSessionService(
  queries: Queries,
  /** The clients owed logout tokens now (clients.yaml may be reloaded while the server runs). */
  receivers: () => ReadonlySet<string>,
  now: () => Date = () => new Date(),
) {
  return {
    /** The live sessions of an account, newest sign-in first. */
    listSessions(accountId: string): Promise<SessionRecord[]> {
      return queries.sessions.listSessionsByAccountId(accountId, now());
    },

    findSession(uid: string): Promise<SessionRecord | undefined> {
      return queries.sessions.findSessionByUid(uid, now());
    },

    /** Ends one session by its public id; returns it, or undefined when there was no live session with that id. */
    async endSession(uid: string, reason: SessionEndReason, queriesInUse: Queries = queries): Promise<SessionRecord | undefined> {
      return queriesInUse.transaction(async (trx) => {
        const ended = await trx.sessions.deleteSessionByUid(uid, now());
        if (ended) await trx.backchannelLogouts.insertBackchannelLogouts(logoutsOwedFor([ended], receivers(), reason), now());
        return ended;
      });
    },

    /** Ends every session of an account; returns how many live ones ended. Pass a transaction to join it. */
    async endSessionsOfAccount(accountId: string, reason: SessionEndReason, queriesInUse: Queries = queries): Promise<number> {
      return queriesInUse.transaction(async (trx) => {
        const ended = await trx.sessions.deleteSessionsByAccountId(accountId, now());
        await trx.backchannelLogouts.insertBackchannelLogouts(logoutsOwedFor(ended, receivers(), reason), now());
        return ended.length;
      });
    },

    /** The record of back-channel logout tokens owed or sent for an account, newest first. */
    listBackchannelLogouts(accountId: string, limit = 50): Promise<BackchannelLogoutRecord[]> {
      return queries.backchannelLogouts.listBackchannelLogoutsByAccountId(accountId, limit);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
