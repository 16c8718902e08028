import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';

/** A security event as stored in the append-only audit_events table. */
export interface AuditEventRecord {
  id: string;
  occurredAt: Date;
  event: string;
  userId: string | null;
  email: string | null;
  clientId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEventRecord, 'id' | 'occurredAt'>;

/** What `latchkey audit search` filters on; every filter is optional. */
export interface AuditEventFilter {
  /** Events of this account: its sub, or the email it was tried with. */
  user?: { id: string | undefined; email: string };
  event?: string;
  since?: Date;
  /** Only events after this id (for --follow). */
  afterId?: string;
}

interface AuditEventRow {
  id: string;
  occurred_at: Date;
  event: string;
  user_id: string | null;
  email: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

function toRecord(row: AuditEventRow): AuditEventRecord {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at,
    event: row.event,
    userId: row.user_id,
    email: row.email,
    clientId: row.client_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
  };
}

/** SQL for audit_events: inserts and reads only; rows are never updated (a trigger refuses it), deleted only by age. */
export function createAuditEventQueries(knex: Knex) {
  const events = () => knex<AuditEventRow>('audit_events');

  return {
    async insertAuditEvent(event: NewAuditEvent, now: Date): Promise<void> {
      await events().insert({
        occurred_at: now,
        event: event.event,
        user_id: event.userId,
        email: event.email,
        client_id: event.clientId,
        ip: event.ip,
        user_agent: event.userAgent,
        details: JSON.stringify(event.details) as unknown as Record<string, unknown>,
      }).options(PREPARED);
    },

    /** The newest `limit` events matching the filter, oldest first. */
    async listLatestAuditEvents(filter: AuditEventFilter, limit: number): Promise<AuditEventRecord[]> {
      const query = events().select('*').orderBy('id', 'desc').limit(limit);
      const { user, event, since, afterId } = filter;
      if (user) {
        query.where((where) => {
          where.whereRaw('lower(email) = lower(?)', [user.email]);
          if (user.id) where.orWhere('user_id', user.id);
        });
      }
      if (event) query.andWhere('event', event);
      if (since) query.andWhere('occurred_at', '>=', since);
      if (afterId) query.andWhere('id', '>', afterId);
      const rows = await query;
      return rows.reverse().map(toRecord);
    },

    /** Retention: deletes events older than `before`, the only deletion audit_events ever sees. */
    async deleteAuditEventsBefore(before: Date): Promise<number> {
      return events().where('occurred_at', '<', before).delete();
    },
  };
}

export type AuditEventQueries = ReturnType<typeof createAuditEventQueries>;
