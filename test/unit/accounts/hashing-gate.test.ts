import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHashingGate, HashingBusyError, type HashingLimits } from '../../../src/accounts/hashing-gate.ts';

/** A job the test finishes by hand: its work records that it started and waits for `finish` or `fail`. */
function heldJob(started: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  return {
    work: () => {
      started.push(name);
      return done;
    },
    finish,
    fail,
  };
}

const limits = (concurrency: number, queue: number, maxWaitMs = Number.POSITIVE_INFINITY): HashingLimits => ({ concurrency, queue, maxWaitMs });

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('hashing gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at most `concurrency` jobs at once, the others waiting', async () => {
    const gate = createHashingGate(limits(2, 10));
    const started: string[] = [];
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((name) => heldJob(started, name));
    const results = jobs.map((job) => gate.run(job.work));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(gate.load()).toEqual({ running: 2, queued: 3 });

    jobs[0]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(gate.load()).toEqual({ running: 2, queued: 2 });

    for (const job of jobs) job.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(gate.load()).toEqual({ running: 0, queued: 0 });
  });

  it('starts waiting jobs in the order they arrived', async () => {
    const gate = createHashingGate(limits(1, 3));
    const started: string[] = [];
    const names = ['first', 'second', 'third', 'fourth'];
    const jobs = names.map((name) => heldJob(started, name));
    const results = jobs.map((job) => gate.run(job.work));
    // Finished one at a time from the last one started: each finish starts exactly the next in line.
    for (const [index, job] of jobs.entries()) {
      await settle();
      expect(started).toEqual(names.slice(0, index + 1));
      job.finish();
    }
    expect(await Promise.all(results)).toEqual(names);
  });

  it('refuses at once, without running it, a job that finds every slot and the queue taken', async () => {
    const gate = createHashingGate(limits(1, 1));
    const started: string[] = [];
    const running = heldJob(started, 'running');
    const waiting = heldJob(started, 'waiting');
    const refused = heldJob(started, 'refused');
    const results = [gate.run(running.work), gate.run(waiting.work)];
    expect(gate.isFull()).toBe(true);

    const error = await gate.run(refused.work).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HashingBusyError);
    expect(error).toMatchObject({ reason: 'queue_full' });
    expect(started).toEqual(['running']); // decided while the running job still runs: nobody waited for it
    running.finish();
    waiting.finish();
    expect(await Promise.all(results)).toEqual(['running', 'waiting']);
    expect(gate.isFull()).toBe(false);
    expect(started).not.toContain('refused');
  });

  it('with no queue, refuses everything beyond the running jobs', async () => {
    const gate = createHashingGate(limits(1, 0));
    const started: string[] = [];
    const running = heldJob(started, 'running');
    const result = gate.run(running.work);
    await expect(gate.run(async () => 'other')).rejects.toBeInstanceOf(HashingBusyError);
    running.finish();
    await result;
    await expect(gate.run(async () => 'later')).resolves.toBe('later');
  });

  it('frees the slot of a job that failed, and passes its error on', async () => {
    const gate = createHashingGate(limits(1, 1));
    const started: string[] = [];
    const failing = heldJob(started, 'failing');
    const next = heldJob(started, 'next');
    const failed = gate.run(failing.work);
    const queued = gate.run(next.work);

    failing.fail(new Error('argon2 said no'));

    await expect(failed).rejects.toThrow('argon2 said no');
    await settle();
    expect(started).toEqual(['failing', 'next']);
    next.finish();
    await expect(queued).resolves.toBe('next');
    expect(gate.load()).toEqual({ running: 0, queued: 0 });
    await expect(gate.run(() => Promise.reject(new Error('sync-ish')))).rejects.toThrow('sync-ish');
    expect(gate.load()).toEqual({ running: 0, queued: 0 });
  });

  it('refuses a job that waited longer than maxWaitMs, and leaves its place to the next', async () => {
    vi.useFakeTimers();
    const gate = createHashingGate(limits(1, 2, 500));
    const started: string[] = [];
    const running = heldJob(started, 'running');
    const result = gate.run(running.work);
    const timedOut = gate.run(async () => 'never').catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(300);
    const later = heldJob(started, 'later');
    const laterResult = gate.run(later.work);

    await vi.advanceTimersByTimeAsync(200);

    expect(await timedOut).toMatchObject({ name: 'HashingBusyError', reason: 'queue_timeout' });
    expect(gate.load()).toEqual({ running: 1, queued: 1 });
    running.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['running', 'later']);
    later.finish();
    await expect(laterResult).resolves.toBe('later');
    await result;
    await vi.advanceTimersByTimeAsync(1000); // the started job's timer was cleared: nothing fires late
    expect(gate.load()).toEqual({ running: 0, queued: 0 });
  });
});
