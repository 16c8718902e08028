import { describe, expect, it } from 'vitest';
import { keyStateAt, signerAt, trustedKeysAt, type KeyGroup, type KeyPolicies, type KeyTimeline } from '../../../src/keys/key-life-cycle.ts';
import { findDueSteps, planRevocation, planRotation, type PlannedKey } from '../../../src/keys/key-steps.ts';
import { applyChanges, runDueSteps } from './key-simulation.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const policies: KeyPolicies = {
  groups: ['RS256', 'cookie'],
  policyFor: () => ({ rotationIntervalMs: 90 * DAY, publishLeadMs: 2 * DAY, switchDelayMs: 5000, retentionMs: 14 * DAY }),
};

function key(kid: string, times: Partial<KeyTimeline> & { group?: KeyGroup } = {}): PlannedKey {
  return {
    kid,
    group: 'RS256',
    createdAt: T0,
    publishedAt: T0,
    activeFrom: T0,
    retiredFrom: null,
    removedAt: null,
    revokedAt: null,
    hasMaterial: true,
    ...times,
  };
}

describe('keyStateAt', () => {
  const timeline = key('a', { publishedAt: at(DAY), activeFrom: at(3 * DAY), retiredFrom: at(93 * DAY), removedAt: at(107 * DAY) });

  it.each([
    [0, 'created'],
    [DAY, 'published'],
    [3 * DAY - 1, 'published'],
    [3 * DAY, 'active'],
    [93 * DAY - 1, 'active'],
    [93 * DAY, 'retired'],
    [107 * DAY, 'removed'],
  ])('at +%ims is %s', (offset, state) => {
    expect(keyStateAt(timeline, at(offset))).toBe(state);
  });

  it('is revoked from the revocation on, whatever else was planned', () => {
    expect(keyStateAt({ ...timeline, revokedAt: at(50 * DAY), removedAt: at(50 * DAY) }, at(50 * DAY))).toBe('revoked');
  });
});

describe('the keys a group trusts', () => {
  it('lists the signer first, then its successor, then retired keys newest first', () => {
    const keys = [
      key('oldest', { activeFrom: at(0), retiredFrom: at(10 * DAY), removedAt: at(40 * DAY) }),
      key('older', { activeFrom: at(10 * DAY), retiredFrom: at(20 * DAY), removedAt: at(50 * DAY) }),
      key('signer', { activeFrom: at(20 * DAY), retiredFrom: at(31 * DAY), removedAt: at(60 * DAY) }),
      key('next', { publishedAt: at(29 * DAY), activeFrom: at(31 * DAY) }),
      key('cookie', { group: 'cookie' }),
    ];
    expect(signerAt(keys, 'RS256', at(30 * DAY))?.kid).toBe('signer');
    expect(trustedKeysAt(keys, 'RS256', at(30 * DAY)).map((k) => k.kid)).toEqual(['signer', 'next', 'older', 'oldest']);
    expect(trustedKeysAt(keys, 'RS256', at(45 * DAY)).map((k) => k.kid)).toEqual(['next', 'signer', 'older']);
  });
});

describe('findDueSteps', () => {
  it('starts signing in every configured group that has no key', () => {
    expect(findDueSteps([], policies, T0)).toEqual([
      { kind: 'start-signing', group: 'RS256' },
      { kind: 'start-signing', group: 'cookie' },
    ]);
  });

  it('starts a rotation switch delay + publish_lead_time before the signer has signed for rotation_interval, and only once', () => {
    const keys = [key('a'), key('c', { group: 'cookie', activeFrom: at(DAY) })];
    const due = 88 * DAY - 5000;
    expect(findDueSteps(keys, policies, at(due - 1))).toEqual([]);
    expect(findDueSteps(keys, policies, at(due))).toEqual([{ kind: 'rotate', group: 'RS256' }]);
    const rotated = applyChanges(keys, planRotation(keys, 'RS256', policies, at(due), { immediately: false }), at(due));
    // The successor takes over exactly when the signer has signed for rotation_interval.
    expect(rotated.find((candidate) => candidate.kid !== 'a' && candidate.group === 'RS256')?.activeFrom).toEqual(at(90 * DAY));
    expect(findDueSteps(rotated, policies, at(89 * DAY))).toEqual([{ kind: 'rotate', group: 'cookie' }]);
  });

  it('retires the keys of an algorithm that is no longer configured, and destroys material once a key is removed', () => {
    const keys = [key('a'), key('c', { group: 'cookie' }), key('e', { group: 'ES256' }), key('gone', { retiredFrom: T0, removedAt: at(DAY) })];
    expect(findDueSteps(keys, policies, at(DAY))).toEqual([
      { kind: 'retire-group', group: 'ES256' },
      { kind: 'destroy-material', kid: 'gone' },
    ]);
  });

  it('retires an active key that a newer one replaced without retiring it', () => {
    const keys = [key('a'), key('b', { activeFrom: at(DAY) }), key('c', { group: 'cookie' })];
    expect(findDueSteps(keys, policies, at(2 * DAY))).toEqual([{ kind: 'retire-superseded', kid: 'a' }]);
    expect(keyStateAt(runDueSteps(keys, policies, at(2 * DAY)).find((k) => k.kid === 'a')!, at(2 * DAY))).toBe('retired');
  });
});

describe('planRotation', () => {
  const keys = [key('a')];

  it('staged: publishes a new key now that signs after the switch delay and the lead time; the signer retires then and stays trusted for the retention', () => {
    const changes = planRotation(keys, 'RS256', policies, at(10 * DAY), { immediately: false });
    expect(changes).toEqual({
      create: [{ group: 'RS256', publishedAt: at(10 * DAY), activeFrom: at(12 * DAY + 5000) }],
      update: [{ kid: 'a', changes: { retiredFrom: at(12 * DAY + 5000), removedAt: at(26 * DAY + 5000) } }],
      destroyMaterial: [],
    });
    const after = applyChanges(keys, changes, at(10 * DAY));
    expect(planRotation(after, 'RS256', policies, at(11 * DAY), { immediately: false })).toEqual({ create: [], update: [], destroyMaterial: [] });
  });

  it('immediately: the new key signs once every instance can know it, the signer retires then, a waiting successor is dropped', () => {
    const staged = applyChanges(keys, planRotation(keys, 'RS256', policies, at(10 * DAY), { immediately: false }), at(10 * DAY));
    const waiting = staged[1]!.kid;
    const changes = planRotation(staged, 'RS256', policies, at(11 * DAY), { immediately: true });
    expect(changes).toEqual({
      create: [{ group: 'RS256', publishedAt: at(11 * DAY), activeFrom: at(11 * DAY + 5000) }],
      update: [
        { kid: 'a', changes: { retiredFrom: at(11 * DAY + 5000), removedAt: at(25 * DAY + 5000) } },
        { kid: waiting, changes: { removedAt: at(11 * DAY) } },
      ],
      destroyMaterial: [waiting],
    });
  });
});

describe('planRevocation', () => {
  const staged = applyChanges([key('a')], planRotation([key('a')], 'RS256', policies, at(10 * DAY), { immediately: false }), at(10 * DAY));
  const successor = staged[1]!.kid;

  it('replaces a revoked signer by its successor at once', () => {
    const after = applyChanges(staged, planRevocation(staged, 'a', policies, at(11 * DAY)), at(11 * DAY));
    expect(keyStateAt(after[0]!, at(11 * DAY))).toBe('revoked');
    expect(after[0]!.hasMaterial).toBe(false);
    expect(signerAt(after, 'RS256', at(11 * DAY))?.kid).toBe(successor);
  });

  it('replaces a revoked signer without successor by a new key that signs now', () => {
    const changes = planRevocation([key('a')], 'a', policies, at(DAY));
    expect(changes.create).toEqual([{ group: 'RS256', publishedAt: at(DAY), activeFrom: at(DAY) }]);
  });

  it('a revoked successor leaves the signer signing as if no rotation had begun', () => {
    const after = applyChanges(staged, planRevocation(staged, successor, policies, at(11 * DAY)), at(11 * DAY));
    expect(after[0]).toMatchObject({ kid: 'a', retiredFrom: null, removedAt: null });
    expect(signerAt(after, 'RS256', at(30 * DAY))?.kid).toBe('a');
    expect(findDueSteps(after, { ...policies, groups: ['RS256'] }, at(11 * DAY))).toEqual([]);
    expect(findDueSteps(after, { ...policies, groups: ['RS256'] }, at(88 * DAY))).toEqual([{ kind: 'rotate', group: 'RS256' }]);
  });

  it('removes a retired key at once and changes nothing else', () => {
    const later = at(13 * DAY);
    const changes = planRevocation(staged, 'a', policies, later);
    expect(changes).toEqual({ create: [], update: [{ kid: 'a', changes: { revokedAt: later, removedAt: later } }], destroyMaterial: ['a'] });
  });
});
