// Bounded load: every virtual user runs its operation back to back until the deadline; none starts after it, and
// the window closes when the last one in flight has finished.
import { performance } from 'node:perf_hooks';
import { ServerBusyError } from './endpoints.ts';
import { RunnerDone, type Runner } from './operations.ts';

export interface LoadResult {
  ops: number;
  errors: number;
  /** Refused with 503 + Retry-After (load shedding). */
  shed: number;
  /** Up to five distinct error messages. */
  errorSamples: string[];
  elapsedMs: number;
  /** Latency of each successful operation, in milliseconds. */
  latenciesMs: number[];
}

const ERROR_PAUSE_MS = 20;

/** Runs `runners` (one per virtual user) for `durationMs`, or for `maxOps` operations each when given. */
export async function runLoad(runners: readonly Runner[], durationMs: number, maxOps = Number.POSITIVE_INFINITY): Promise<LoadResult> {
  const result: LoadResult = { ops: 0, errors: 0, shed: 0, errorSamples: [], elapsedMs: 0, latenciesMs: [] };
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    runners.map(async (runner) => {
      for (let done = 0; done < maxOps && performance.now() < deadline; done++) {
        const begin = performance.now();
        try {
          await runner();
          result.latenciesMs.push(performance.now() - begin);
          result.ops++;
        } catch (error) {
          if (error instanceof RunnerDone) return;
          // Told busy, a person waits as long as Retry-After asks; a failing server answers at once, and pausing
          // keeps a broken run from spinning.
          let pauseMs = ERROR_PAUSE_MS;
          if (error instanceof ServerBusyError) {
            result.shed++;
            pauseMs = Math.max(0, Math.min(error.retryAfterSeconds * 1000, deadline - performance.now()));
          } else recordError(result, error);
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  return result;
}

function recordError(result: LoadResult, error: unknown): void {
  result.errors++;
  const message = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
  if (result.errorSamples.length < 5 && !result.errorSamples.includes(message)) result.errorSamples.push(message);
}

/** The p-th percentile (nearest rank) of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
