import type { ClientMetadata } from '../config/types.ts';

/**
 * Which browser origins may call the token, userinfo, revocation and introspection endpoints for a client: the web
 * origins of its redirect URIs plus its `allowed_cors_origins`. Native apps get none; nobody else gets any.
 */
export function buildAllowedOrigins(clients: readonly ClientMetadata[]): Map<string, Set<string>> {
  const originsByClient = new Map<string, Set<string>>();
  for (const client of clients) {
    const origins = new Set<string>(client.allowed_cors_origins ?? []);
    if (client.application_type === 'web') {
      for (const uri of client.redirect_uris) {
        const url = URL.parse(uri);
        if (url && (url.protocol === 'https:' || url.protocol === 'http:')) origins.add(url.origin);
      }
    }
    originsByClient.set(client.client_id, origins);
  }
  return originsByClient;
}
