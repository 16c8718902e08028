import type { ClientMetadata } from '../config/types.ts';

/**
 * Which browser origins may call the token, userinfo, revocation and introspection endpoints for a client: for a
 * public web client (an SPA) the origins of its redirect URIs, and for any client its `allowed_cors_origins`.
 * A confidential client's secret does not belong in a browser, so it gets only what it lists; nobody else gets any.
 */
export function buildAllowedOrigins(clients: readonly ClientMetadata[]): Map<string, Set<string>> {
  const originsByClient = new Map<string, Set<string>>();
  for (const client of clients) {
    const origins = new Set<string>(client.allowed_cors_origins ?? []);
    if (client.application_type === 'web' && client.token_endpoint_auth_method === 'none') {
      for (const uri of client.redirect_uris) {
        const url = URL.parse(uri);
        if (url && (url.protocol === 'https:' || url.protocol === 'http:')) origins.add(url.origin);
      }
    }
    originsByClient.set(client.client_id, origins);
  }
  return originsByClient;
}
