// Random histories of time passing, periodic checks, rotations and revocations: whatever happens, every group keeps
// exactly one signer, a key stays trusted for the retention after it last signed, and a staged rotation never lets a
// key sign before it has been published for the lead time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTrusted, keyStateAt, signerAt, type KeyGroup, type KeyPolicies, type LifeCyclePolicy } from '../../../src/keys/key-life-cycle.ts';
import { planRevocation, planRotation, type PlannedKey } from '../../../src/keys/key-steps.ts';
import { applyChanges, runDueSteps } from './key-simulation.ts';

const GROUPS: readonly KeyGroup[] = ['RS256', 'cookie'];

const policyArbitrary: fc.Arbitrary<LifeCyclePolicy> = fc
  .record({ lead: fc.integer({ min: 5, max: 50 }), extra: fc.integer({ min: 0, max: 200 }), retention: fc.integer({ min: 1, max: 300 }) })
  .map(({ lead, extra, retention }) => ({ rotationIntervalMs: lead + extra, publishLeadMs: lead, switchDelayMs: 5, retentionMs: retention }));

const eventArbitrary = (allowSudden: boolean): fc.Arbitrary<Event> =>
  fc.record({
    advance: fc.integer({ min: 0, max: 120 }),
    action: fc.constantFrom(...(allowSudden ? (['check', 'rotate', 'rotate-now', 'revoke'] as const) : (['check', 'rotate'] as const))),
    group: fc.constantFrom(...GROUPS),
    pick: fc.nat(),
  });

interface Event {
  advance: number;
  action: 'check' | 'rotate' | 'rotate-now' | 'revoke';
  group: KeyGroup;
  pick: number;
}

/** Plays the events from an empty database, running the due steps after each, and calls `check` after each. */
function simulate(policy: LifeCyclePolicy, events: readonly Event[], check: (keys: PlannedKey[], now: Date, signedAt: Map<string, number>) => void) {
  const policies: KeyPolicies = { groups: GROUPS, policyFor: () => policy };
  let now = 1_000_000;
  let keys = runDueSteps([], policies, new Date(now));
  const signedAt = new Map<string, number>(); // kid → last time seen signing
  for (const event of events) {
    now += event.advance;
    const at = new Date(now);
    if (event.action === 'rotate' || event.action === 'rotate-now') {
      keys = applyChanges(keys, planRotation(keys, event.group, policies, at, { immediately: event.action === 'rotate-now' }), at);
    } else if (event.action === 'revoke' && keys.length > 0) {
      const victim = keys[event.pick % keys.length]!;
      keys = applyChanges(keys, planRevocation(keys, victim.kid, policies, at), at);
    }
    keys = runDueSteps(keys, policies, at);
    for (const group of GROUPS) {
      const signer = signerAt(keys, group, at);
      if (signer) signedAt.set(signer.kid, now);
    }
    check(keys, at, signedAt);
  }
}

describe('key life cycle under random histories', () => {
  it('every configured group has exactly one signer after each check, and it has its material', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.array(eventArbitrary(true), { maxLength: 40 }), (policy, events) => {
        simulate(policy, events, (keys, at) => {
          for (const group of GROUPS) {
            const active = keys.filter((key) => key.group === group && keyStateAt(key, at) === 'active');
            expect(active).toHaveLength(1);
            expect(active[0]!.hasMaterial).toBe(true);
          }
        });
      }),
    );
  });

  it('a key that signed stays trusted for the retention afterwards, unless revoked', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.array(eventArbitrary(true), { maxLength: 40 }), (policy, events) => {
        simulate(policy, events, (keys, at, signedAt) => {
          for (const key of keys) {
            const last = signedAt.get(key.kid);
            if (last === undefined || key.revokedAt !== null) continue;
            if (at.getTime() < last + policy.retentionMs) expect(isTrusted(keyStateAt(key, at))).toBe(true);
          }
          for (const key of keys) if (isTrusted(keyStateAt(key, at))) expect(key.hasMaterial).toBe(true);
        });
      }),
    );
  });

  it('without sudden switches, a key signs only after it has been published for the lead time (the first keys aside)', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.array(eventArbitrary(false), { maxLength: 40 }), (policy, events) => {
        simulate(policy, events, (keys, at) => {
          for (const group of GROUPS) {
            const signer = signerAt(keys, group, at)!;
            const first = keys.find((key) => key.group === group)!;
            if (signer !== first) expect(signer.activeFrom.getTime() - signer.publishedAt.getTime()).toBeGreaterThanOrEqual(policy.publishLeadMs);
          }
        });
      }),
    );
  });
});
