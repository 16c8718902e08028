// The same operations against oidc-provider alone (bench/baseline-server.ts), for the ratios of the budget. The
// baseline runs beside Latchkey and measures each operation right after Latchkey did, so both see the same machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BaselineConfig } from './baseline-server.ts';
import { clientRegistry, type BenchClients } from './bench-clients.ts';
import { discoverEndpoints } from './endpoints.ts';
import { measureOperation, type OperationResult, type WindowSettings } from './measure.ts';
import { readServerMemory } from './memory.ts';
import { ensureChains, type OperationName, type Target } from './operations.ts';
import type { ServerResults } from './results.ts';
import { freePort, startServerProcess } from './server-process.ts';
import { readRunTimeMs } from './proc-stats.ts';
import { NO_DATABASE, traceOperation, type TraceResult } from './trace.ts';

/** A running baseline: measure operations one by one, then finish() for its results and to stop it. */
export interface BaselineRun {
  measure(name: OperationName): Promise<OperationResult>;
  /** The CPU of each sign-in step, one user at a time, as the trace measures Latchkey's. */
  traceSignInSteps(samples: number): Promise<TraceResult['stepCpuMs']>;
  finish(): Promise<ServerResults>;
}

export async function startBaseline(deps: { clients: BenchClients; passwordHash: string; window: WindowSettings }): Promise<BaselineRun> {
  const { clients, window } = deps;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-baseline-'));
  const configFile = path.join(dir, 'baseline.json');
  const config: BaselineConfig = {
    port,
    issuer,
    registry: clientRegistry(clients),
    user: { sub: 'bench-user', email: clients.user.email, name: clients.user.name, passwordHash: deps.passwordHash },
  };
  writeFileSync(configFile, JSON.stringify(config));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  let server;
  try {
    server = await startServerProcess({ script: 'bench/baseline-server.ts', issuer, env: { BASELINE_CONFIG: configFile, NODE_ENV: 'production' } });
  } catch (error) {
    cleanUp();
    throw error;
  }
  const running = server;
  const target: Target = { endpoints: await discoverEndpoints(issuer), clients, chains: [] };
  await ensureChains(target, window.concurrency);
  const operations: OperationResult[] = [];
  let finished: Promise<ServerResults> | undefined;
  return {
    async measure(name) {
      const result = await measureOperation(name, target, { pid: running.pid }, window);
      operations.push(result);
      return result;
    },
    async traceSignInSteps(samples) {
      const clock = { server: () => readRunTimeMs(running.pid) ?? 0, database: () => 0 };
      return (await traceOperation('sign_in', target, NO_DATABASE, samples, clock)).stepCpuMs;
    },
    finish() {
      finished ??= (async () => {
        const memory = readServerMemory(running.pid);
        await running.stop();
        cleanUp();
        return { operations, memory };
      })();
      return finished;
    },
  };
}
