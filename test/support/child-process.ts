// Runs Latchkey's real entry points (the server and the CLI) as child processes, the way people start them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env for a child: the parent's PATH and HOME only, plus what the test sets, so no stray Latchkey settings leak in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], ...extra };
}

/** Runs the latchkey CLI to completion, with `input` on stdin. */
export function runCli(args: string[], env: Record<string, string>, input = ''): Promise<Finished> {
  const child = spawn(process.execPath, ['bin/latchkey.js', ...args], { cwd: REPO_ROOT, env: childEnv(env) });
  child.stdin.end(input);
  return collect(child);
}

/** Starts `node src/main.ts` (what `npm start` runs). */
export function spawnServer(env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['src/main.ts'], { cwd: REPO_ROOT, env: childEnv(env) });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

export function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Waits until the URL answers 200, or the process exits, or the deadline passes. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Sends SIGTERM and waits for the exit code. */
export function stop(child: ChildProcess): Promise<number | null> {
  // Already gone (exited, or killed by a signal: then exitCode stays null and signalCode is set).
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
