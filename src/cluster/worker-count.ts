/** How many worker processes to run, and the setting asked for when the database allowed fewer. */
export interface WorkerCount {
  count: number;
  /** The number asked for, when it was more than the database allows. */
  reducedFrom: number | undefined;
}

/**
 * `auto` is one worker per CPU core on a Postgres server. The embedded database lives inside one process (its files
 * belong to it alone), so it always runs exactly one.
 */
export function decideWorkerCount(setting: number | 'auto', database: 'postgres' | 'embedded', cores: number): WorkerCount {
  if (database === 'embedded') return { count: 1, reducedFrom: typeof setting === 'number' && setting > 1 ? setting : undefined };
  return { count: setting === 'auto' ? Math.max(1, cores) : setting, reducedFrom: undefined };
}
