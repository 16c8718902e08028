import { describe, expect, it } from 'vitest';
import { describeKeyChanges } from '../../../src/keys/key-events.ts';
import type { KeyPolicies } from '../../../src/keys/key-life-cycle.ts';
import { planRevocation, planRotation, type PlannedKey } from '../../../src/keys/key-steps.ts';
import { applyChanges } from './key-simulation.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const policies: KeyPolicies = {
  groups: ['RS256'],
  policyFor: () => ({ rotationIntervalMs: 100_000, publishLeadMs: 10_000, switchDelayMs: 5_000, retentionMs: 60_000 }),
};
const signer: PlannedKey = {
  kid: 'a', group: 'RS256', createdAt: T0, publishedAt: T0, activeFrom: T0, retiredFrom: null, removedAt: null, revokedAt: null, hasMaterial: true,
};
const created = (changes: ReturnType<typeof planRotation>, kid: string) =>
  changes.create.map((key) => ({ kid, group: key.group, publishedAt: key.publishedAt, activeFrom: key.activeFrom }));

describe('describeKeyChanges: one audit event per key changed', () => {
  it('a staged rotation: the new key generated (signs later), the signer previous from then', () => {
    const changes = planRotation([signer], 'RS256', policies, at(90), { immediately: false });
    expect(describeKeyChanges([signer], changes, created(changes, 'b'))).toEqual([
      { kid: 'b', group: 'RS256', state: 'generated', effectiveAt: at(105) },
      { kid: 'a', group: 'RS256', state: 'previous', effectiveAt: at(105) },
    ]);
  });

  it('revoking the signer: revoked, and its waiting successor current at once', () => {
    const staged = applyChanges([signer], planRotation([signer], 'RS256', policies, at(90), { immediately: false }), at(90));
    const successor = staged[1]!.kid;
    const changes = planRevocation(staged, 'a', policies, at(95));
    expect(describeKeyChanges(staged, changes, [])).toEqual([
      { kid: 'a', group: 'RS256', state: 'revoked', effectiveAt: at(95) },
      { kid: successor, group: 'RS256', state: 'current', effectiveAt: at(95) },
    ]);
  });

  it('an immediate rotation drops the waiting successor: retired', () => {
    const staged = applyChanges([signer], planRotation([signer], 'RS256', policies, at(90), { immediately: false }), at(90));
    const successor = staged[1]!.kid;
    const changes = planRotation(staged, 'RS256', policies, at(95), { immediately: true });
    expect(describeKeyChanges(staged, changes, created(changes, 'c')).map((event) => [event.kid, event.state])).toEqual([
      ['c', 'generated'],
      ['a', 'previous'],
      [successor, 'retired'],
    ]);
  });
});
