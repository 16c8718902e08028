// `npm run bench`: Latchkey as users run it and oidc-provider alone, the same operations against both, the budget judged.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureArgon2 } from './argon2-cost.ts';
import { createBenchDatabase, type BenchDatabase } from './bench-database.ts';
import { buildBenchClients } from './bench-clients.ts';
import { judgeBudget } from './budget.ts';
import { createLatchkeyInstall, type BenchStorage } from './latchkey-process.ts';
import { parseBenchOptions, type BenchOptions } from './options.ts';
import { renderMarkdown } from './report.ts';
import type { BenchResults, SignInStepCpu } from './results.ts';
import { TRACE_SAMPLES } from './trace.ts';
import { REPO_ROOT } from './server-process.ts';
import { measureLatchkey } from './latchkey-run.ts';
import { startBaseline, type BaselineRun } from './baseline-run.ts';
import type { WindowSettings } from './measure.ts';

const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const loadAverage = os.loadavg();
  const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
  const clients = buildBenchClients();
  const dataRoot = options.embedded ? mkdtempSync(path.join(os.tmpdir(), 'lkb-')) : undefined;
  let database: BenchDatabase | undefined;
  try {
    database = dataRoot ? undefined : await createBenchDatabase(options.serverUrl);
    const storage: BenchStorage = database ? { kind: 'postgres', url: database.url } : { kind: 'embedded', dataDir: path.join(dataRoot ?? '', 'data') };
    const install = createLatchkeyInstall(clients, storage, options.nodeOptions);
    try {
      log(database ? `database ${database.name}` : `embedded database in ${dataRoot}`);
      const argon2 = await measureArgon2(install.configDir, clients.user.password, options.smoke ? 2 : 10);
      log(`argon2id verification: ${argon2.cpuMs.toFixed(1)} ms CPU`);
      const argon2Samples = [argon2];
      const window: WindowSettings = options.smoke
        ? { durationMs: 30_000, warmupMs: 0, concurrency: 1, maxOpsPerUser: 2 }
        : { durationMs: options.durationSeconds * 1000, warmupMs: Math.min(2000, options.durationSeconds * 200), concurrency: options.concurrency };
      const baselineRun = options.baseline ? await startBaseline({ clients, passwordHash: argon2.hash, window }) : undefined;
      const latchkey = await measureLatchkey({
        options,
        install,
        clients,
        database,
        window,
        log,
        profileDir: path.join(RESULTS_DIR, 'profiles'),
        compare: async (name) => {
          // argon2 is measured again right after Latchkey's sign-ins, under the same machine load they saw.
          if (name === 'sign_in') argon2Samples.push(await measureArgon2(install.configDir, clients.user.password, options.smoke ? 2 : 10));
          if (baselineRun) {
            log(`baseline: ${name}`);
            await baselineRun.measure(name);
          }
        },
      }).catch(async (error: unknown) => {
        await baselineRun?.finish();
        throw error;
      });
      const baseline = baselineRun && (await finishBaseline(baselineRun, options));
      const partial: Omit<BenchResults, 'budget'> = {
        date: new Date().toISOString(),
        machine: await describeMachine(database, loadAverage),
        settings: { durationSeconds: options.durationSeconds, concurrency: options.concurrency, database: database ? 'postgres' : 'embedded', smoke: options.smoke, serverNodeArgs: install.serverNodeArgs, nodeOptions: options.nodeOptions },
        argon2: {
          parameters: argon2.parameters,
          cpuMs: mean(argon2Samples.map((sample) => sample.cpuMs)),
          wallMs: mean(argon2Samples.map((sample) => sample.wallMs)),
        },
        ...latchkey,
        baseline,
      };
      const results: BenchResults = { ...partial, budget: judgeBudget(partial) };
      const markdown = renderMarkdown(results);
      writeResults(results, markdown, options.smoke ? 'smoke' : 'bench');
      process.stdout.write(markdown);
      if (options.smoke) return smokeVerdict(results, log);
      return 0;
    } finally {
      install.dispose();
    }
  } finally {
    await database?.drop();
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  }
}

/** The baseline's sign-in steps, traced as Latchkey's are, then its results; it is stopped either way. */
async function finishBaseline(baselineRun: BaselineRun, options: BenchOptions): Promise<NonNullable<BenchResults['baseline']>> {
  let signInStepCpuMs: SignInStepCpu | undefined;
  try {
    if (options.operations.includes('sign_in')) signInStepCpuMs = await baselineRun.traceSignInSteps(options.smoke ? 1 : TRACE_SAMPLES);
  } finally {
    await baselineRun.finish();
  }
  return { ...(await baselineRun.finish()), ...(signInStepCpuMs ? { signInStepCpuMs } : {}) };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A smoke run passes when every operation, on Latchkey and on the baseline, succeeded every time. */
function smokeVerdict(results: BenchResults, log: (message: string) => void): number {
  const operations = [...results.latchkey.operations, ...(results.baseline?.operations ?? [])];
  const failed = operations.filter((operation) => operation.errors > 0 || operation.shed > 0 || operation.ops === 0);
  for (const operation of failed) log(`smoke: ${operation.name} failed: ${operation.errorSamples.join('; ') || 'no operation completed'}`);
  if (failed.length === 0) log(`smoke: all ${operations.length} operation runs succeeded`);
  return failed.length === 0 ? 0 : 1;
}

function writeResults(results: BenchResults, markdown: string, prefix: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, '-');
  for (const name of [`${prefix}-${stamp}`, `${prefix}-latest`]) {
    writeFileSync(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, `${name}.md`), markdown);
  }
}

async function describeMachine(database: BenchDatabase | undefined, loadAverage: number[]): Promise<BenchResults['machine']> {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    postgres: database ? await database.serverVersion() : undefined,
    loadAverage,
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
