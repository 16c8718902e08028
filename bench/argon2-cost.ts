// What one argon2id verification costs at the configured parameters: the floor of a password sign-in's CPU.
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { loadConfig } from '../src/config/load-config.ts';

export interface Argon2Cost {
  parameters: { memoryCost: number; timeCost: number; parallelism: number };
  /** CPU per verification (all threads of this process), in milliseconds; the mean of the run's measurements. */
  cpuMs: number;
  wallMs: number;
  /** A hash of `password` at these parameters (the baseline checks sign-ins against it). */
  hash: string;
}

/** Reads the parameters from the bench's config directory, as the server does, and times `rounds` verifications. */
export async function measureArgon2(configDir: string, password: string, rounds: number): Promise<Argon2Cost> {
  const { passwords } = loadConfig({ configDir, env: {}, cwd: configDir });
  const parameters = passwords.argon2;
  const hash = await argon2.hash(password, { type: argon2.argon2id, ...parameters });
  await argon2.verify(hash, password); // first call loads and warms the native code
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let round = 0; round < rounds; round++) {
    if (!(await argon2.verify(hash, password))) throw new Error('argon2 verification failed');
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    parameters,
    cpuMs: (cpu.user + cpu.system) / 1000 / rounds,
    wallMs: (performance.now() - wallBefore) / rounds,
    hash,
  };
}
