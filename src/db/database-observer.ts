import type { Knex } from 'knex';
import { currentRequestScope } from './request-scope.ts';

/** tarn's pool, which knex types as any. */
interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

interface QueryEvent {
  __knexQueryUid?: string;
}

/**
 * Calls `onQueryDone` with each query's duration and whether it failed, and counts each query against the HTTP request
 * that made it (for its log line); returns a function that stops listening.
 */
export function observeQueries(knex: Knex, onQueryDone: (seconds: number, failed: boolean) => void): () => void {
  const started = new Map<string, bigint>();
  const onQuery = (query: QueryEvent) => {
    const scope = currentRequestScope();
    if (scope) scope.databaseQueries += 1;
    if (query.__knexQueryUid) started.set(query.__knexQueryUid, process.hrtime.bigint());
  };
  const finish = (failed: boolean) => (_result: unknown, query: QueryEvent) => {
    const uid = query.__knexQueryUid;
    const start = uid === undefined ? undefined : started.get(uid);
    if (uid === undefined || start === undefined) return;
    started.delete(uid);
    onQueryDone(Number(process.hrtime.bigint() - start) / 1e9, failed);
  };
  const onResponse = finish(false);
  const onError = finish(true);
  knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);
  return () => {
    knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    started.clear();
  };
}

/** The connection pool's state right now. */
export function readPoolStats(knex: Knex): { used: number; idle: number; pending: number; max: number } {
  const pool = (knex.client as { pool?: TarnPool }).pool;
  if (!pool) return { used: 0, idle: 0, pending: 0, max: 0 };
  return { used: pool.numUsed(), idle: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}
