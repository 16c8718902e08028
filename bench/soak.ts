// Mixed load for a long, bounded time, watching the server's resident memory for growth.
import { runLoad } from './load-runner.ts';
import { readServerMemory } from './memory.ts';
import { prepareOperation, type OperationName, type Runner, type Target } from './operations.ts';

export interface SoakResult {
  seconds: number;
  ops: number;
  errors: number;
  errorSamples: string[];
  /** Total RSS of the server processes once warmed up (after a fifth of the soak), MiB. */
  startRssMiB: number;
  endRssMiB: number;
  growthPercent: number;
  samples: { atSeconds: number; rssMiB: number }[];
}

const MIX: readonly OperationName[] = ['client_credentials', 'userinfo', 'introspection', 'refresh', 'discovery', 'jwks'];
const SAMPLE_EVERY_MS = 5_000;

/** Each virtual user cycles through the mix; one more signs in back to back. */
export async function soak(target: Target, serverPid: number, seconds: number, users: number): Promise<SoakResult> {
  // One after another: refresh, userinfo and introspection each refresh the users' token chains while preparing, and
  // two refreshes of one chain at once would use its refresh token twice (reuse detection then revokes the grant).
  const perOperation: Runner[][] = [];
  for (const name of MIX) perOperation.push(await prepareOperation(name, target, users, 0));
  const mixed: Runner[] = Array.from({ length: users }, (_, user) => {
    let next = 0;
    return async () => {
      const runner = perOperation[next++ % MIX.length]?.[user];
      if (runner) await runner();
    };
  });
  const signIn = await prepareOperation('sign_in', target, 1, 0);
  const totalRss = () => readServerMemory(serverPid).reduce((sum, process) => sum + process.rssMiB, 0);
  const samples: SoakResult['samples'] = [];
  const started = Date.now();
  const timer = setInterval(() => samples.push({ atSeconds: (Date.now() - started) / 1000, rssMiB: totalRss() }), SAMPLE_EVERY_MS);
  const [load, signIns] = await Promise.all([runLoad(mixed, seconds * 1000), runLoad(signIn, seconds * 1000)]);
  clearInterval(timer);
  samples.push({ atSeconds: (Date.now() - started) / 1000, rssMiB: totalRss() });
  const warm = samples.find((sample) => sample.atSeconds >= seconds / 5) ?? samples[0];
  const startRssMiB = warm?.rssMiB ?? Number.NaN;
  const endRssMiB = samples.at(-1)?.rssMiB ?? Number.NaN;
  return {
    seconds,
    ops: load.ops + signIns.ops,
    errors: load.errors + signIns.errors,
    errorSamples: [...load.errorSamples, ...signIns.errorSamples].slice(0, 5),
    startRssMiB,
    endRssMiB,
    growthPercent: ((endRssMiB - startRssMiB) / startRssMiB) * 100,
    samples,
  };
}
