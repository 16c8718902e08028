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
    // Usually known already, with the grant itself: the resume read it beside its interaction (postgres-adapter,
    // rememberRelations). Otherwise the query reads the whole grant, which Grant.find below then takes from the
    // request's cache instead of asking again.
    const remembered = await readThrough(requestCacheKeys.latestGrant(accountId, client.clientId), async () => {
      const found = await payloads.findLatestGrantByAccountAndClient(accountId, client.clientId, new Date());
      if (found) currentRequestScope()?.set(requestCacheKeys.payload('Grant', found.id), found.stored);
      return found;
    });
    return remembered ? provider.Grant.find(remembered.id) : undefined;
  };
}
