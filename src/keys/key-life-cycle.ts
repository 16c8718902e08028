// The life cycle of a key, as a pure function of its stored times and the clock:
//   created → published (in the JWKS, not signing) → active (signs) → retired (still published) → removed,
// or revoked at any point (removed at once). Every instance derives the same states from the same rows, so they all
// switch signing keys at the planned moment without talking to each other.
import type { SigningAlgorithm } from '../config/types.ts';
import type { KeyLifeCycleTimes } from '../db/queries/key-life-cycle-columns.ts';

/** Keys that rotate together: those of one signing algorithm, or the cookie-signing secrets. */
export type KeyGroup = SigningAlgorithm | 'cookie';

/** A key's life-cycle times, as stored; `activeFrom` is planned ahead, the others are set by rotation and revocation. */
export interface KeyTimeline extends KeyLifeCycleTimes {
  kid: string;
  group: KeyGroup;
}

export type KeyState = 'created' | 'published' | 'active' | 'retired' | 'removed' | 'revoked';

/** What a group's keys do, in milliseconds. */
export interface LifeCyclePolicy {
  /** How long a key signs before its successor takes over. */
  rotationIntervalMs: number;
  /** How long a successor is published before it signs. */
  publishLeadMs: number;
  /** How long every instance needs to learn of a new key: even a sudden switch waits this long. */
  switchDelayMs: number;
  /** How long a retired key stays published: the longest lifetime of anything it signed, and a margin. */
  retentionMs: number;
}

/** The groups that must have a signing key, and each group's policy (also for groups no longer configured). */
export interface KeyPolicies {
  groups: readonly KeyGroup[];
  policyFor(group: KeyGroup): LifeCyclePolicy;
}

/** The state of a key at time `at`. */
export function keyStateAt(key: KeyTimeline, at: Date): KeyState {
  const reached = (time: Date | null) => time !== null && time.getTime() <= at.getTime();
  if (reached(key.revokedAt)) return 'revoked';
  if (reached(key.removedAt)) return 'removed';
  if (reached(key.retiredFrom)) return 'retired';
  if (reached(key.activeFrom)) return 'active';
  if (reached(key.publishedAt)) return 'published';
  return 'created';
}

/** Published, active and retired keys are trusted: they are in the JWKS, and tokens they signed verify. */
export function isTrusted(state: KeyState): boolean {
  return state === 'published' || state === 'active' || state === 'retired';
}

/** The key that signs for the group at `at`: the active one that became active last. */
export function signerAt<K extends KeyTimeline>(keys: readonly K[], group: KeyGroup, at: Date): K | undefined {
  return newestFirst(keys.filter((key) => key.group === group && keyStateAt(key, at) === 'active'))[0];
}

/** Keys made to succeed the group's signer that do not sign yet, earliest first. */
export function successorsAt<K extends KeyTimeline>(keys: readonly K[], group: KeyGroup, at: Date): K[] {
  const waiting = keys.filter((key) => key.group === group && ['created', 'published'].includes(keyStateAt(key, at)));
  return newestFirst(waiting).reverse();
}

/**
 * The group's trusted keys at `at`, the signer first (oidc-provider and keygrip sign with the first key that fits),
 * then the successor, then retired keys, newest first.
 */
export function trustedKeysAt<K extends KeyTimeline>(keys: readonly K[], group: KeyGroup, at: Date): K[] {
  const signer = signerAt(keys, group, at);
  const others = keys.filter((key) => key.group === group && key !== signer && isTrusted(keyStateAt(key, at)));
  const [successors, rest] = [others.filter((key) => key.activeFrom > at), others.filter((key) => key.activeFrom <= at)];
  return [...(signer ? [signer] : []), ...newestFirst(successors).reverse(), ...newestFirst(rest)];
}

/** Every group that has keys or must have them, in a stable order. */
export function groupsOf(keys: readonly KeyTimeline[], policies: KeyPolicies): KeyGroup[] {
  return [...new Set([...policies.groups, ...keys.map((key) => key.group)])];
}

function newestFirst<K extends KeyTimeline>(keys: readonly K[]): K[] {
  return [...keys].sort(
    (a, b) => b.activeFrom.getTime() - a.activeFrom.getTime() || b.createdAt.getTime() - a.createdAt.getTime() || (a.kid < b.kid ? 1 : -1),
  );
}
