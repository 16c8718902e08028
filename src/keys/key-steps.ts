// What has to be done to the stored keys, and how: pure functions from the keys, the policies and the clock to the
// rows to write. One instance performs them under a lock (key-operations.ts); every instance derives the states.
import {
  groupsOf,
  keyStateAt,
  signerAt,
  successorsAt,
  type KeyGroup,
  type KeyPolicies,
  type KeyTimeline,
} from './key-life-cycle.ts';

/** A key as the planner sees it: its timeline, and whether its secret material is still stored. */
export type PlannedKey = KeyTimeline & { hasMaterial: boolean };

/** A step that is due; planStep turns it into changes. */
export type DueStep =
  /** The group has no signing key: its successor signs now, or a new key does. */
  | { kind: 'start-signing'; group: KeyGroup }
  /** The signer has signed long enough: a successor is published now and signs after the lead time. */
  | { kind: 'rotate'; group: KeyGroup }
  /** An active key that a newer one replaced without retiring it (only hand-edited rows get there). */
  | { kind: 'retire-superseded'; kid: string }
  /** The group is no longer configured (an algorithm was dropped): its signer retires now. */
  | { kind: 'retire-group'; group: KeyGroup }
  /** A removed or revoked key: nothing needs its private material any more. */
  | { kind: 'destroy-material'; kid: string };

/** Times to set on existing keys; null clears a time. */
export interface TimelineChanges {
  activeFrom?: Date;
  retiredFrom?: Date | null;
  removedAt?: Date | null;
  revokedAt?: Date | null;
}

/** Rows to write: keys to generate, times to change, material to destroy. */
export interface KeyChanges {
  create: Array<{ group: KeyGroup; publishedAt: Date; activeFrom: Date }>;
  update: Array<{ kid: string; changes: TimelineChanges }>;
  destroyMaterial: string[];
}

const noChanges = (): KeyChanges => ({ create: [], update: [], destroyMaterial: [] });

/** The steps due at `at`, in the order they should run. */
export function findDueSteps(keys: readonly PlannedKey[], policies: KeyPolicies, at: Date): DueStep[] {
  const steps: DueStep[] = [];
  for (const group of groupsOf(keys, policies)) {
    const signer = signerAt(keys, group, at);
    if (!policies.groups.includes(group)) {
      const live = keys.some((key) => key.group === group && ['created', 'published', 'active'].includes(keyStateAt(key, at)));
      if (live) steps.push({ kind: 'retire-group', group });
      continue;
    }
    if (!signer) {
      steps.push({ kind: 'start-signing', group });
      continue;
    }
    for (const key of keys) {
      if (key.group === group && key !== signer && keyStateAt(key, at) === 'active') steps.push({ kind: 'retire-superseded', kid: key.kid });
    }
    const { rotationIntervalMs, publishLeadMs, switchDelayMs } = policies.policyFor(group);
    // A successor signs switch delay + lead time after it is made (planRotation): made that early, it takes over on
    // time.
    const rotationDue = signer.activeFrom.getTime() + rotationIntervalMs - publishLeadMs - switchDelayMs <= at.getTime();
    if (rotationDue && signer.retiredFrom === null && successorsAt(keys, group, at).length === 0) steps.push({ kind: 'rotate', group });
  }
  for (const key of keys) {
    if (key.hasMaterial && ['removed', 'revoked'].includes(keyStateAt(key, at))) steps.push({ kind: 'destroy-material', kid: key.kid });
  }
  return steps;
}

/** The changes that perform a due step at `at`. */
export function planStep(keys: readonly PlannedKey[], step: DueStep, policies: KeyPolicies, at: Date): KeyChanges {
  switch (step.kind) {
    case 'start-signing':
      return startSigningNow(keys, step.group, at);
    case 'rotate':
      return planRotation(keys, step.group, policies, at, { immediately: false });
    case 'retire-superseded': {
      const key = keys.find((candidate) => candidate.kid === step.kid);
      const signer = key && signerAt(keys, key.group, at);
      if (!key || !signer) return noChanges();
      return { ...noChanges(), update: [{ kid: key.kid, changes: retire(signer.activeFrom, policies.policyFor(key.group).retentionMs) }] };
    }
    case 'retire-group': {
      const changes = noChanges();
      const signer = signerAt(keys, step.group, at);
      if (signer) changes.update.push({ kid: signer.kid, changes: retire(at, policies.policyFor(step.group).retentionMs) });
      for (const key of successorsAt(keys, step.group, at)) changes.update.push({ kid: key.kid, changes: { removedAt: at } });
      return changes;
    }
    case 'destroy-material':
      return { ...noChanges(), destroyMaterial: [step.kid] };
  }
}

/**
 * A new key for the group. Staged: published now, signing after the switch delay plus the lead time, and the signer
 * retires then (nothing changes while a successor is already waiting). The switch delay is how long the other
 * instances may take to pick the key up: a relying party may cache a JWKS without it, from any instance, until then,
 * so the key is in every instance's JWKS for the whole lead time (>= jwks_max_age) before it signs. Immediately: the
 * new key signs as soon as every instance can know it (the switch delay, seconds), the signer retires then, and a
 * waiting successor, which never signed, is dropped.
 */
export function planRotation(keys: readonly PlannedKey[], group: KeyGroup, policies: KeyPolicies, at: Date, options: { immediately: boolean }): KeyChanges {
  const signer = signerAt(keys, group, at);
  if (!signer) return startSigningNow(keys, group, at);
  const { publishLeadMs, switchDelayMs, retentionMs } = policies.policyFor(group);
  const successors = successorsAt(keys, group, at);
  if (!options.immediately) {
    if (successors.length > 0) return noChanges();
    const activeFrom = new Date(at.getTime() + switchDelayMs + publishLeadMs);
    return { create: [{ group, publishedAt: at, activeFrom }], update: [{ kid: signer.kid, changes: retire(activeFrom, retentionMs) }], destroyMaterial: [] };
  }
  const activeFrom = new Date(at.getTime() + switchDelayMs);
  return {
    create: [{ group, publishedAt: at, activeFrom }],
    update: [{ kid: signer.kid, changes: retire(activeFrom, retentionMs) }, ...successors.map((key) => ({ kid: key.kid, changes: { removedAt: at } }))],
    destroyMaterial: successors.map((key) => key.kid),
  };
}

/**
 * Revokes a key at `at`: out of the JWKS at once, its material destroyed. A revoked signer is replaced at once (by its
 * successor when there is one, which relying parties may already have cached); a revoked successor leaves the signer
 * signing as if no rotation had begun.
 */
export function planRevocation(keys: readonly PlannedKey[], kid: string, policies: KeyPolicies, at: Date): KeyChanges {
  const key = keys.find((candidate) => candidate.kid === kid);
  if (!key || key.revokedAt !== null) return noChanges();
  const state = keyStateAt(key, at);
  const changes: KeyChanges = {
    ...noChanges(),
    update: [{ kid, changes: { revokedAt: at, removedAt: state === 'removed' ? key.removedAt : at, ...(state === 'active' ? { retiredFrom: at } : {}) } }],
    destroyMaterial: key.hasMaterial ? [kid] : [],
  };
  const signer = signerAt(keys, key.group, at);
  const others = keys.filter((candidate) => candidate !== key);
  if (signer === key && policies.groups.includes(key.group)) {
    const [successor] = successorsAt(others, key.group, at);
    if (successor) changes.update.push({ kid: successor.kid, changes: { activeFrom: at } });
    else changes.create.push({ group: key.group, publishedAt: at, activeFrom: at });
  } else if ((state === 'created' || state === 'published') && signer) {
    const [next] = successorsAt(others, key.group, at);
    const { retentionMs } = policies.policyFor(key.group);
    changes.update.push({ kid: signer.kid, changes: next ? retire(next.activeFrom, retentionMs) : { retiredFrom: null, removedAt: null } });
  }
  return changes;
}

function startSigningNow(keys: readonly PlannedKey[], group: KeyGroup, at: Date): KeyChanges {
  const [successor] = successorsAt(keys, group, at);
  if (successor) return { ...noChanges(), update: [{ kid: successor.kid, changes: { activeFrom: at } }] };
  return { ...noChanges(), create: [{ group, publishedAt: at, activeFrom: at }] };
}

function retire(from: Date, retentionMs: number): TimelineChanges {
  return { retiredFrom: from, removedAt: new Date(from.getTime() + retentionMs) };
}
