// The clients, API and user every bench run registers, on Latchkey and on the baseline alike.
import { randomBytes } from 'node:crypto';

/** What the load generator needs to know about the registered clients and the seeded user. */
export interface BenchClients {
  /** Public browser app: code + PKCE, rotating refresh tokens. */
  spa: { clientId: string; redirectUri: string };
  /** Confidential machine client: client_credentials for the API, JWT access tokens (RFC 9068). */
  service: { clientId: string; secret: string };
  /**
   * Confidential machine client without an API: its client_credentials tokens are opaque and stored, and belong to no
   * grant, so each can be revoked on its own (revoking a user's token revokes every token of its grant).
   */
  daemon: { clientId: string; secret: string };
  api: { identifier: string; scope: string };
  user: { email: string; password: string; name: string };
}

/** Fresh secrets and password for one run. */
export function buildBenchClients(): BenchClients {
  return {
    spa: { clientId: 'bench-spa', redirectUri: 'http://localhost:8080/callback' },
    service: { clientId: 'bench-service', secret: randomBytes(32).toString('base64url') },
    daemon: { clientId: 'bench-daemon', secret: randomBytes(32).toString('base64url') },
    api: { identifier: 'https://api.bench.test', scope: 'api:read' },
    user: { email: 'bench@example.test', password: `bench-${randomBytes(12).toString('base64url')}`, name: 'Bench User' },
  };
}

/** clients.yaml for Latchkey (and, as JSON, the baseline's registry): standard client metadata names. */
export function clientRegistry(clients: BenchClients) {
  return {
    clients: [
      {
        client_id: clients.spa.clientId,
        client_name: 'Bench SPA',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: [clients.spa.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile email offline_access',
      },
      {
        client_id: clients.service.clientId,
        client_secret: clients.service.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        scope: clients.api.scope,
      },
      {
        client_id: clients.daemon.clientId,
        client_secret: clients.daemon.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        scope: 'openid',
      },
    ],
    resources: [{ identifier: clients.api.identifier, name: 'Bench API', scopes: [clients.api.scope] }],
  };
}
