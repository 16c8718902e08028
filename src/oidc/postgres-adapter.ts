import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { OidcPayloadQueries, StoredOidcPayload, StoredOidcPayloadWithRelations } from '../db/queries/oidc-payloads.ts';
import type { OidcPayloadWriteQueries } from '../db/queries/oidc-payload-writes.ts';
import { currentRequestScope, readThrough, requestCacheKeys as keys, type RequestScope } from '../db/request-scope.ts';
import { createPayloadWriter } from './payload-writer.ts';

/**
 * oidc-provider's storage adapter on the oidc_payloads table: a thin mapping of its seven calls onto queries.
 * Every model the library persists (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant, ...)
 * shares the table, told apart by `model`. Reads go through the request's cache (src/db/request-scope.ts); a token,
 * code, session or interaction is read with its grant, session and account, which then come from that cache.
 * Writes go through the payload writer (src/oidc/payload-writer.ts), which defers a request's writes into one statement.
 */
export function buildPostgresAdapterFactory(queries: OidcPayloadQueries, writes: OidcPayloadWriteQueries, now: () => Date = () => new Date()) {
  const pendingBatches = new WeakMap<RequestScope, PendingBatch>();
  const writer = createPayloadWriter(writes, now);

  return (model: string): Adapter => {
    const forgetModel = () => currentRequestScope()?.forget(keys.modelPrefix(model));

    return {
      async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
        // Request parameters end up in payloads (an interaction keeps its authorization request); jsonb cannot store
        // U+0000, so a parameter holding one is the client's mistake, not a server error.
        const payloadJson = JSON.stringify(payload);
        if (payloadJson.includes('\\u0000')) throw new errors.InvalidRequest('parameters must not contain NUL characters');
        forgetModel();
        await writer.write({
          kind: 'upsert',
          row: {
            model,
            id,
            payloadJson,
            grantId: payload.grantId,
            userCode: payload.userCode,
            uid: payload.uid,
            accountId: accountIdOf(payload),
            expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : undefined,
          },
        });
      },

      async find(id: string): Promise<AdapterPayload | undefined> {
        const scope = currentRequestScope();
        if (!scope) return toAdapterPayload(await queries.findPayloadById(model, id, now()));
        return toAdapterPayload(await findInScope(scope, keys.payload(model, id), { model, id }));
      },

      async findByUid(uid: string): Promise<AdapterPayload | undefined> {
        const scope = currentRequestScope();
        if (!scope) return toAdapterPayload(await queries.findPayloadByUid(model, uid, now()));
        const key = keys.payloadByUid(model, uid);
        const known = scope.get<StoredOidcPayload>(key);
        if (known !== undefined) return toAdapterPayload(known ?? undefined);
        const found = await queries.findPayloadByUidWithRelations(model, uid, now());
        rememberRelations(scope, found);
        scope.set(key, found?.stored ?? null);
        return toAdapterPayload(found?.stored);
      },

      async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return toAdapterPayload(await readThrough(keys.payloadByUserCode(model, userCode), () => queries.findPayloadByUserCode(model, userCode, now())));
      },

      async consume(id: string): Promise<void> {
        forgetModel();
        await writer.write({ kind: 'consume', model, id });
      },

      async destroy(id: string): Promise<void> {
        forgetModel();
        await writer.write({ kind: 'destroy', model, id });
      },

      async revokeByGrantId(grantId: string): Promise<void> {
        // Every model of the grant goes, so nothing read before in this request can be trusted.
        currentRequestScope()?.forget(keys.allPayloads);
        await writer.revokeGrant(grantId);
      },
    };
  };

  /**
   * A read in a request: from the request's cache, else in the next batch. Lookups made in the same turn of the event
   * loop (introspection trying three models at once) share one query, and what each row brings along (grant,
   * session, user) is cached for the reads that follow.
   */
  function findInScope(scope: RequestScope, key: string, lookup: PayloadLookup): Promise<StoredOidcPayload | undefined> {
    const known = scope.get<StoredOidcPayload>(key);
    if (known !== undefined) return Promise.resolve(known ?? undefined);
    let batch = pendingBatches.get(scope);
    if (!batch) {
      const created: PendingBatch = [];
      batch = created;
      pendingBatches.set(scope, created);
      setImmediate(() => {
        pendingBatches.delete(scope);
        void runBatch(scope, created);
      });
    }
    return new Promise((resolve, reject) => batch.push({ key, lookup, resolve, reject }));
  }

  async function runBatch(scope: RequestScope, batch: PendingBatch): Promise<void> {
    try {
      const found = await queries.findPayloadsWithRelations(batch.map((pending) => pending.lookup), now());
      for (const row of found) rememberRelations(scope, row);
      batch.forEach((pending, index) => {
        const stored = found[index]?.stored;
        scope.set(pending.key, stored ?? null);
        pending.resolve(stored);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}

/** What a payload was read with goes into the request's cache, for the reads that follow. */
function rememberRelations(scope: RequestScope, found: StoredOidcPayloadWithRelations | undefined): void {
  if (found?.grant) scope.set(keys.payload('Grant', found.grant.id), found.grant.stored ?? null);
  if (found?.session) scope.set(keys.payloadByUid('Session', found.session.uid), found.session.stored ?? null);
  if (found?.account) scope.set(keys.account(found.account.id), found.account.user ?? null);
  if (found?.latestGrant) {
    const { accountId, clientId, found: grant } = found.latestGrant;
    scope.set(keys.latestGrant(accountId, clientId), grant ?? null);
    if (grant) scope.set(keys.payload('Grant', grant.id), grant.stored);
  }
}

type PayloadLookup = { model: string; id: string };
type PendingBatch = {
  key: string;
  lookup: PayloadLookup;
  resolve: (stored: StoredOidcPayload | undefined) => void;
  reject: (error: unknown) => void;
}[];

/**
 * Whose a payload is: tokens, codes, grants and sessions say so themselves; an interaction through the session it runs
 * in or, after a sign-in, through its result. Deleting a person deletes their rows, and reads fetch the user with them.
 */
function accountIdOf(payload: AdapterPayload): string | undefined {
  return payload.accountId ?? payload.session?.accountId ?? payload.result?.['login']?.accountId;
}

function toAdapterPayload(stored: StoredOidcPayload | undefined): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = JSON.parse(stored.payloadJson) as AdapterPayload;
  if (stored.consumedAt) payload.consumed = Math.floor(stored.consumedAt.getTime() / 1000);
  return payload;
}
