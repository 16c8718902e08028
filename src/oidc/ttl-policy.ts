import type { KoaContextWithOIDC } from 'oidc-provider';
import type { LatchkeyConfig } from '../config/types.ts';

interface TokenWithResource {
  resourceServer?: { accessTokenTTL?: number } | undefined;
}

/** Lifetimes from config; an API's own access_token_ttl wins for tokens issued to it. */
export function buildTtlPolicy(ttl: LatchkeyConfig['ttl']) {
  return {
    AccessToken: (_ctx: KoaContextWithOIDC, token: TokenWithResource) =>
      token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
    ClientCredentials: (_ctx: KoaContextWithOIDC, token: TokenWithResource) =>
      token.resourceServer?.accessTokenTTL ?? ttl.clientCredentials,
    AuthorizationCode: ttl.authorizationCode,
    IdToken: ttl.idToken,
    RefreshToken: (ctx: KoaContextWithOIDC, token: { isSenderConstrained(): boolean }) => {
      // As oidc-provider's default: rotation must not extend a bearer refresh token's life for ever.
      const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
      return rotated && !token.isSenderConstrained() ? rotated.remainingTTL : ttl.refreshToken;
    },
    Interaction: ttl.interaction,
    Session: ttl.session,
    Grant: ttl.grant,
  };
}
