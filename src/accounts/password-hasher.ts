import argon2 from 'argon2';
import type { HashingGate } from './hashing-gate.ts';

export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordVerification {
  valid: boolean;
  /** True when the hash was made with other parameters than the configured ones and should be replaced. */
  needsRehash: boolean;
}

/**
 * Hashes and verifies passwords with argon2id at the configured cost, each through `gate`: when it is at capacity the
 * call throws HashingBusyError without hashing.
 */
export function createPasswordHasher(parameters: Argon2Parameters, gate: HashingGate) {
  const options = { type: argon2.argon2id, ...parameters } as const;
  // Verifying against this keeps unknown emails as slow as wrong passwords, so timing does not reveal accounts. Made
  // once at start, outside the gate: nothing else is hashing yet.
  const dummyHash = argon2.hash('latchkey-dummy-password', options);

  return {
    /** Settles once the dummy hash is made: libuv's threadpool, where hashing runs, is started then. */
    ready: dummyHash.then(() => undefined),

    hash(password: string): Promise<string> {
      return gate.run(() => argon2.hash(password, options));
    },

    async verify(hash: string, password: string): Promise<PasswordVerification> {
      // A malformed stored hash is a failed sign-in, not a crash.
      const valid = await gate.run(() => argon2.verify(hash, password).catch(() => false));
      return { valid, needsRehash: valid && argon2.needsRehash(hash, options) };
    },

    async verifyDummy(password: string): Promise<void> {
      const hash = await dummyHash;
      await gate.run(() => argon2.verify(hash, password));
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
