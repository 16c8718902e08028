import { errors, type KoaContextWithOIDC, type ResourceServer as ProviderResourceServer } from 'oidc-provider';
import type { ClientMetadata, ResourceServer } from '../config/types.ts';

type ProviderClient = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/**
 * RFC 8707 resource indicators for the APIs declared in clients.yaml. A token for an API is a JWT access token
 * (RFC 9068) that the API verifies on its own; a token without a resource stays opaque and serves userinfo only.
 */
export function buildResourceIndicatorsFeature(resources: readonly ResourceServer[], clients: readonly ClientMetadata[]) {
  const resourceByIdentifier = new Map(resources.map((resource) => [resource.identifier, resource]));
  const resourceByScope = new Map(resources.flatMap((resource) => resource.scopes.map((scope) => [scope, resource])));
  const clientById = new Map(clients.map((client) => [client.client_id, client]));

  // From clients.yaml: the provider's client.scope holds only the OpenID Connect scopes (see provider-configuration.ts).
  const scopesOf = (client: ProviderClient) => new Set((clientById.get(client.clientId)?.scope ?? '').split(' ').filter(Boolean));
  const apisOf = (client: ProviderClient) =>
    resources.filter((resource) => resource.scopes.some((scope) => scopesOf(client).has(scope)));

  return {
    enabled: true,

    /**
     * Picks the API when the request names none: the one whose scopes were requested, the client's
     * `default_resource`, or, for client_credentials, the only API the client may call.
     */
    async defaultResource(ctx: KoaContextWithOIDC, client: ProviderClient, oneOf?: readonly string[]) {
      if (oneOf) return oneOf;
      const scope = ctx.oidc.params?.['scope'];
      const requested = typeof scope === 'string' ? scope.split(' ') : [];
      const requestedApis = new Set(requested.flatMap((scope) => resourceByScope.get(scope)?.identifier ?? []));
      const configuredDefault = clientById.get(client.clientId)?.default_resource;
      if (requestedApis.size === 1) return [...requestedApis][0];
      if (requestedApis.size > 1) return configuredDefault && requestedApis.has(configuredDefault) ? configuredDefault : undefined;
      if (ctx.oidc.params?.['grant_type'] !== 'client_credentials') return undefined;
      if (configuredDefault) return configuredDefault;
      const apis = apisOf(client);
      return apis.length === 1 ? apis[0]?.identifier : undefined;
    },

    /** At the token endpoint, a grant made for one API keeps issuing tokens for it without repeating `resource`. */
    async useGrantedResource() {
      return true;
    },

    async getResourceServerInfo(
      _ctx: KoaContextWithOIDC,
      resourceIndicator: string,
      client: ProviderClient,
    ): Promise<ProviderResourceServer> {
      const resource = resourceByIdentifier.get(resourceIndicator);
      if (!resource) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
      const allowedScopes = resource.scopes.filter((scope) => scopesOf(client).has(scope));
      if (allowedScopes.length === 0) {
        throw new errors.InvalidTarget(`the client may not request tokens for ${resourceIndicator}`);
      }
      return {
        scope: allowedScopes.join(' '),
        audience: resource.identifier,
        accessTokenTTL: resource.access_token_ttl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}
