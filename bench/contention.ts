// client_credentials latency while password sign-ins (argon2) saturate the CPU, against the same load on a quiet server.
import { runLoad } from './load-runner.ts';
import { measureOperation, summarize, type MeteredServer, type OperationResult } from './measure.ts';
import { prepareOperation, type Target } from './operations.ts';
import { startCpuMeter } from './cpu-meter.ts';

export interface ContentionResult {
  idle: OperationResult;
  saturated: OperationResult;
  signIns: OperationResult;
  /** saturated p99 / idle p99 */
  p99Ratio: number;
}

const RAMP_MS = 1_000;

/** Runs `machineUsers` client_credentials users alone, then again beside `signInUsers` users signing in back to back. */
export async function measureContention(
  target: Target,
  server: MeteredServer,
  settings: { durationMs: number; machineUsers: number; signInUsers: number },
): Promise<ContentionResult> {
  const { durationMs, machineUsers, signInUsers } = settings;
  const idle = await measureOperation('client_credentials', target, server, { durationMs, warmupMs: RAMP_MS, concurrency: machineUsers });
  const signInRunners = await prepareOperation('sign_in', target, signInUsers, 0);
  const machineRunners = await prepareOperation('client_credentials', target, machineUsers, 0);
  const meter = await startCpuMeter({ serverPid: server.pid, listBackendPids: server.listBackendPids });
  const signIns = runLoad(signInRunners, durationMs + 2 * RAMP_MS);
  await new Promise((resolve) => setTimeout(resolve, RAMP_MS));
  const machine = await runLoad(machineRunners, durationMs);
  const signInLoad = await signIns;
  const cpu = await meter.stop();
  const saturated = summarize('client_credentials', machineUsers, machine, cpu);
  return { idle, saturated, signIns: summarize('sign_in', signInUsers, signInLoad, cpu), p99Ratio: saturated.p99Ms / idle.p99Ms };
}
