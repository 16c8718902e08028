import { describe, expect, it } from 'vitest';
import { decideWorkerCount } from '../../../src/cluster/worker-count.ts';

describe('decideWorkerCount', () => {
  it('runs one worker per core on a Postgres server by default, or the number asked for', () => {
    expect(decideWorkerCount('auto', 'postgres', 8)).toEqual({ count: 8, reducedFrom: undefined });
    expect(decideWorkerCount('auto', 'postgres', 0)).toEqual({ count: 1, reducedFrom: undefined });
    expect(decideWorkerCount(3, 'postgres', 8)).toEqual({ count: 3, reducedFrom: undefined });
  });

  it('always runs one on the embedded database, and remembers a larger number that was asked for', () => {
    expect(decideWorkerCount('auto', 'embedded', 8)).toEqual({ count: 1, reducedFrom: undefined });
    expect(decideWorkerCount(1, 'embedded', 8)).toEqual({ count: 1, reducedFrom: undefined });
    expect(decideWorkerCount(4, 'embedded', 8)).toEqual({ count: 1, reducedFrom: 4 });
  });
});
