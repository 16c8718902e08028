import type { Middleware } from 'koa';
import { errors, type Adapter, type Configuration, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClientMetadata, LatchkeyConfig } from '../config/types.ts';
import { SCOPE_CLAIMS } from '../accounts/claims.ts';
import { OIDC_SCOPES } from '../config/clients-schema.ts';
import type { PrivateSigningJwk } from '../keys/generate-signing-key.ts';
import { buildResourceIndicatorsFeature } from './resource-indicators.ts';
import { buildAllowedOrigins } from './cors-policy.ts';
import { buildTtlPolicy } from './ttl-policy.ts';
import { buildCookieNames } from './cookie-names.ts';
import { createCookieSigner } from './cookie-signer.ts';
import type { buildHostedPages } from './hosted-pages.ts';
import type { NewBackchannelLogout } from '../db/queries/backchannel-logouts.ts';

export interface ProviderDependencies {
  config: LatchkeyConfig;
  adapter: (model: string) => Adapter;
  findAccount: FindAccount;
  loadExistingGrant: (ctx: KoaContextWithOIDC) => ReturnType<NonNullable<Configuration['loadExistingGrant']>>;
  signingKeys: readonly PrivateSigningJwk[];
  cookieSecrets: readonly string[];
  pages: ReturnType<typeof buildHostedPages>;
  /** Records a back-channel logout token owed when end_session signs a person out of a client (see backchannel-logout.ts). */
  recordBackchannelLogout: (logout: NewBackchannelLogout) => Promise<void>;
  /** Latchkey's own clients (the account page), registered beside those of clients.yaml. */
  firstPartyClients?: readonly ClientMetadata[];
  /** Koa middleware run around oidc-provider's routes (provider.use), e.g. to note session activity. */
  middleware?: readonly Middleware[];
}

const CUSTOM_CLIENT_METADATA = ['allowed_cors_origins', 'default_resource'] as const;

/** Assembles oidc-provider's configuration from Latchkey's config; pure, so it can be rebuilt when keys change. */
export function buildProviderConfiguration(deps: ProviderDependencies): Configuration {
  const { config } = deps;
  const allowedOrigins = buildAllowedOrigins(config.clients);
  const secureCookies = config.issuer.startsWith('https:');

  return {
    adapter: deps.adapter,
    clients: [...config.clients, ...(deps.firstPartyClients ?? [])].map(toProviderClient),
    findAccount: deps.findAccount,
    loadExistingGrant: deps.loadExistingGrant,
    jwks: { keys: deps.signingKeys.map((key) => ({ ...key })) },
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    enabledJWA: {
      idTokenSigningAlgValues: [...config.signing.algorithms],
      userinfoSigningAlgValues: [...config.signing.algorithms],
    },
    extraClientMetadata: { properties: [...CUSTOM_CLIENT_METADATA] },
    clientBasedCORS: (_ctx, origin, client) => allowedOrigins.get(client.clientId)?.has(origin) ?? false,
    cookies: {
      keys: createCookieSigner(deps.cookieSecrets),
      names: buildCookieNames(secureCookies),
      long: { httpOnly: true, sameSite: 'lax', secure: secureCookies },
      short: { httpOnly: true, sameSite: 'lax', secure: secureCookies },
    },
    ttl: buildTtlPolicy(config.ttl),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: deps.pages.renderError,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // @types/oidc-provider 9.12 types this feature as disabled-only; oidc-provider 9 accepts enabled + allowedPolicy.
      introspection: { enabled: true, allowedPolicy: allowOnlyOwnTokens } as unknown as { enabled: false },
      revocation: { enabled: true, allowedPolicy: revokeOnlyOwnTokens },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: deps.pages.logoutSource,
        postLogoutSuccessSource: deps.pages.postLogoutSuccessSource,
      },
      resourceIndicators: buildResourceIndicatorsFeature(config.resources, config.clients),
      // OpenID Connect Back-Channel Logout 1.0: advertised in discovery, backchannel_logout_* client metadata, and `sid`
      // in the ID tokens of clients that require it. Delivery is ours (recorded and retried), see backchannel-logout.ts.
      backchannelLogout: { enabled: true },
    },
  };
}

/**
 * Tokens are bound to the client they were issued to: another client introspecting one learns only `active: false`
 * (RFC 7662 §2.2 lets the server say no more than that).
 */
function allowOnlyOwnTokens(_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string | undefined }) {
  return token.clientId === client.clientId;
}

/** RFC 7009 §2.1: a client may revoke only its own tokens; a confidential client trying another's is told so. */
function revokeOnlyOwnTokens(_ctx: KoaContextWithOIDC, client: { clientId: string; clientAuthMethod?: string | undefined }, token: { clientId?: string | undefined }) {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}

/** Standard metadata goes to oidc-provider as written; our two extensions only when set. */
function toProviderClient(client: ClientMetadata): Configuration['clients'] extends (infer C)[] | undefined ? C : never {
  const metadata: Record<string, unknown> = { ...client };
  for (const key of CUSTOM_CLIENT_METADATA) if (metadata[key] === undefined) delete metadata[key];
  // oidc-provider accepts only its `scopes` (the OpenID Connect ones) in a client's `scope` and rejects the client
  // otherwise; API scopes are not among them (its docs: they belong to resourceIndicators), getResourceServerInfo checks them.
  const oidcScopes = client.scope.split(' ').filter((scope) => (OIDC_SCOPES as readonly string[]).includes(scope));
  if (oidcScopes.length > 0) metadata['scope'] = oidcScopes.join(' ');
  else delete metadata['scope'];
  return metadata as ReturnType<typeof toProviderClient>;
}
