import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SessionActivityQueries, SessionClient } from '../db/queries/session-activity.ts';
import { ACTIVITY_THROTTLE_SECONDS } from '../accounts/self-service.ts';

const SESSION_ROUTES = new Set(['authorization', 'resume', 'end_session_confirm']);

/**
 * oidc-provider middleware (provider.use) that notes where sessions are used: a password sign-in (the resume after a
 * login result) records the browser and address; any later authorization in the session updates its last activity;
 * a logout forgets it. It runs after oidc-provider has saved the session, before the response leaves, so the account
 * page sees a sign-in as soon as the browser does. A failed write is logged, never turned into a failed sign-in.
 */
export function trackSessionActivity(
  activity: Pick<SessionActivityQueries, 'recordSignIn' | 'touchSessionActivity' | 'deleteSessionActivity'>,
  onError: (error: unknown) => void,
  now: () => Date = () => new Date(),
): Middleware {
  return async function recordSessionActivity(ctx, next) {
    await next();
    // ctx.oidc exists only on oidc-provider's own routes.
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (!oidc || !SESSION_ROUTES.has(oidc.route)) return;
    const session = oidc.entities.Session;
    if (!session?.uid) return;
    try {
      if ((session as { destroyed?: boolean }).destroyed) {
        await activity.deleteSessionActivity(session.uid);
        return;
      }
      if (!session.accountId) return;
      const client: SessionClient = {
        sessionUid: session.uid,
        accountId: session.accountId,
        ip: ctx.ip || undefined,
        userAgent: ctx.get('user-agent') || undefined,
      };
      const signedIn = oidc.route === 'resume' && oidc.result?.login?.accountId === session.accountId;
      if (signedIn) await activity.recordSignIn(client, now());
      else await activity.touchSessionActivity(client, now(), ACTIVITY_THROTTLE_SECONDS);
    } catch (error) {
      onError(error);
    }
  };
}
