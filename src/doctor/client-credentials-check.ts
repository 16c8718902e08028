import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { fail, ok, skip, type CheckResult } from './check-result.ts';
import { jsonObjectOf, probe } from './http-probe.ts';

/** The client the doctor acts as; the secret comes from the environment, never argv. */
export interface CheckClient {
  clientId: string;
  secret: string;
  auth: 'basic' | 'post';
  scope?: string | undefined;
  resource?: string | undefined;
}

/**
 * A client_credentials round trip: get a token, then verify it against the published JWKS when it is a JWT, or have
 * the introspection endpoint confirm it is active when it is opaque. The token is never printed.
 */
export async function checkClientCredentials(
  client: CheckClient,
  issuer: string,
  discovery: Record<string, unknown> | undefined,
  keys: readonly JWK[],
): Promise<CheckResult> {
  const name = 'client credentials';
  const tokenEndpoint = discovery?.['token_endpoint'];
  if (typeof tokenEndpoint !== 'string') return skip(name, 'no token endpoint in discovery');
  const params = { grant_type: 'client_credentials', ...(client.scope && { scope: client.scope }), ...(client.resource && { resource: client.resource }) };
  const response = await postForm(tokenEndpoint, client, params);
  if (!response.ok) return fail(name, `${tokenEndpoint}: ${response.error}`);
  const body = jsonObjectOf(response);
  const accessToken = body?.['access_token'];
  if (response.status !== 200 || typeof accessToken !== 'string') {
    const error = typeof body?.['error'] === 'string' ? body['error'] : 'no token';
    const description = typeof body?.['error_description'] === 'string' ? ` (${body['error_description']})` : '';
    return fail(name, `the token endpoint answered ${response.status} ${error}${description} for ${client.clientId}`, hintFor(error));
  }

  // A JWT access token (RFC 9068) is what APIs verify on their own, against the JWKS; oidc-provider does not store
  // them, so its introspection endpoint refuses them. An opaque token is checked by introspection instead.
  if (accessToken.split('.').length === 3) {
    try {
      const { payload } = await jwtVerify(accessToken, createLocalJWKSet({ keys: [...keys] }), { issuer, typ: 'at+jwt' });
      const alg = decodeProtectedHeader(accessToken).alg ?? '?';
      return ok(name, `${client.clientId} got a JWT access token for ${String(payload.aud)}, signed with ${alg} and valid against the JWKS`);
    } catch (error) {
      return fail(name, `the access token does not verify against the published JWKS: ${(error as Error).message}`);
    }
  }

  const introspectionEndpoint = discovery?.['introspection_endpoint'];
  if (typeof introspectionEndpoint !== 'string') return ok(name, `${client.clientId} got an opaque access token (no introspection endpoint to check it)`);
  const introspection = await postForm(introspectionEndpoint, client, { token: accessToken });
  const answer = jsonObjectOf(introspection);
  if (answer?.['active'] !== true) {
    const why = introspection.ok ? `${introspection.status} ${JSON.stringify(answer ?? introspection.text.slice(0, 200))}` : introspection.error;
    return fail(name, `introspection does not find the new token active: ${why}`);
  }
  return ok(name, `${client.clientId} got an opaque access token; introspection: active`);
}

function postForm(url: string, client: CheckClient, params: Record<string, string>) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const form = new URLSearchParams(params);
  if (client.auth === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
    const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.secret)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.secret);
  }
  return probe(url, { method: 'POST', headers, body: form.toString() });
}

function hintFor(error: string): string | undefined {
  if (error === 'invalid_client') return 'check the client id, LATCHKEY_DOCTOR_CLIENT_SECRET and --client-auth (basic or post)';
  if (error === 'unauthorized_client') return 'give the client grant_types: [client_credentials] in clients.yaml';
  if (error === 'invalid_target' || error === 'invalid_scope') return 'give the client an API scope in clients.yaml, or pass --resource / --scope';
  return undefined;
}
