// Latchkey as users run it: a config directory, `node src/main.ts` with `npm start`'s options, and the `latchkey` CLI
// to add the user.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { clientRegistry, type BenchClients } from './bench-clients.ts';
import { REPO_ROOT, freePort, startServerProcess, type ServerProcess } from './server-process.ts';

/** Where Latchkey keeps its data: a Postgres database, or the embedded one in a directory. */
export type BenchStorage = { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };

/** A config directory for the bench (argon2 left at its configured defaults), removed by dispose(). */
export interface LatchkeyInstall {
  configDir: string;
  /** Environment for the server and the CLI; `databaseUrl` replaces the stored one (the round-trip counter). */
  env(overrides?: { databaseUrl?: string; port?: number; workers?: number }): Record<string, string>;
  /**
   * Node's options for the server's command line (cluster workers inherit them): `npm start`'s, each replaced by an
   * option of the same name in the bench's --node-options, then the rest of those.
   */
  serverNodeArgs: string[];
  dispose(): void;
}

export function createLatchkeyInstall(clients: BenchClients, storage: BenchStorage, nodeOptions?: string): LatchkeyInstall {
  const configDir = mkdtempSync(path.join(tmpdir(), 'latchkey-bench-'));
  // Every virtual user signs the one bench user in at once, which the default limits rightly throttle (attempts are
  // counted before the password check). High limits keep the same counting work without turning sign-ins into 429s.
  const throttling = { per_account_and_ip: 1_000, per_account: 100_000, per_ip: 1_000_000 };
  writeFileSync(path.join(configDir, 'latchkey.yaml'), stringify({ host: '127.0.0.1', log_level: 'warn', throttling }));
  writeFileSync(path.join(configDir, 'clients.yaml'), stringify(clientRegistry(clients)));
  // A Postgres deployment must bring the key that encrypts its stored signing keys; this one lives as long as the run.
  const keyEncryptionKey = randomBytes(32).toString('base64');
  // On the command line rather than in NODE_OPTIONS, which refuses most of V8's options (--heap-growing-percent...).
  const chosenOptions = (nodeOptions ?? '').split(/\s+/).filter(Boolean);
  const optionName = (option: string) => (option.split('=')[0] ?? option).replaceAll('_', '-');
  const chosenNames = new Set(chosenOptions.map(optionName));
  return {
    configDir,
    serverNodeArgs: [...startScriptNodeOptions().filter((option) => !chosenNames.has(optionName(option))), ...chosenOptions],
    env(overrides = {}) {
      const env: Record<string, string> = {
        LATCHKEY_CONFIG_DIR: configDir,
        NODE_ENV: 'production',
        LATCHKEY_KEY_ENCRYPTION_KEY: keyEncryptionKey,
      };
      if (storage.kind === 'postgres') env['DATABASE_URL'] = overrides.databaseUrl ?? storage.url;
      else env['LATCHKEY_DATA_DIR'] = storage.dataDir;
      if (overrides.port !== undefined) {
        env['PORT'] = String(overrides.port);
        env['ISSUER'] = `http://127.0.0.1:${overrides.port}`;
      }
      if (overrides.workers !== undefined) env['LATCHKEY_WORKERS'] = String(overrides.workers);
      return env;
    },
    dispose() {
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Node's options in `npm start` (package.json's start script), so the bench runs Latchkey as users do. */
function startScriptNodeOptions(): string[] {
  const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = packageJson.scripts?.start?.split(/\s+/) ?? [];
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${packageJson.scripts?.start ?? '(none)'}`);
  return words.slice(1).filter((word) => word.startsWith('--'));
}

/** Starts `node [npm start's options] src/main.ts` on a free port. */
export async function startLatchkey(
  install: LatchkeyInstall,
  options: { databaseUrl?: string; workers?: number; cpuProfDir?: string } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({
    script: 'src/main.ts',
    issuer: `http://127.0.0.1:${port}`,
    env: install.env({ port, databaseUrl: options.databaseUrl, workers: options.workers }),
    nodeArgs: [...install.serverNodeArgs, ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])],
  });
}

/** `latchkey users add` with the password on standard input, as scripts do. */
export async function addUserWithCli(install: LatchkeyInstall, user: BenchClients['user']): Promise<void> {
  const child = spawn(process.execPath, ['bin/latchkey.js', 'users', 'add', user.email, '--name', user.name, '--email-verified'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...install.env() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(`${user.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`latchkey users add failed (exit ${code}): ${output.trim()}`);
}
