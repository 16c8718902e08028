import { describe, expect, it } from 'vitest';
import { decideHashingLimits } from '../../../src/accounts/hashing-limits.ts';

const auto = { concurrency: 'auto', queue: 'auto', maxWait: 2, threadpoolSize: 4 } as const;

describe('hashing limits', () => {
  it.each([
    ['one core per hash, one core left for everything else', { cores: 2, processes: 1 }, 4, 1],
    ['never past the threadpool', { cores: 16, processes: 1 }, 4, 4],
    ['a larger threadpool lets more run', { cores: 16, processes: 1 }, 8, 8],
    ['the cores but one shared among worker processes', { cores: 8, processes: 2 }, 4, 3],
    ['at least one per process', { cores: 2, processes: 4 }, 4, 1],
  ])('auto concurrency: %s', (_, machine, threadpoolSize, expected) => {
    expect(decideHashingLimits({ ...auto, threadpoolSize }, machine).concurrency).toBe(expected);
  });

  it('queues twice the concurrency by default, and waits max_wait in milliseconds', () => {
    expect(decideHashingLimits(auto, { cores: 4, processes: 1 })).toEqual({ concurrency: 3, queue: 6, maxWaitMs: 2000 });
  });

  it('takes set numbers as they are', () => {
    expect(decideHashingLimits({ concurrency: 6, queue: 0, maxWait: 1, threadpoolSize: 4 }, { cores: 2, processes: 2 })).toEqual({
      concurrency: 6,
      queue: 0,
      maxWaitMs: 1000,
    });
    expect(decideHashingLimits({ ...auto, concurrency: 3 }, { cores: 2, processes: 1 }).queue).toBe(6);
  });
});
