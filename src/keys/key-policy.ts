import { MIN_PUBLISH_LEAD_SECONDS } from '../config/signing-schema.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import type { KeyGroup, KeyPolicies, LifeCyclePolicy } from './key-life-cycle.ts';

/**
 * Added to every retention: an instance may sign with a retiring key for up to one key check after the switch, and a
 * request that started before it finishes on the old provider; servers' clocks differ a little too.
 */
export const RETIREMENT_MARGIN_SECONDS = 10;

/** Back-channel logout tokens are valid this long (oidc-provider lib/models/id_token.js, `use: 'logout'`). */
const LOGOUT_TOKEN_LIFETIME_SECONDS = 120;

type Registry = Pick<LatchkeyConfig, 'clients' | 'resources'>;

/**
 * The life-cycle policies the configuration asks for. `registry` gives the clients and APIs in use now (clients.yaml
 * can be reloaded), whose token lifetimes a retiring key's retention must cover.
 */
export function buildKeyPolicies(
  config: Pick<LatchkeyConfig, 'signing' | 'ttl' | 'resources' | 'clients' | 'cookies'>,
  registry: () => Registry = () => config,
): KeyPolicies {
  const { rotationInterval, publishLeadTime } = config.signing;
  const policy = (retentionSeconds: number): LifeCyclePolicy => ({
    rotationIntervalMs: rotationInterval * 1000,
    publishLeadMs: publishLeadTime * 1000,
    switchDelayMs: MIN_PUBLISH_LEAD_SECONDS * 1000,
    retentionMs: (retentionSeconds + RETIREMENT_MARGIN_SECONDS) * 1000,
  });
  const cookies = policy(longestCookieLifetime(config.ttl));
  return {
    // Cookie keys given in the configuration are the operator's to rotate; the stored ones then retire.
    groups: [...config.signing.algorithms, ...(config.cookies.secrets ? [] : ['cookie' as const])],
    policyFor: (group: KeyGroup) => (group === 'cookie' ? cookies : policy(longestSignedLifetime({ ttl: config.ttl, ...registry() }))),
  };
}

/**
 * The longest time anything signed with a signing key is still checked against it: ID tokens, JWT access tokens for
 * APIs and back-channel logout tokens (when a client takes them) until they expire, and an ID token as id_token_hint at logout for as long as the
 * session it came from (OpenID Connect RP-Initiated Logout §2: the OP should accept an expired ID token as the hint).
 * Refresh tokens, codes and userinfo access tokens are opaque here, so they need no key.
 */
export function longestSignedLifetime(config: Pick<LatchkeyConfig, 'ttl' | 'resources' | 'clients'>): number {
  const { ttl, resources, clients } = config;
  const apis = resources.map((resource) => resource.access_token_ttl);
  const logoutTokens = clients.some((client) => client.backchannel_logout_uri !== undefined) ? [LOGOUT_TOKEN_LIFETIME_SECONDS] : [];
  return Math.max(ttl.idToken, ttl.accessToken, ttl.clientCredentials, ttl.session, ...apis, ...logoutTokens);
}

/** Cookies signed with a cookie key: the session cookie, and the shorter-lived interaction cookies. */
function longestCookieLifetime(ttl: LatchkeyConfig['ttl']): number {
  return Math.max(ttl.session, ttl.interaction);
}
