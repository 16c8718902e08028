// The clients, API and users the integration suites sign in with.
import { randomBytes } from 'node:crypto';
import type { TestClient, TestResource, TestServer } from './test-server.ts';

/** An API that takes JWT access tokens (RFC 8707 resource, RFC 9068 tokens). */
export const apiResource = {
  identifier: 'https://api.example.test',
  name: 'Test API',
  scopes: ['api:read', 'api:write'],
} as const satisfies TestResource;

/** A browser app: public client, code + PKCE, refresh tokens. */
export const spaClient = {
  client_id: 'test-spa',
  client_name: 'Test SPA',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:8080/callback'],
  post_logout_redirect_uris: ['http://localhost:8080/'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email offline_access',
} as const satisfies TestClient;

/** A server-side web app that authenticates with HTTP Basic and may call the API. */
export const basicWebClient = {
  client_id: 'test-web-basic',
  client_name: 'Test Web (basic)',
  client_secret: secret(),
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: ['https://web.example.test/auth/callback'],
  post_logout_redirect_uris: ['https://web.example.test/'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid profile email offline_access api:read',
} as const satisfies TestClient;

/** A server-side web app that sends its secret in the form body. */
export const postWebClient = {
  client_id: 'test-web-post',
  client_name: 'Test Web (post)',
  client_secret: secret(),
  token_endpoint_auth_method: 'client_secret_post',
  redirect_uris: ['https://post.example.test/callback'],
  grant_types: ['authorization_code'],
  scope: 'openid email',
} as const satisfies TestClient;

/** A machine client: client_credentials only, for the API. */
export const machineClient = {
  client_id: 'test-machine',
  client_secret: secret(),
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  scope: 'api:read',
} as const satisfies TestClient;

/** A public client that asks for ES256-signed ID tokens. */
export const es256Client = {
  client_id: 'test-es256',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:8081/callback'],
  grant_types: ['authorization_code'],
  scope: 'openid email',
  id_token_signed_response_alg: 'ES256',
} as const satisfies TestClient;

export const allClients: readonly TestClient[] = [spaClient, basicWebClient, postWebClient, machineClient, es256Client];

/** A person who can sign in. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** Creates an account with a unique email through the real account service. */
export async function createTestUser(server: TestServer, details: { name?: string } = {}): Promise<TestUser> {
  const email = `user-${randomBytes(5).toString('hex')}@example.test`;
  const password = `pass-${randomBytes(9).toString('base64url')}`;
  const user = await server.accounts.createAccount({ email, password, name: details.name, emailVerified: true });
  return { id: user.id, email, password };
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}
