// One measured window per operation: prepare (untimed), warm up, then load with the server's CPU counted.
import { startCpuMeter, type CpuReading } from './cpu-meter.ts';
import { percentile, runLoad, type LoadResult } from './load-runner.ts';
import { prepareOperation, type OperationName, type Target } from './operations.ts';

/** What one operation measured on one server. */
export interface OperationResult {
  name: OperationName;
  concurrency: number;
  ops: number;
  errors: number;
  shed: number;
  errorSamples: string[];
  opsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Server process(es) + database backends, per operation. */
  cpuMsPerOp: number;
  serverCpuMsPerOp: number;
  databaseCpuMsPerOp: number;
  cpu: CpuReading;
}

/** How to find the CPU to count for a server. */
export interface MeteredServer {
  pid: number;
  listBackendPids?: () => Promise<number[]>;
}

export interface WindowSettings {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  /** Per virtual user; bounds the smoke run. */
  maxOpsPerUser?: number;
}

/** Rough upper bound of operations per second, to size pools of single-use tokens. */
const POOL_RATE_PER_SECOND = 400;

/** Measures one operation. */
export async function measureOperation(name: OperationName, target: Target, server: MeteredServer, settings: WindowSettings): Promise<OperationResult> {
  const { concurrency, maxOpsPerUser } = settings;
  const poolFor = (ms: number) => (maxOpsPerUser ? maxOpsPerUser * concurrency : Math.ceil((POOL_RATE_PER_SECOND * ms) / 1000));
  if (settings.warmupMs > 0) {
    await runLoad(await prepareOperation(name, target, concurrency, poolFor(settings.warmupMs)), settings.warmupMs, maxOpsPerUser);
  }
  const runners = await prepareOperation(name, target, concurrency, poolFor(settings.durationMs));
  const meter = await startCpuMeter({ serverPid: server.pid, listBackendPids: server.listBackendPids });
  const load = await runLoad(runners, settings.durationMs, maxOpsPerUser);
  const cpu = await meter.stop();
  return summarize(name, concurrency, load, cpu);
}

/** Turns a load window and its CPU into per-operation numbers. */
export function summarize(name: OperationName, concurrency: number, load: LoadResult, cpu: CpuReading): OperationResult {
  const perOp = (ms: number) => (load.ops > 0 ? ms / load.ops : Number.NaN);
  return {
    name,
    concurrency,
    ops: load.ops,
    errors: load.errors,
    shed: load.shed,
    errorSamples: load.errorSamples,
    opsPerSecond: load.ops / (load.elapsedMs / 1000),
    p50Ms: percentile(load.latenciesMs, 50),
    p95Ms: percentile(load.latenciesMs, 95),
    p99Ms: percentile(load.latenciesMs, 99),
    cpuMsPerOp: perOp(cpu.totalMs),
    serverCpuMsPerOp: perOp(cpu.serverMs),
    databaseCpuMsPerOp: perOp(cpu.databaseMs),
    cpu,
  };
}
