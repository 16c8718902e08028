// How the primary starts its workers: with the memory settings the Docker image gives a single process (`npm start`
// gives it the first), unless the operator chose their own.

/**
 * V8 sizes the young generation from the machine's memory: 64 MiB per semi-space on a 24 GiB machine, 128 MiB of a
 * worker's heap that is mostly garbage at any moment. At 16 MiB a worker held ~80 MiB less after the bench's load, with
 * CPU per request unchanged within noise (README, "Performance"). The start script and the Dockerfile pass the same.
 */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=16';

/**
 * glibc gives each thread a malloc arena of its own and keeps an argon2 hash's memory (19 MiB) in the arena of the
 * libuv thread that ran it; two arenas hold at most two such blocks instead of one per threadpool thread.
 */
export const MALLOC_ARENAS = '2';

export interface WorkerLaunch {
  /** Node's command-line options for each worker (cluster's `execArgv`). */
  execArgv: string[];
  /** Environment variables the workers get on top of the primary's. */
  env: Record<string, string>;
}

/**
 * The workers' options: the primary's own, plus the young generation's size where neither the primary's command line
 * nor NODE_OPTIONS sets one, and MALLOC_ARENA_MAX where the environment does not.
 */
export function buildWorkerLaunch(primaryExecArgv: readonly string[], env: NodeJS.ProcessEnv): WorkerLaunch {
  const options = [...primaryExecArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  const semiSpaceChosen = options.some((option) => /^--max[-_]semi[-_]space[-_]size\b/.test(option));
  return {
    execArgv: semiSpaceChosen ? [...primaryExecArgv] : [...primaryExecArgv, YOUNG_GENERATION_FLAG],
    env: env['MALLOC_ARENA_MAX'] === undefined ? { MALLOC_ARENA_MAX: MALLOC_ARENAS } : {},
  };
}
