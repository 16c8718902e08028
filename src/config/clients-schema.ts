// The shape of clients.yaml: each client and resource is parsed on its own so one bad entry hides no other problem.
import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { boolean, checkedString, nonEmptyString, uniqueList, unset } from './fields.ts';
import { SIGNING_ALGORITHMS } from './server-schema.ts';
import { checkIdentifierUri, checkOrigin, checkWebUrl } from './uri-rules.ts';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;
/** Scopes Latchkey itself understands (OpenID Connect Core §5.4, §11); resources may not redefine them. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
const RESERVED_SCOPES: readonly string[] = [...OIDC_SCOPES, 'address', 'phone'];

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

const CLIENT_ID = /^[A-Za-z0-9._~:-]{1,100}$/;
/** The client_id of Latchkey's own account page (/account), registered by Latchkey itself, so clients.yaml may not use it. */
export const ACCOUNT_CLIENT_ID = 'latchkey-account';

const clientId = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
  .regex(CLIENT_ID, { error: 'must be 1 to 100 characters of A-Z a-z 0-9 . _ ~ : -' })
  .refine((id) => id !== ACCOUNT_CLIENT_ID, { error: `is reserved for Latchkey's own account page; choose another client_id` });

const webUrl = unset(checkedString(checkWebUrl));

const notAMapping = (what: string) => (issue: { code: string }) => (issue.code === 'invalid_type' ? `must be a mapping of ${what}` : undefined);

export const clientSchema = z.strictObject({
  client_id: clientId.meta({ description: 'Unique id the application sends as client_id.' }),
  client_secret: unset(z.string({ error: 'must be a string' })).meta({
    description: 'At least 32 characters; required unless token_endpoint_auth_method is none. Prefer ${ENV_VAR}.',
  }),
  client_name: unset(nonEmptyString).meta({ description: 'Shown on the login and consent pages.' }),
  application_type: oneOf(['web', 'native']).default('web'),
  // Checked by client-rules.ts, which needs application_type; kept loose here so one bad URI hides no other.
  redirect_uris: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of URIs' }).default([]),
  post_logout_redirect_uris: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of URIs' }).default([]),
  grant_types: uniqueList(oneOf(GRANT_TYPES), 'grant types')
    .min(1, { error: 'must list at least one grant type' })
    .default(['authorization_code']),
  response_types: unset(uniqueList(oneOf(['code']), 'response types')).meta({
    description: 'Defaults to [code] when authorization_code is granted, else [].',
  }),
  token_endpoint_auth_method: oneOf(AUTH_METHODS).default('client_secret_basic').meta({
    description: 'none = public client (browser or native app, uses PKCE); otherwise a confidential client with a secret.',
  }),
  scope: nonEmptyString.default('openid').meta({ description: 'Space separated scopes the client may request.' }),
  logo_uri: webUrl,
  client_uri: webUrl,
  policy_uri: webUrl,
  tos_uri: webUrl,
  id_token_signed_response_alg: unset(oneOf(SIGNING_ALGORITHMS)),
  allowed_cors_origins: unset(uniqueList(checkedString(checkOrigin), 'origins')).meta({
    description: 'Extra web origins (https://host[:port]) allowed to call the token endpoint from a browser.',
  }),
  default_resource: unset(nonEmptyString).meta({ description: 'Identifier of a resource used when a token request names none.' }),
  // Checked by client-rules.ts, which needs token_endpoint_auth_method.
  backchannel_logout_uri: unset(z.string({ error: 'must be a string' })).meta({
    description: 'OpenID Connect Back-Channel Logout: where Latchkey POSTs a logout token when a session of this client ends.',
  }),
  backchannel_logout_session_required: unset(boolean).meta({
    description: 'Logout tokens and ID tokens carry the session id (sid) claim.',
  }),
}, { error: notAMapping('client metadata (client_id: ..., redirect_uris: ...)') });

const resourceScope = z
  .string({ error: 'must be a string' })
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, { error: 'must be a non-empty scope name without spaces or quotes (RFC 6749 §3.3)' })
  .refine((scope) => !RESERVED_SCOPES.includes(scope), { error: 'is an OpenID Connect scope; give the API its own scope names' });

export const resourceSchema = z.strictObject({
  identifier: z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
    .check((ctx) => {
      const message = checkIdentifierUri(ctx.value);
      if (message !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message });
    })
    .meta({ description: 'Absolute URI of the API; becomes the aud of its access tokens.' }),
  name: unset(nonEmptyString),
  scopes: uniqueList(resourceScope, 'scopes').default([]),
  access_token_ttl: unset(durationSchema).meta({ description: 'Defaults to ttl.access_token in latchkey.yaml.' }),
}, { error: notAMapping('resource fields (identifier: ..., scopes: ...)') });

/** How clients.yaml is read: the lists first, then each entry with clientSchema / resourceSchema. */
export const clientsEnvelopeSchema = z.strictObject({
  clients: unset(z.array(z.unknown(), { error: 'must be a list of clients' })),
  resources: unset(z.array(z.unknown(), { error: 'must be a list of resources' })),
});

/** The whole file at once, for the JSON Schema editors use (null: every entry commented out). */
export const clientsFileSchema = z.strictObject({
  clients: z.array(clientSchema).nullable().optional(),
  resources: z.array(resourceSchema).nullable().optional(),
});

export type ParsedClient = z.output<typeof clientSchema>;
export type ParsedResource = z.output<typeof resourceSchema>;
