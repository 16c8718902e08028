import { errors, type default as Provider } from 'oidc-provider';
import { storeRequestWrites } from '../db/request-scope.ts';

/**
 * The adapter defers a request's writes (src/oidc/payload-writer.ts); this middleware stores them before
 * oidc-provider's answer leaves, so a client never holds a code or token that is not stored yet, and the next request,
 * on any instance, finds it. Registered last, closest to the library's routes, so the middleware added before it (the
 * 503 on a database outage, the audit trail, the log line) sees what storing ran into:
 * - a code or refresh token spent meanwhile by a concurrent request: invalid_grant, as oidc-provider answers a replay;
 *   nothing this request issued was stored;
 * - a database error: a `server_error` event (an outage then becomes a 503, src/oidc/database-outage.ts) and
 *   oidc-provider's own server_error answer.
 * Writes made before the library failed are stored too: a code it consumed stays consumed.
 */
export function storeDeferredWritesBeforeResponding(provider: Provider): void {
  provider.use(async function storeDeferredWrites(ctx, next) {
    try {
      await next();
    } catch (error) {
      await storeRequestWrites()?.catch(() => undefined);
      throw error;
    }
    try {
      await storeRequestWrites();
    } catch (error) {
      // The answer oidc-provider had ready (tokens, a redirect carrying a code) must not go out.
      ctx.remove('Location');
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
