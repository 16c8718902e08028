// Starts the servers under test as users run them: `node src/main.ts` with a config directory, and the baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readCpuMs } from './proc-stats.ts';

export { freePort } from '../test/support/child-process.ts';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A running server process. */
export interface ServerProcess {
  pid: number;
  issuer: string;
  /** Milliseconds from spawn to the first 200 from the discovery document. */
  readyMs: number;
  /** CPU the process had used by then (robust to a busy machine, unlike readyMs). */
  readyCpuMs: number;
  /** What it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

// Node 22.18+ runs TypeScript as is; older 22.x releases need the flag (as bin/latchkey.js does).
const TYPESCRIPT_FLAGS = process.features.typescript ? [] : ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 10;
const STOP_TIMEOUT_MS = 15_000;

/** Spawns `node [nodeArgs] script` with only PATH, HOME and `env`, and waits until discovery answers. */
export async function startServerProcess(options: {
  script: string;
  issuer: string;
  env: Record<string, string>;
  nodeArgs?: string[];
}): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...TYPESCRIPT_FLAGS, ...(options.nodeArgs ?? []), options.script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () => stopProcess(child);
  try {
    await waitForDiscovery(options.issuer, child);
  } catch (error) {
    await stop();
    throw new Error(`${options.script} did not start: ${(error as Error).message}\n${output.slice(-3000)}`, { cause: error });
  }
  const readyMs = performance.now() - started;
  const pid = child.pid ?? 0;
  return { pid, issuer: options.issuer, readyMs, readyCpuMs: readCpuMs(pid) ?? Number.NaN, output: () => output, stop };
}

async function waitForDiscovery(issuer: string, child: ChildProcess): Promise<void> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    const ok = await fetch(url).then(
      async (response) => (await response.body?.cancel(), response.status === 200),
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM (the server drains), then SIGKILL if it has not exited in time. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
