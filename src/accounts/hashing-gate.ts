/** How much password hashing one process does at once, and how much it lets wait. */
export interface HashingLimits {
  /** Hashes running at once. */
  concurrency: number;
  /** Hashes that may wait for a free slot, first come first served; more are refused at once. */
  queue: number;
  /** Longest a hash waits in the queue before it is refused, in milliseconds. */
  maxWaitMs: number;
}

/** For work that is never under load (a CLI command, test fixtures): one hash at a time, and a wait instead of "busy". */
export const NEVER_BUSY: HashingLimits = { concurrency: 1, queue: Number.POSITIVE_INFINITY, maxWaitMs: Number.POSITIVE_INFINITY };

/** Password hashing is at capacity: the work was not started, and trying again in a moment will likely do. */
export class HashingBusyError extends Error {
  /** `queue_full`: refused on arrival; `queue_timeout`: waited `maxWaitMs` without getting a slot. */
  readonly reason: 'queue_full' | 'queue_timeout';

  constructor(reason: HashingBusyError['reason']) {
    super(reason === 'queue_full' ? 'password hashing is at capacity and its queue is full' : 'password hashing did not get a slot in time');
    this.name = 'HashingBusyError';
    this.reason = reason;
  }
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bounds argon2 work in this process. argon2 runs on libuv's threadpool and keeps a core busy for tens of milliseconds
 * per hash; unbounded, a burst of sign-ins takes every core (and every threadpool thread) and slows all other requests.
 * Past `concurrency`, hashes wait in a short FIFO queue; past that they fail at once with HashingBusyError, which the
 * pages answer with "busy, try again" (503 + Retry-After) instead of making everyone wait.
 */
export function createHashingGate(limits: HashingLimits) {
  let running = 0;
  const waiting: Waiter[] = [];

  /** Hands the finished job's slot to the longest waiter, or frees it. */
  function release(): void {
    const next = waiting.shift();
    if (!next) {
      running--;
      return;
    }
    clearTimeout(next.timer);
    next.start();
  }

  function waitForSlot(): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { start: resolve, timer: undefined };
      if (Number.isFinite(limits.maxWaitMs)) {
        waiter.timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new HashingBusyError('queue_timeout'));
        }, limits.maxWaitMs);
      }
      waiting.push(waiter);
    });
  }

  return {
    limits,

    /** Runs `work` when a slot is free; throws HashingBusyError (without running it) when the queue is full or the wait too long. */
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running < limits.concurrency) running++;
      else if (waiting.length < limits.queue) await waitForSlot();
      else throw new HashingBusyError('queue_full');
      try {
        return await work();
      } finally {
        release();
      }
    },

    /** True when a hash asked for now would be refused: every slot taken and the queue full. */
    isFull(): boolean {
      return running >= limits.concurrency && waiting.length >= limits.queue;
    },

    /** Hashes running and waiting right now (for the metrics). */
    load(): { running: number; queued: number } {
      return { running, queued: waiting.length };
    },
  };
}

export type HashingGate = ReturnType<typeof createHashingGate>;
