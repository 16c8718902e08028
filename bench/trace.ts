// Database round trips per operation and per sign-in step, counted on a server whose database connection goes
// through the wire counter. Operations run one at a time, so every round trip belongs to the operation in flight.
import { prepareOperation, type OperationName, type Target } from './operations.ts';
import type { SignInStep } from './sign-in-flow.ts';
import type { WireCounter } from './wire-counter.ts';

export interface TraceResult {
  name: OperationName;
  samples: number;
  roundTripsPerOp: number;
  /**
   * What one operation takes: the background work of the server (the logout outbox poll, the key check) lands in a
   * sample now and then and lifts the mean and the max, never the median.
   */
  medianRoundTrips: number;
  minRoundTrips: number;
  maxRoundTrips: number;
  statementsPerOp: number;
  /** Sign-in only: mean round trips of each step. */
  steps?: Partial<Record<SignInStep, number>>;
}

const SETTLE_POLL_MS = 15;

/** Runs `samples` operations one after another (after one untraced warm-up) and counts their round trips. */
export async function traceOperation(name: OperationName, target: Target, counter: WireCounter, samples: number): Promise<TraceResult> {
  const [runner] = await prepareOperation(name, target, 1, samples + 1);
  if (!runner) throw new Error('no runner');
  await runner();
  const perOp: number[] = [];
  let statements = 0;
  const stepTotals = new Map<SignInStep, number>();
  for (let sample = 0; sample < samples; sample++) {
    await settle(counter);
    const before = counter.roundTrips();
    const statementsBefore = counter.statements();
    let stepStart = before;
    await runner((step) => {
      const now = counter.roundTrips();
      stepTotals.set(step, (stepTotals.get(step) ?? 0) + now - stepStart);
      stepStart = now;
    });
    await settle(counter);
    perOp.push(counter.roundTrips() - before);
    statements += counter.statements() - statementsBefore;
  }
  const total = perOp.reduce((sum, count) => sum + count, 0);
  return {
    name,
    samples,
    roundTripsPerOp: total / samples,
    medianRoundTrips: median(perOp),
    minRoundTrips: Math.min(...perOp),
    maxRoundTrips: Math.max(...perOp),
    statementsPerOp: statements / samples,
    ...(stepTotals.size > 0 ? { steps: Object.fromEntries([...stepTotals].map(([step, count]) => [step, count / samples])) } : {}),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Waits until no round trip has started for a moment: work a server finishes after answering counts for its operation. */
async function settle(counter: WireCounter): Promise<void> {
  for (let last = -1; last !== counter.roundTrips(); ) {
    last = counter.roundTrips();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
