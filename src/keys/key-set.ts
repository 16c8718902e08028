import { groupsOf, signerAt, trustedKeysAt, type KeyGroup, type KeyPolicies } from './key-life-cycle.ts';
import type { PrivateSigningJwk } from './generate-signing-key.ts';
import type { OpenedKey } from './stored-keys.ts';

/** What the provider is built with at one moment. */
export interface KeySet {
  /** Every trusted signing key, each algorithm's signer before its others (oidc-provider signs with the first that fits). */
  signingKeys: PrivateSigningJwk[];
  /** Cookie-signing secrets, the signing one first, then those that still verify. */
  cookieSecrets: string[];
  /** The signing kid of each group. */
  signers: Partial<Record<KeyGroup, string>>;
  /** Equal for two key sets that would build the same provider. */
  fingerprint: string;
}

/**
 * The key set at `at`. Cookie secrets from the configuration, when given, replace the stored cookie keys (the
 * operator rotates those by listing a new one first).
 */
export function buildKeySet(keys: readonly OpenedKey[], policies: KeyPolicies, at: Date, configuredCookieSecrets?: readonly string[]): KeySet {
  const signingKeys: PrivateSigningJwk[] = [];
  const cookieSecrets: string[] = configuredCookieSecrets ? [...configuredCookieSecrets] : [];
  const signers: Partial<Record<KeyGroup, string>> = {};
  const order: string[] = [];
  for (const group of groupsOf(keys, policies)) {
    if (group === 'cookie' && configuredCookieSecrets) continue;
    const trusted = trustedKeysAt(keys, group, at);
    const signer = signerAt(keys, group, at);
    if (signer) signers[group] = signer.kid;
    order.push(`${group}:${trusted.map((key) => key.kid).join(',')}`);
    for (const key of trusted) {
      if (key.group === 'cookie') cookieSecrets.push(key.secret);
      else signingKeys.push(key.jwk);
    }
  }
  return { signingKeys, cookieSecrets, signers, fingerprint: order.join(' ') };
}
