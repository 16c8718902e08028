// The command line of `npm run bench`.
import { parseArgs } from 'node:util';
import { OPERATION_NAMES, type OperationName } from './operations.ts';

export interface BenchOptions {
  /** Measured seconds per operation (after a short warm-up). */
  durationSeconds: number;
  /** Virtual users driving each operation at once. */
  concurrency: number;
  embedded: boolean;
  /** LATCHKEY_WORKERS for the cluster line; 0 skips it. */
  workers: number;
  smoke: boolean;
  /** Seconds of mixed load for the RSS growth line; 0 = not run. */
  soakSeconds: number;
  /** The Postgres server the bench database is created on. */
  serverUrl: string;
  /** Operations to measure (all by default). */
  operations: readonly OperationName[];
  baseline: boolean;
  /** Run the Latchkey server under `node --cpu-prof`, profiles into bench/results/profiles. */
  cpuProf: boolean;
  /**
   * Node's options for the Latchkey server (not the baseline), on its command line so that V8's options work too,
   * e.g. `--max-semi-space-size=4 --heap-growing-percent=100`.
   */
  nodeOptions: string | undefined;
}

export const USAGE = `Usage: npm run bench -- [options]

  --duration 10s      measured time per operation (s, m or ms; default 10s)
  --concurrency 8     virtual users per operation (default 8)
  --embedded          run Latchkey on its embedded database instead of Postgres
  --workers 2         LATCHKEY_WORKERS for the cluster line (0 skips it; default 2)
  --soak 5m           also run mixed load this long and report RSS growth
  --smoke             a few seconds: every operation once or twice, exit 1 unless all succeeded
  --ops a,b           only these operations (${OPERATION_NAMES.join(', ')})
  --no-baseline       skip the oidc-provider baseline
  --cpu-prof          profile the Latchkey server (node --cpu-prof, wall-clock) into bench/results/profiles
  --node-options=…    node's options for the Latchkey server (not the baseline), on its command line (V8's options
                      too, which NODE_OPTIONS refuses), replacing the same option of \`npm start\`'s:
                      --node-options='--max-semi-space-size=4 --heap-growing-percent=100'

DATABASE_URL names the Postgres server (default postgres://postgres@127.0.0.1:5432/postgres); the bench creates a
database latchkey_bench_<random> on it and drops it afterwards.`;

/** Parses argv; throws an Error whose message is meant for the user. */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string', default: '10s' },
      concurrency: { type: 'string', default: '8' },
      embedded: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      soak: { type: 'string', default: '0' },
      smoke: { type: 'boolean', default: false },
      ops: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'node-options': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const operations = values.ops ? values.ops.split(',').map((name) => name.trim()) : [...OPERATION_NAMES];
  for (const name of operations) {
    if (!(OPERATION_NAMES as readonly string[]).includes(name)) throw new Error(`unknown operation "${name}"\n\n${USAGE}`);
  }
  return {
    durationSeconds: parseSeconds(values.duration, '--duration'),
    concurrency: parsePositiveInteger(values.concurrency, '--concurrency'),
    embedded: values.embedded,
    workers: values.workers === '0' ? 0 : parsePositiveInteger(values.workers, '--workers'),
    smoke: values.smoke,
    soakSeconds: values.soak === '0' ? 0 : parseSeconds(values.soak, '--soak'),
    serverUrl: env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
    operations: operations as OperationName[],
    baseline: !values['no-baseline'],
    cpuProf: values['cpu-prof'],
    nodeOptions: values['node-options']?.trim() || undefined,
  };
}

function parseSeconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`${flag} takes a duration like 500ms, 10s or 5m, not "${text}"`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const seconds = unit === 'ms' ? amount / 1000 : unit === 'm' ? amount * 60 : amount;
  if (!(seconds > 0)) throw new Error(`${flag} must be longer than zero`);
  return seconds;
}

function parsePositiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} takes a whole number of at least 1, not "${text}"`);
  return value;
}
