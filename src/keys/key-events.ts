// What a set of key changes means, one event per key, for the audit trail.
import type { KeyGroup } from './key-life-cycle.ts';
import type { KeyChanges, PlannedKey } from './key-steps.ts';
import type { CreatedKey } from './key-operations.ts';

/**
 * A key that changed: `generated` (published, signs from `effectiveAt`), `current` (signs from `effectiveAt`, sooner
 * than planned or again), `previous` (stops signing at `effectiveAt`, stays published), `retired` (no longer published,
 * its private key destroyed), `revoked`.
 */
export interface KeyEvent {
  kid: string;
  group: KeyGroup;
  state: 'generated' | 'current' | 'previous' | 'retired' | 'revoked';
  effectiveAt: Date | undefined;
}

/** One event per key that `changes` touch (the most telling one when several apply). */
export function describeKeyChanges(keys: readonly PlannedKey[], changes: KeyChanges, created: readonly CreatedKey[]): KeyEvent[] {
  const events = new Map<string, KeyEvent>();
  const add = (event: KeyEvent) => {
    if (!events.has(event.kid)) events.set(event.kid, event);
  };
  for (const key of created) add({ kid: key.kid, group: key.group, state: 'generated', effectiveAt: key.activeFrom });
  for (const { kid, changes: times } of changes.update) {
    const group = keys.find((key) => key.kid === kid)?.group;
    if (!group) continue;
    if (times.revokedAt) add({ kid, group, state: 'revoked', effectiveAt: times.revokedAt });
    else if (times.retiredFrom) add({ kid, group, state: 'previous', effectiveAt: times.retiredFrom });
    else if (times.activeFrom) add({ kid, group, state: 'current', effectiveAt: times.activeFrom });
    else if (times.retiredFrom === null) add({ kid, group, state: 'current', effectiveAt: undefined });
    else if (times.removedAt) add({ kid, group, state: 'retired', effectiveAt: times.removedAt });
  }
  for (const kid of changes.destroyMaterial) {
    const group = keys.find((key) => key.kid === kid)?.group;
    if (group) add({ kid, group, state: 'retired', effectiveAt: undefined });
  }
  return [...events.values()];
}
