import type { Context, Middleware } from 'koa';
import type { ViewRenderer } from './view-renderer.ts';
import { requestRecordOf } from './request-context.ts';

const RETRY_AFTER_SECONDS = 5;
/** Retry-After of the pages' "busy, try again" when password hashing is at capacity: short, as such a spell is a burst. */
export const BUSY_RETRY_AFTER_SECONDS = 2;
const HEADING = 'Temporarily unavailable';
const MESSAGE = 'The sign-in service cannot reach its database right now. Nothing was lost: try again in a moment.';

// Served from memory, so they keep working while the database is away: resource servers keep verifying tokens with the
// JWKS, and health checks keep answering (readiness says "unavailable").
const SERVED_WITHOUT_DATABASE = new Set(['/healthz', '/readyz', '/.well-known/openid-configuration', '/jwks']);

/**
 * Answers 503 with Retry-After: a page for people, `temporarily_unavailable` (RFC 6749 §4.1.2.1) for programs. Replaces
 * whatever response was being built, including a redirect.
 */
export function respondServiceUnavailable(ctx: Context, views: ViewRenderer): void {
  // An outage is no server error of this request: its log line says what it was answered, and the outage itself is
  // logged once (database-availability.ts).
  const record = requestRecordOf(ctx.req);
  if (record) {
    record.serverError = undefined;
    record.oauthError = 'temporarily_unavailable';
  }
  ctx.status = 503;
  ctx.remove('Location');
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  // JSON unless HTML is asked for, as oidc-provider decides: programs often send no Accept header at all.
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    ctx.body = views.render('error', { title: HEADING, heading: HEADING, message: MESSAGE, requestId: record?.id, startOverUrl: undefined });
    return;
  }
  ctx.body = { error: 'temporarily_unavailable', error_description: 'the database is unavailable; retry later' };
}

/**
 * While the database is known to be down, refuses requests that need it at once with 503, instead of letting each one
 * wait for a connection that will not come: no hang, no 500s, and nothing half-done.
 */
export function failFastWhileDatabaseDown(isDown: () => boolean, views: ViewRenderer): Middleware {
  return async function refuseWhileDatabaseDown(ctx, next) {
    if (!isDown() || SERVED_WITHOUT_DATABASE.has(ctx.path) || ctx.path.startsWith('/assets/')) {
      await next();
      return;
    }
    respondServiceUnavailable(ctx, views);
  };
}
