import { describe, expect, it } from 'vitest';
import { currentRequestScope, storeRequestWrites, runInRequestScope } from '../../../src/db/request-scope.ts';

describe('deferred writes in a request scope', () => {
  it('has nothing to wait for until a write is deferred, and stores the deferred ones once', async () => {
    const stored: string[] = [];
    await runInRequestScope(async () => {
      expect(storeRequestWrites()).toBeUndefined();
      currentRequestScope()?.deferWrites(async () => {
        stored.push('first batch');
      });
      await storeRequestWrites();
      expect(storeRequestWrites()).toBeUndefined();
    });
    expect(stored).toEqual(['first batch']);
  });

  it('stores a batch deferred while another is being stored after it, and callers wait for the one in flight', async () => {
    const events: string[] = [];
    let releaseFirst = (): void => undefined;
    await runInRequestScope(async () => {
      const scope = currentRequestScope();
      scope?.deferWrites(async () => {
        events.push('first started');
        await new Promise<void>((resolve) => (releaseFirst = resolve));
        events.push('first done');
      });
      const first = storeRequestWrites();
      // Another query of the request waits for the same batch rather than running past it.
      expect(storeRequestWrites()).toBe(first);
      scope?.deferWrites(async () => {
        events.push('second started');
      });
      const second = storeRequestWrites();
      releaseFirst();
      await second;
    });
    expect(events).toEqual(['first started', 'first done', 'second started']);
  });

  it('rejects whoever waits when storing fails, and does not store the failed batch again when the request ends', async () => {
    const failure = new Error('database gone');
    const request = runInRequestScope(async () => {
      currentRequestScope()?.deferWrites(() => Promise.reject(failure));
      await expect(storeRequestWrites()).rejects.toBe(failure);
    });
    await expect(request).resolves.toBeUndefined();
  });

  it('stores what a request left deferred when it ends, before its promise settles', async () => {
    const stored: string[] = [];
    await runInRequestScope(async () => {
      currentRequestScope()?.deferWrites(async () => {
        stored.push('left over');
      });
    });
    expect(stored).toEqual(['left over']);
  });

  it('is gone for work the request started that runs on after it ended, so that work writes directly', async () => {
    let later: Promise<boolean> | undefined;
    await runInRequestScope(async () => {
      expect(currentRequestScope()).toBeDefined();
      later = new Promise((resolve) => setTimeout(() => resolve(currentRequestScope() !== undefined), 10));
    });
    expect(await later).toBe(false);
  });
});
