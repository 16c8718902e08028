import type { KoaContextWithOIDC } from 'oidc-provider';
import type { OidcPayloadQueries } from '../db/queries/oidc-payloads.ts';

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
    const rememberedGrantId = await payloads.findLatestGrantIdByAccountAndClient(session.accountId, client.clientId, new Date());
    return rememberedGrantId ? provider.Grant.find(rememberedGrantId) : undefined;
  };
}
