import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MODULE_URL = new URL('../../../src/accounts/threadpool-priority.ts', import.meta.url).href;

// In a process of its own: lowering the threadpool of the test runner would slow the suites that share it.
const PROBE = `
import { stat } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
const { lowerThreadpoolPriority } = await import(${JSON.stringify(MODULE_URL)});
await stat('/'); // the first piece of work starts libuv's threadpool
const threads = () => readdirSync('/proc/self/task').map((tid) => ({
  name: readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim(),
  nice: getPriority(Number(tid)),
}));
const before = threads();
const lowered = lowerThreadpoolPriority();
const loweredAgain = lowerThreadpoolPriority();
console.log(JSON.stringify({ before, lowered, loweredAgain, after: threads(), main: getPriority() }));
`;

describe.skipIf(process.platform !== 'linux')('lowerThreadpoolPriority (Linux: per-thread nice values)', () => {
  it("puts libuv's threadpool 10 nice levels below the event loop, and only it, however often it is called", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', PROBE]);
    const result = JSON.parse(stdout) as {
      before: { name: string; nice: number }[];
      after: { name: string; nice: number }[];
      lowered: number;
      loweredAgain: number;
      main: number;
    };
    const pool = (threads: typeof result.after) => threads.filter((thread) => thread.name === 'libuv-worker');
    expect(pool(result.before).length).toBeGreaterThan(0);
    expect(pool(result.before).every((thread) => thread.nice === result.main)).toBe(true);
    expect(result.lowered).toBe(pool(result.after).length);
    expect(result.loweredAgain).toBe(result.lowered);
    expect(pool(result.after).map((thread) => thread.nice)).toEqual(pool(result.after).map(() => Math.min(19, result.main + 10)));
    const others = result.after.filter((thread) => thread.name !== 'libuv-worker');
    expect(others.every((thread) => thread.nice === result.main)).toBe(true);
  });
});
