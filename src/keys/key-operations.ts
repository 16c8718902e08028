// Writes planned changes to the key tables, one instance at a time: every operation runs in a transaction holding the
// `keys` advisory lock and re-reads the keys inside it, so two instances never perform the same step.
import { randomBytes } from 'node:crypto';
import type { Queries } from '../db/queries/index.ts';
import type { KeyGroup, KeyPolicies } from './key-life-cycle.ts';
import { findDueSteps, planStep, type DueStep, type KeyChanges } from './key-steps.ts';
import { sealSecret } from './key-encryption.ts';
import type { KeyEncryptionKeys } from './key-encryption-key.ts';
import { generateSigningKey } from './generate-signing-key.ts';
import { listStoredKeys, sealingContext, type StoredKey } from './stored-keys.ts';
import { describeKeyChanges, type KeyEvent } from './key-events.ts';

const LOCK = 'keys';

/** What key operations work with. */
export interface KeyOperationDeps {
  queries: Queries;
  policies: KeyPolicies;
  keks: KeyEncryptionKeys;
}

/** A key this instance generated, and when it is published and signs. */
export interface CreatedKey {
  kid: string;
  group: KeyGroup;
  publishedAt: Date;
  activeFrom: Date;
}

/**
 * Runs `work` with the keys read under the lock. `wait` waits for the lock (start-up, the CLI); `try` gives up at once
 * when another instance holds it (the periodic check: that instance is doing the work) and returns undefined.
 */
export async function withKeyLock<T>(
  queries: Queries,
  mode: 'wait' | 'try',
  work: (trx: Queries, keys: StoredKey[]) => Promise<T>,
): Promise<T | undefined> {
  return queries.transaction(async (trx) => {
    if (mode === 'wait') await trx.locks.lockForTransaction(LOCK);
    else if (!(await trx.locks.tryLockForTransaction(LOCK))) return undefined;
    return work(trx, await listStoredKeys(trx));
  });
}

/** A step this instance performed: the keys it generated and what changed, key by key. */
export interface PerformedStep {
  step: DueStep;
  created: CreatedKey[];
  events: KeyEvent[];
}

/** Performs every step due at `at()`, re-planning after each so that one step's changes inform the next. */
export async function performDueSteps(
  deps: KeyOperationDeps,
  mode: 'wait' | 'try',
  at: () => Date = () => new Date(),
): Promise<PerformedStep[] | undefined> {
  return withKeyLock(deps.queries, mode, async (trx, initial) => {
    const performed: PerformedStep[] = [];
    let keys = initial;
    // Each step settles what made it due, so the list shrinks; the bound only guards against a planning bug.
    for (let round = 0; round < 20; round++) {
      const now = at();
      const [step] = findDueSteps(keys, deps.policies, now);
      if (!step) return performed;
      const changes = planStep(keys, step, deps.policies, now);
      const created = await applyKeyChanges(trx, deps.keks, keys, changes, now);
      performed.push({ step, created, events: describeKeyChanges(keys, changes, created) });
      keys = await listStoredKeys(trx);
    }
    throw new Error('key steps did not settle; the key tables may hold contradictory times');
  });
}

/** Writes planned changes: generates and seals new keys, updates times, destroys material. */
export async function applyKeyChanges(
  trx: Queries,
  keks: KeyEncryptionKeys,
  keys: readonly StoredKey[],
  changes: KeyChanges,
  now: Date,
): Promise<CreatedKey[]> {
  const groupOf = (kid: string) => keys.find((key) => key.kid === kid)?.group;
  for (const { kid, changes: times } of changes.update) {
    if (groupOf(kid) === 'cookie') await trx.cookieKeys.updateCookieKeyLifeCycle(kid, times);
    else await trx.signingKeys.updateSigningKeyLifeCycle(kid, times);
  }
  for (const kid of changes.destroyMaterial) {
    if (groupOf(kid) === 'cookie') await trx.cookieKeys.replaceCookieKeyMaterial(kid, null);
    else await trx.signingKeys.replaceSigningKeyMaterial(kid, null);
  }
  const created: CreatedKey[] = [];
  for (const { group, publishedAt, activeFrom } of changes.create) {
    const times = { createdAt: now, publishedAt, activeFrom };
    if (group === 'cookie') {
      const kid = randomBytes(12).toString('base64url');
      const sealedSecret = sealSecret(keks.current, randomBytes(32).toString('base64url'), sealingContext({ group, kid }));
      await trx.cookieKeys.insertCookieKey({ kid, sealedSecret, ...times });
      created.push({ kid, group, publishedAt, activeFrom });
    } else {
      const jwk = await generateSigningKey(group);
      const sealedPrivateJwk = sealSecret(keks.current, JSON.stringify(jwk), sealingContext({ group, kid: jwk.kid }));
      await trx.signingKeys.insertSigningKey({ kid: jwk.kid, alg: group, sealedPrivateJwk, ...times });
      created.push({ kid: jwk.kid, group, publishedAt, activeFrom });
    }
  }
  return created;
}
