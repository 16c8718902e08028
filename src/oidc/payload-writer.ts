import { errors } from 'oidc-provider';
import type { OidcPayloadWrite, OidcPayloadWriteQueries } from '../db/queries/oidc-payload-writes.ts';
import { currentRequestScope, storeRequestWrites, type RequestScope } from '../db/request-scope.ts';

// Consumed at the token endpoint, where the loser of a race to spend one is told invalid_grant; their consume is
// deferred with the tokens it pays for. Other models (a pushed authorization request) are consumed at once.
const SPENT_AT_THE_TOKEN_ENDPOINT = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/**
 * How the adapter's writes reach oidc_payloads. In a request they are deferred and stored together in one statement
 * before the request's next query and before its response (src/db/request-scope.ts, src/oidc/deferred-writes.ts): a
 * refresh then makes two statements instead of four; a grant's revocation runs at once, after them. A consume of a
 * code or refresh token leads its batch, and the tokens after it are stored only if it took effect, so two requests
 * racing to spend one cannot both succeed. Outside a request (the CLI, start-up, sweeps) each write is stored at once.
 */
export function createPayloadWriter(queries: OidcPayloadWriteQueries, now: () => Date) {
  const pendingWrites = new WeakMap<RequestScope, OidcPayloadWrite[]>();
  const grantRevocations = new WeakMap<RequestScope, Map<string, Promise<void>>>();

  /**
   * Adds `write` to the request's pending writes. Each row is written once per statement, and a consume only leads
   * one: a write that breaks either rule first waits for the pending ones to be stored.
   */
  async function defer(scope: RequestScope, write: OidcPayloadWrite): Promise<void> {
    let pending = pendingWrites.get(scope);
    while (pending && !canJoin(pending, write)) {
      await scope.storeDeferredWrites();
      pending = pendingWrites.get(scope);
    }
    if (!pending) {
      const batch: OidcPayloadWrite[] = [];
      pending = batch;
      pendingWrites.set(scope, batch);
      scope.deferWrites(async () => {
        pendingWrites.delete(scope);
        const stored = await queries.storePayloadWrites(batch, now());
        if (!stored) throw new errors.InvalidGrant('spent by a concurrent request');
      });
    }
    pending.push(write);
  }

  return {
    async write(write: OidcPayloadWrite): Promise<void> {
      const scope = currentRequestScope();
      if (scope && (write.kind !== 'consume' || SPENT_AT_THE_TOKEN_ENDPOINT.has(write.model))) return defer(scope, write);
      // After what the request deferred, if anything, so its writes keep their order.
      await storeRequestWrites();
      await queries.storePayloadWrites([write], now());
    },

    /**
     * Deletes every row of a grant, after what the request deferred. oidc-provider revokes a grant by asking each
     * model's adapter at once (access tokens, refresh tokens, codes...); one statement deletes every model's rows, so
     * the calls of one request made while it runs share it.
     */
    revokeGrant(grantId: string): Promise<void> {
      const scope = currentRequestScope();
      if (!scope) return deleteGrant(grantId);
      const inFlight = grantRevocations.get(scope) ?? new Map<string, Promise<void>>();
      grantRevocations.set(scope, inFlight);
      const shared = inFlight.get(grantId);
      if (shared) return shared;
      const revoking = deleteGrant(grantId).finally(() => inFlight.delete(grantId));
      inFlight.set(grantId, revoking);
      return revoking;
    },
  };

  async function deleteGrant(grantId: string): Promise<void> {
    await storeRequestWrites();
    await queries.deletePayloadsByGrantId(grantId);
  }
}

/**
 * Whether `write` can share a statement with the `pending` writes, whose order within it Postgres does not keep: not
 * on a row one of them writes; not a consume after other writes; and not a row with a uid or user code after a destroy
 * of its model, which may be the row it replaces (a session that changes its id on sign-in keeps its uid).
 */
function canJoin(pending: readonly OidcPayloadWrite[], write: OidcPayloadWrite): boolean {
  if (write.kind === 'consume' && pending.length > 0) return false;
  const { model, id } = rowOf(write);
  const replacing = write.kind === 'upsert' && (write.row.uid !== undefined || write.row.userCode !== undefined);
  return !pending.some((other) => {
    const row = rowOf(other);
    return row.model === model && (row.id === id || (replacing && other.kind === 'destroy'));
  });
}

function rowOf(write: OidcPayloadWrite): { model: string; id: string } {
  return write.kind === 'upsert' ? write.row : write;
}
