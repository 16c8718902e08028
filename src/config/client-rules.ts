// Rules across the fields of one client, run on what parsed of it. Paths are relative to the client.
import type { ParsedClient } from './clients-schema.ts';
import { OIDC_SCOPES } from './clients-schema.ts';
import type { Issue } from './problem-path.ts';
import type { SigningAlgorithm } from './types.ts';
import { checkBackchannelLogoutUri, checkRedirectUri } from './uri-rules.ts';

const MIN_SECRET_LENGTH = 32;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

/** What a client may refer to outside itself. */
export interface ClientContext {
  /** Scope name → identifier of the resource that declares it. */
  resourceScopes: ReadonlyMap<string, string>;
  resourceIdentifiers: ReadonlySet<string>;
  /** When known (latchkey.yaml loaded), id_token_signed_response_alg must be one of them. */
  signingAlgorithms: readonly SigningAlgorithm[] | undefined;
}

/** A rule and the fields it reads: it is skipped when one of them is invalid, as it would judge a stand-in default. */
interface Rule {
  reads: readonly (keyof ParsedClient)[];
  check: (client: ParsedClient, context: ClientContext) => Issue[];
}

const RULES: readonly Rule[] = [
  { reads: ['client_secret', 'token_endpoint_auth_method'], check: checkSecret },
  { reads: ['grant_types', 'token_endpoint_auth_method'], check: checkPublicGrants },
  { reads: ['grant_types', 'redirect_uris'], check: checkGrantDependencies },
  { reads: ['grant_types', 'response_types'], check: checkResponseTypes },
  { reads: ['redirect_uris', 'application_type'], check: (client) => checkUris(client, 'redirect_uris') },
  { reads: ['post_logout_redirect_uris', 'application_type'], check: (client) => checkUris(client, 'post_logout_redirect_uris') },
  { reads: ['scope'], check: checkScopes },
  { reads: ['default_resource', 'id_token_signed_response_alg'], check: checkReferences },
  { reads: ['backchannel_logout_uri', 'backchannel_logout_session_required', 'token_endpoint_auth_method'], check: checkBackchannelLogout },
];

/** Every cross-field problem of one client whose fields in `invalidFields` already failed on their own. */
export function checkClient(client: ParsedClient, context: ClientContext, invalidFields: ReadonlySet<string> = new Set()): Issue[] {
  return RULES.filter((rule) => rule.reads.every((field) => !invalidFields.has(field))).flatMap((rule) => rule.check(client, context));
}

function checkSecret({ client_secret: secret, token_endpoint_auth_method: method }: ParsedClient): Issue[] {
  const path = ['client_secret'];
  if (method === 'none') {
    if (secret === undefined) return [];
    return [{ path, message: 'must not be set for a public client (token_endpoint_auth_method none); remove it, or use client_secret_basic' }];
  }
  if (secret === undefined) return [{ path, message: `required for token_endpoint_auth_method ${method}; ${GENERATE_HINT}` }];
  if (secret.length < MIN_SECRET_LENGTH) {
    return [{ path, message: `must be at least ${MIN_SECRET_LENGTH} characters (has ${secret.length}); ${GENERATE_HINT}` }];
  }
  return [];
}

function checkPublicGrants(client: ParsedClient): Issue[] {
  if (client.token_endpoint_auth_method !== 'none' || !client.grant_types.includes('client_credentials')) return [];
  return [{ path: ['grant_types'], message: 'client_credentials needs a confidential client; a public client (token_endpoint_auth_method none) has no secret' }];
}

function checkGrantDependencies({ grant_types: grants, redirect_uris: redirectUris }: ParsedClient): Issue[] {
  const issues: Issue[] = [];
  const hasCode = grants.includes('authorization_code');
  if (grants.includes('refresh_token') && !hasCode) {
    issues.push({ path: ['grant_types'], message: 'refresh_token requires authorization_code (refresh tokens are issued from the code flow)' });
  }
  if (hasCode && redirectUris.length === 0) {
    issues.push({ path: ['redirect_uris'], message: 'required: list at least one redirect URI for grant type authorization_code' });
  }
  return issues;
}

function checkResponseTypes({ grant_types: grants, response_types: responseTypes }: ParsedClient): Issue[] {
  const hasCode = grants.includes('authorization_code');
  if (responseTypes === undefined || responseTypes.includes('code') === hasCode) return [];
  const message = hasCode
    ? 'must include code when grant_types has authorization_code'
    : 'code requires grant type authorization_code; remove response_types or add the grant';
  return [{ path: ['response_types'], message }];
}

function checkUris(client: ParsedClient, field: 'redirect_uris' | 'post_logout_redirect_uris'): Issue[] {
  const uris = client[field];
  return uris.flatMap((uri, index) => {
    // oidc-provider matches redirect URIs by exact string comparison (OAuth 2.0 Security BCP §4.1.3), so duplicates are plain mistakes.
    const message = uris.indexOf(uri) === index ? checkRedirectUri(uri, client.application_type) : `duplicate URI "${uri}"`;
    return message === undefined ? [] : [{ path: [field, index], message }];
  });
}

function checkScopes(client: ParsedClient, context: ClientContext): Issue[] {
  const issues: Issue[] = [];
  for (const scope of client.scope.split(/\s+/)) {
    if ((OIDC_SCOPES as readonly string[]).includes(scope) || context.resourceScopes.has(scope)) continue;
    const known = [...new Set([...OIDC_SCOPES, ...context.resourceScopes.keys()])].join(', ');
    issues.push({ path: ['scope'], message: `unknown scope "${scope}"; known scopes are ${known} (declare API scopes under resources)` });
  }
  return issues;
}

function checkReferences(client: ParsedClient, context: ClientContext): Issue[] {
  const issues: Issue[] = [];
  if (client.default_resource !== undefined && !context.resourceIdentifiers.has(client.default_resource)) {
    issues.push({ path: ['default_resource'], message: `no resource has identifier "${client.default_resource}"; declare it under resources` });
  }
  const alg = client.id_token_signed_response_alg;
  if (alg !== undefined && context.signingAlgorithms !== undefined && !context.signingAlgorithms.includes(alg)) {
    issues.push({ path: ['id_token_signed_response_alg'], message: `${alg} is not in signing.algorithms of latchkey.yaml` });
  }
  return issues;
}

function checkBackchannelLogout(client: ParsedClient): Issue[] {
  const uri = client.backchannel_logout_uri;
  if (uri === undefined) {
    if (client.backchannel_logout_session_required === undefined) return [];
    return [{ path: ['backchannel_logout_session_required'], message: 'has no effect without backchannel_logout_uri; add the URI or remove this line' }];
  }
  const message = checkBackchannelLogoutUri(uri, client.token_endpoint_auth_method !== 'none');
  return message === undefined ? [] : [{ path: ['backchannel_logout_uri'], message }];
}
