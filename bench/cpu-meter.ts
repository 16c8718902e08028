// Server CPU over a measured window: the server process, its workers, and the Postgres backends serving it.
import { findProcessTree, readCpuMs } from './proc-stats.ts';

/** CPU spent during one window, in milliseconds. */
export interface CpuReading {
  serverMs: number;
  databaseMs: number;
  totalMs: number;
  /** How many server processes and database backends were seen during the window. */
  serverProcesses: number;
  databaseBackends: number;
}

export interface CpuSources {
  /** The process that was spawned; its descendants (cluster workers) are found and counted too. */
  serverPid: number;
  /** The database backends to count, looked up again on every sample (pools open connections mid-run). */
  listBackendPids?: () => Promise<number[]>;
}

const SAMPLE_INTERVAL_MS = 500;

interface Tracked {
  kind: 'server' | 'database';
  first: number;
  last: number;
}

/**
 * Starts counting: pids present now count from their current CPU time; pids that appear later (new backends, a
 * restarted worker) count from zero, since all their work happened inside the window. A pid that exits keeps its
 * last sample, so up to SAMPLE_INTERVAL_MS of its final work can be missed.
 */
export async function startCpuMeter(sources: CpuSources): Promise<{ stop(): Promise<CpuReading> }> {
  const tracked = new Map<number, Tracked>();
  let started = false;
  let sampling: Promise<void> = Promise.resolve();

  const sample = async () => {
    const backendPids = sources.listBackendPids ? await sources.listBackendPids() : [];
    const pids: [number, Tracked['kind']][] = [
      ...findProcessTree(sources.serverPid).map((pid) => [pid, 'server'] as [number, Tracked['kind']]),
      ...backendPids.map((pid) => [pid, 'database'] as [number, Tracked['kind']]),
    ];
    for (const [pid, kind] of pids) {
      const cpu = readCpuMs(pid);
      if (cpu === undefined) continue;
      const known = tracked.get(pid);
      if (known) known.last = cpu;
      else tracked.set(pid, { kind, first: started ? 0 : cpu, last: cpu });
    }
  };

  await sample();
  started = true;
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, SAMPLE_INTERVAL_MS);

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample();
      let serverMs = 0;
      let databaseMs = 0;
      let serverProcesses = 0;
      let databaseBackends = 0;
      for (const entry of tracked.values()) {
        if (entry.kind === 'server') {
          serverMs += entry.last - entry.first;
          serverProcesses++;
        } else {
          databaseMs += entry.last - entry.first;
          databaseBackends++;
        }
      }
      return { serverMs, databaseMs, totalMs: serverMs + databaseMs, serverProcesses, databaseBackends };
    },
  };
}
