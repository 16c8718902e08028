import { afterEach, describe, expect, it, vi } from 'vitest';
import { SWEEP_BATCH_SIZE, deleteInBatches, startPeriodicSweep } from '../../../src/db/periodic-sweep.ts';

describe('periodic sweep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs on its interval, never two runs at once, reports a failure and keeps going until stopped', async () => {
    vi.useFakeTimers();
    let finishRun: () => void = () => undefined;
    const started: number[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const sweep = startPeriodicSweep(
      () => {
        calls++;
        started.push(Date.now());
        if (calls === 2) return Promise.reject(new Error('database away'));
        return new Promise<void>((resolve) => (finishRun = resolve));
      },
      1000,
      (error) => errors.push(error),
    );

    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000); // the first run is still going: no second one
    expect(calls).toBe(1);
    finishRun();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('database away')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    finishRun();
    sweep.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
  });

  it('deletes in batches until a batch comes back short', async () => {
    const answers = [SWEEP_BATCH_SIZE, SWEEP_BATCH_SIZE, 7];
    const asked: number[] = [];
    await deleteInBatches(async (batchSize) => {
      asked.push(batchSize);
      return answers.shift() ?? 0;
    });
    expect(asked).toEqual([SWEEP_BATCH_SIZE, SWEEP_BATCH_SIZE, SWEEP_BATCH_SIZE]);
    expect(answers).toEqual([]);
  });
});
