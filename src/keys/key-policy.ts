import { MIN_PUBLISH_LEAD_SECONDS } from '../config/signing-schema.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import type { KeyGroup, KeyPolicies, LifeCyclePolicy } from './key-life-cycle.ts';

/**
 * Added to every retention: an instance may sign with a retiring key for up to one key check after the switch, and a
 * request that started before it finishes on the old provider; servers' clocks differ a little too.
 */
export const RETIREMENT_MARGIN_SECONDS = 10;

/** The life-cycle policies the configuration asks for. */
export function buildKeyPolicies(config: Pick<LatchkeyConfig, 'signing' | 'ttl' | 'resources' | 'cookies'>): KeyPolicies {
  const { rotationInterval, publishLeadTime } = config.signing;
  const policy = (retentionSeconds: number): LifeCyclePolicy => ({
    rotationIntervalMs: rotationInterval * 1000,
    publishLeadMs: publishLeadTime * 1000,
    switchDelayMs: MIN_PUBLISH_LEAD_SECONDS * 1000,
    retentionMs: (retentionSeconds + RETIREMENT_MARGIN_SECONDS) * 1000,
  });
  const signing = policy(longestSignedLifetime(config));
  const cookies = policy(longestCookieLifetime(config.ttl));
  return {
    // Cookie keys given in the configuration are the operator's to rotate; the stored ones then retire.
    groups: [...config.signing.algorithms, ...(config.cookies.secrets ? [] : ['cookie' as const])],
    policyFor: (group: KeyGroup) => (group === 'cookie' ? cookies : signing),
  };
}

/**
 * The longest time anything signed with a signing key is still checked against it: ID tokens and JWT access tokens
 * for APIs until they expire, and an ID token as id_token_hint at logout for as long as the session it came from
 * (OpenID Connect RP-Initiated Logout §2: the OP should accept an expired ID token as the hint). Refresh tokens,
 * codes and userinfo access tokens are opaque here, so they need no key.
 */
export function longestSignedLifetime(config: Pick<LatchkeyConfig, 'ttl' | 'resources'>): number {
  const { ttl, resources } = config;
  return Math.max(ttl.idToken, ttl.accessToken, ttl.clientCredentials, ttl.session, ...resources.map((resource) => resource.access_token_ttl));
}

/** Cookies signed with a cookie key: the session cookie, and the shorter-lived interaction cookies. */
function longestCookieLifetime(ttl: LatchkeyConfig['ttl']): number {
  return Math.max(ttl.session, ttl.interaction);
}
