import { createHmac } from 'node:crypto';
import type { ClientMetadata } from '../config/types.ts';
import { ACCOUNT_CLIENT_ID } from '../config/clients-schema.ts';

export { ACCOUNT_CLIENT_ID };

/** Where the account page receives its authorization code. */
export const ACCOUNT_CALLBACK_PATH = '/account/callback';

/**
 * Latchkey's account page as a client of Latchkey: registered here rather than in clients.yaml, so every install has
 * it. It is a confidential client: it runs on the server, where a secret stays secret, so a stolen code is useless
 * without it (PKCE is used as well). The secret is derived from `seed`, a secret every instance already shares and
 * that key rotations leave alone, so it is never stored, shown or configured, and instances started before and after
 * a rotation agree on it.
 */
export function buildAccountClient(issuer: string, seed: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: 'Account',
    client_secret: deriveAccountClientSecret(seed),
    application_type: 'web',
    redirect_uris: [`${issuer}${ACCOUNT_CALLBACK_PATH}`],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid',
  };
}

/** The account page's client secret: an HMAC under the seed, so it cannot be turned back into the seed. */
export function deriveAccountClientSecret(seed: string): string {
  return createHmac('sha256', seed).update('latchkey-account client secret').digest('base64url');
}

/** Clients whose consent is implied: they are Latchkey's own pages, and ask only to know who is signed in. */
export const FIRST_PARTY_CLIENT_IDS: ReadonlySet<string> = new Set([ACCOUNT_CLIENT_ID]);
