// The application side of the flows, done by openid-client as a real relying party would.
import * as client from 'openid-client';
import type { BrowserSession, SignInOptions } from './browser-session.ts';
import type { TestClient, TestServer } from './test-server.ts';
import type { TestUser } from './fixtures.ts';

/** openid-client's configuration for one registered client, from the server's discovery document. */
export async function discoverClient(server: Pick<TestServer, 'issuer'>, registered: TestClient, secret = registered.client_secret): Promise<client.Configuration> {
  return client.discovery(new URL(server.issuer), registered.client_id, undefined, clientAuthFor(registered, secret), {
    // The test issuer is http://127.0.0.1:<port>; openid-client refuses plain http unless told.
    execute: [client.allowInsecureRequests],
  });
}

function clientAuthFor(registered: TestClient, secret: string | undefined): client.ClientAuth {
  const method = registered.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method === 'none') return client.None();
  if (secret === undefined) throw new Error(`${registered.client_id} needs a secret for ${method}`);
  return method === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}

/**
 * The authorization parameters that get a refresh token: OpenID Connect Core §11 honours offline_access only with
 * prompt=consent (oidc-provider enforces it).
 */
export const OFFLINE_ACCESS = { scope: 'openid email offline_access', extra: { prompt: 'consent' } } as const;

/** An authorization request on its way, and what the client keeps to check the response. */
export interface PendingAuthorization {
  url: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** Builds a code flow authorization URL with PKCE (S256), state and nonce; `extra` adds or overrides parameters. */
export async function buildAuthorization(
  config: client.Configuration,
  params: { redirectUri: string; scope: string; extra?: Record<string, string> },
): Promise<PendingAuthorization> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: params.redirectUri,
    scope: params.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params.extra,
  });
  return { url, codeVerifier, state, nonce };
}

/** Exchanges the code in `callbackUrl`, letting openid-client check state, PKCE, the ID token and its nonce. */
export function exchangeCode(
  config: client.Configuration,
  callbackUrl: URL,
  pending: PendingAuthorization,
  codeVerifier = pending.codeVerifier,
): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  return client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: pending.nonce,
    expectedState: pending.state,
    idTokenExpected: true,
  });
}

/** The whole code flow: authorization URL, sign-in in `browser`, code exchange. */
export async function signInWithCode(
  config: client.Configuration,
  browser: BrowserSession,
  params: { redirectUri: string; scope: string; user: TestUser; consent: SignInOptions['consent']; extra?: Record<string, string> },
): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  const pending = await buildAuthorization(config, params);
  const callbackUrl = await browser.signIn(pending.url, { email: params.user.email, password: params.user.password, consent: params.consent });
  return exchangeCode(config, callbackUrl, pending);
}

/** The OAuth error a promise rejected with (openid-client's ResponseBodyError / AuthorizationResponseError). */
export async function oauthErrorOf(promise: Promise<unknown>): Promise<{ error: string; status: number | undefined; description: string | undefined }> {
  try {
    await promise;
  } catch (caught) {
    if (caught instanceof client.ResponseBodyError) {
      return { error: caught.error, status: caught.status, description: caught.error_description };
    }
    if (caught instanceof client.WWWAuthenticateChallengeError) {
      // A 401 carries the error in WWW-Authenticate (RFC 6750 §3), which openid-client reports this way.
      const parameters = caught.cause[0]?.parameters ?? {};
      return { error: parameters['error'] ?? '', status: caught.status, description: parameters['error_description'] };
    }
    if (caught instanceof client.AuthorizationResponseError) {
      return { error: caught.error, status: undefined, description: caught.error_description };
    }
    throw caught;
  }
  throw new Error('expected an OAuth error, but the request succeeded');
}
