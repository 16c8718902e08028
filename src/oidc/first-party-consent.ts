import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { FIRST_PARTY_CLIENT_IDS } from './first-party-clients.ts';

type LoadExistingGrant = (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;

/**
 * Skips the consent page for Latchkey's own account page, as oidc-provider's documentation shows for first-party
 * clients: the grant is created here, covering the OpenID scopes the request asks for (the client's registration
 * allows only `openid`). Every other client gets the grant `load` finds, or none.
 */
export function withFirstPartyConsent(load: LoadExistingGrant): LoadExistingGrant {
  return async (ctx) => {
    const existing = await load(ctx);
    const { client, session, provider } = ctx.oidc;
    if (!client || !session?.accountId || !FIRST_PARTY_CLIENT_IDS.has(client.clientId)) return existing;
    const requested = [...ctx.oidc.requestParamOIDCScopes];
    const granted = new Set(existing?.getOIDCScope().split(' ') ?? []);
    if (existing && requested.every((scope) => granted.has(scope))) return existing;
    const grant = existing ?? new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope(requested.join(' ') || 'openid');
    await grant.save();
    return grant;
  };
}
