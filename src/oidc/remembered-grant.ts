import type { KoaContextWithOIDC } from 'oidc-provider';
import type { OidcPayloadQueries } from '../db/queries/oidc-payloads.ts';
import { currentRequestScope, readThrough, requestCacheKeys } from '../db/request-scope.ts';

/**
 * oidc-provider's loadExistingGrant, widened: besides the grant of the current session, a person's earlier consent to
 * the same client (a live Grant) is reused, so signing in again from another browser does not ask again. Signing out
 * revokes the grants of that session (oidc-provider's end_session), so consent is asked again after a logout.
 */
export function buildLoadExistingGrant(payloads: OidcPayloadQueries) {
  return async (ctx: KoaContextWithOIDC) => {
    const { provider, session, client, result } = ctx.oidc;
    if (!client || !session) return undefined;
    const sessionGrantId = result?.['consent']?.grantId ?? session.grantIdFor(client.clientId);
    if (sessionGrantId) return provider.Grant.find(sessionGrantId);
    if (!session.accountId) return undefined;
    const { accountId } = session;
    // Usually known already: the resume read it beside its interaction (postgres-adapter, rememberRelations).
    const remembered = await readThrough(requestCacheKeys.latestGrant(accountId, client.clientId), () =>
      payloads.findLatestGrantByAccountAndClient(accountId, client.clientId, new Date()),
    );
    if (!remembered) return undefined;
    // The query read the whole grant: Grant.find below takes it from the request's cache instead of asking again.
    currentRequestScope()?.set(requestCacheKeys.payload('Grant', remembered.id), remembered.stored);
    return provider.Grant.find(remembered.id);
  };
}
