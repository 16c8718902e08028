import { errors, type default as Provider } from 'oidc-provider';
import { requestWritesStored } from '../db/request-scope.ts';

/**
 * The adapter defers a request's writes (src/oidc/postgres-adapter.ts); this middleware, the last around oidc-provider's
 * routes, stores them before the response leaves, so a client never holds a code or token that is not stored yet and
 * the next request, on any instance, finds it. Registered after every other provider.use, so theirs see a failure:
 * - a code or refresh token spent meanwhile by a concurrent request: the token endpoint's invalid_grant, as oidc-provider
 *   answers a replay, and nothing this request issued was stored;
 * - a database error: a `server_error` event (a database outage then becomes a 503, src/oidc/database-outage.ts) and
 *   oidc-provider's own server_error answer.
 * Writes made before the library failed are stored too: a code it consumed stays consumed.
 */
export function storeDeferredWritesBeforeResponding(provider: Provider): void {
  provider.use(async function storeDeferredWrites(ctx, next) {
    try {
      await next();
    } catch (error) {
      await requestWritesStored()?.catch(() => undefined);
      throw error;
    }
    try {
      await requestWritesStored();
    } catch (error) {
      if (error instanceof errors.InvalidGrant) {
        provider.emit('grant.error', ctx, error);
        ctx.status = error.statusCode;
        ctx.body = { error: error.error, error_description: error.error_description };
        return;
      }
      provider.emit('server_error', ctx, error);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    }
  });
}
