// Applies planned key changes in memory, the way key-operations.ts writes them to the database.
import type { KeyPolicies } from '../../../src/keys/key-life-cycle.ts';
import { findDueSteps, planStep, type KeyChanges, type PlannedKey } from '../../../src/keys/key-steps.ts';

let counter = 0;

/** The keys after `changes`, made at `now`; new keys get kids k1, k2, ... */
export function applyChanges(keys: readonly PlannedKey[], changes: KeyChanges, now: Date): PlannedKey[] {
  const updated = keys.map((key) => {
    const update = changes.update.filter((candidate) => candidate.kid === key.kid).reduce((merged, candidate) => ({ ...merged, ...candidate.changes }), {});
    return { ...key, ...update, hasMaterial: key.hasMaterial && !changes.destroyMaterial.includes(key.kid) };
  });
  const created = changes.create.map(({ group, publishedAt, activeFrom }) => ({
    kid: `k${++counter}`,
    group,
    createdAt: now,
    publishedAt,
    activeFrom,
    retiredFrom: null,
    removedAt: null,
    revokedAt: null,
    hasMaterial: true,
  }));
  return [...updated, ...created];
}

/** Performs every due step at `now`, as the periodic check does. */
export function runDueSteps(keys: readonly PlannedKey[], policies: KeyPolicies, now: Date): PlannedKey[] {
  let current = [...keys];
  for (let round = 0; round < 20; round++) {
    const [step] = findDueSteps(current, policies, now);
    if (!step) return current;
    current = applyChanges(current, planStep(current, step, policies, now), now);
  }
  throw new Error('due steps did not settle');
}
