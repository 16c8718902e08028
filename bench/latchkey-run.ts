// Everything measured on Latchkey: the operations, memory, contention, soak, restarts, workers and round trips.
import type { BenchDatabase } from './bench-database.ts';
import type { BenchClients } from './bench-clients.ts';
import { measureContention } from './contention.ts';
import { discoverEndpoints } from './endpoints.ts';
import { addUserWithCli, startLatchkey, type LatchkeyInstall } from './latchkey-process.ts';
import { measureOperation, type MeteredServer, type OperationResult, type WindowSettings } from './measure.ts';
import { readServerMemory } from './memory.ts';
import { ensureChains, type OperationName, type Target } from './operations.ts';
import type { BenchOptions } from './options.ts';
import { findProcessTree, readRunTimeMs } from './proc-stats.ts';
import type { BenchResults } from './results.ts';
import type { ServerProcess } from './server-process.ts';
import { soak } from './soak.ts';
import { TRACE_SAMPLES, traceOperation } from './trace.ts';
import { startWireCounter } from './wire-counter.ts';

export interface LatchkeyRunDeps {
  options: BenchOptions;
  install: LatchkeyInstall;
  clients: BenchClients;
  database: BenchDatabase | undefined;
  window: WindowSettings;
  log: (message: string) => void;
  profileDir: string;
  /** Measures the same operation on the baseline, right after Latchkey did. */
  compare: ((name: OperationName) => Promise<unknown>) | undefined;
}

type LatchkeyResults = Pick<BenchResults, 'latchkey' | 'roundTrips' | 'contention' | 'workers' | 'soak'>;

const RESTARTS = 3;
const CLUSTER_OPERATIONS: readonly OperationName[] = ['client_credentials', 'userinfo'];
const WORKER_START_WAIT_MS = 3_000;

/** Runs every Latchkey measurement the options ask for, each server process stopped before the next starts. */
export async function measureLatchkey(deps: LatchkeyRunDeps): Promise<LatchkeyResults> {
  const { options, install, clients, database, window, log } = deps;
  const metered = (server: ServerProcess): MeteredServer => ({ pid: server.pid, listBackendPids: database ? () => database.listBackendPids() : undefined });
  const has = (name: OperationName) => options.operations.includes(name);

  // One worker: the per-operation numbers are one process's (LATCHKEY_WORKERS defaults to one per core on Postgres),
  // and the cluster line below compares against them.
  const server = await startLatchkey(install, { workers: 1, cpuProfDir: options.cpuProf ? deps.profileDir : undefined });
  log(`latchkey started in ${server.readyMs.toFixed(0)} ms (migrations applied on an empty database)`);
  let operations: OperationResult[];
  let memory: ReturnType<typeof readServerMemory>;
  let contention: LatchkeyResults['contention'];
  let soakResult: LatchkeyResults['soak'];
  try {
    await addUserWithCli(install, clients.user);
    const target = await newTarget(server, clients, window.concurrency);
    operations = await measureAll(options.operations, target, metered(server), window, (name) => log(`latchkey: ${name}`), deps.compare);
    if (!options.smoke && has('client_credentials') && has('sign_in')) {
      log('latchkey: client_credentials while sign-ins saturate the CPU');
      contention = await measureContention(target, metered(server), {
        durationMs: window.durationMs,
        machineUsers: 2,
        signInUsers: Math.max(16, 2 * window.concurrency),
      });
    }
    memory = readServerMemory(server.pid);
    if (options.soakSeconds > 0) {
      log(`latchkey: soak for ${options.soakSeconds} s`);
      soakResult = await soak(target, server.pid, options.soakSeconds, window.concurrency);
    }
  } finally {
    await server.stop();
  }

  const readyMs: number[] = [];
  const readyCpuMs: number[] = [];
  for (let restart = 0; restart < (options.smoke ? 1 : RESTARTS); restart++) {
    const restarted = await startLatchkey(install);
    readyMs.push(restarted.readyMs);
    readyCpuMs.push(restarted.readyCpuMs);
    await restarted.stop();
  }
  log(`latchkey restarts ready in ${readyMs.map((value) => value.toFixed(0)).join(', ')} ms`);

  const workers = !options.smoke && options.workers >= 2 && has('client_credentials')
    ? await measureWorkers(deps, operations, metered)
    : undefined;
  const roundTrips = database ? await traceRoundTrips(deps, database) : undefined;

  return {
    latchkey: { operations, memory, firstStartMs: server.readyMs, readyMs, readyCpuMs },
    roundTrips,
    contention,
    workers,
    soak: soakResult,
  };
}

async function measureAll(
  names: readonly OperationName[],
  target: Target,
  server: MeteredServer,
  window: WindowSettings,
  announce: (name: OperationName) => void,
  compare?: (name: OperationName) => Promise<unknown>,
): Promise<OperationResult[]> {
  const results: OperationResult[] = [];
  for (const name of names) {
    announce(name);
    results.push(await measureOperation(name, target, server, window));
    await compare?.(name);
  }
  return results;
}

/** The cluster line: the same operations with LATCHKEY_WORKERS, when the server honours it. */
async function measureWorkers(deps: LatchkeyRunDeps, single: OperationResult[], metered: (server: ServerProcess) => MeteredServer): Promise<LatchkeyResults['workers']> {
  const { options, install, clients, window, log } = deps;
  const names = CLUSTER_OPERATIONS.filter((name) => options.operations.includes(name));
  const server = await startLatchkey(install, { workers: options.workers });
  try {
    const deadline = Date.now() + WORKER_START_WAIT_MS;
    let processes = findProcessTree(server.pid).length;
    while (processes < options.workers + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      processes = findProcessTree(server.pid).length;
    }
    const base = { requested: options.workers, processes, single: single.filter((result) => names.includes(result.name)) };
    if (processes < 2) {
      log(`latchkey: LATCHKEY_WORKERS=${options.workers} was ignored (one process); cluster line skipped`);
      return { ...base, note: `LATCHKEY_WORKERS=${options.workers} started one process: this build has no cluster mode, line skipped`, clustered: [] };
    }
    const target = await newTarget(server, clients, window.concurrency);
    const clustered = await measureAll(names, target, metered(server), window, (name) => log(`latchkey with ${options.workers} workers: ${name}`));
    return { ...base, note: undefined, clustered };
  } finally {
    await server.stop();
  }
}

/** Round trips per operation on a second server process whose database connection runs through the wire counter. */
async function traceRoundTrips(deps: LatchkeyRunDeps, database: BenchDatabase): Promise<LatchkeyResults['roundTrips']> {
  const { options, install, clients, log } = deps;
  const url = new URL(database.url);
  const counter = await startWireCounter(url.hostname, Number(url.port || 5432));
  try {
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(counter.port);
    const server = await startLatchkey(install, { databaseUrl: proxied.href });
    try {
      const target = await newTarget(server, clients, 1);
      const traces = [];
      for (const name of options.operations) {
        log(`latchkey: counting round trips of ${name}`);
        // The pool has opened its connections by now (newTarget signed in), and one user at a time opens no more.
        const backendPids = await database.listBackendPids();
        const sum = (pids: readonly number[]) => pids.reduce((total, pid) => total + (readRunTimeMs(pid) ?? 0), 0);
        const clock = { server: () => sum(findProcessTree(server.pid)), database: () => sum(backendPids) };
        traces.push(await traceOperation(name, target, counter, options.smoke ? 1 : TRACE_SAMPLES, clock));
      }
      return traces;
    } finally {
      await server.stop();
    }
  } finally {
    await counter.close();
  }
}

async function newTarget(server: ServerProcess, clients: BenchClients, users: number): Promise<Target> {
  const target: Target = { endpoints: await discoverEndpoints(server.issuer), clients, chains: [] };
  await ensureChains(target, users);
  return target;
}
