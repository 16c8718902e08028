// Database round trips per operation and per sign-in step, counted on a server whose database connection goes
// through the wire counter, and the CPU of each sign-in step. Operations run one at a time, so every round trip and
// every CPU millisecond belongs to the operation in flight.
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
  /** Sign-in only: round trips of each step, the median sample (as medianRoundTrips, for the same reason). */
  steps?: Partial<Record<SignInStep, number>>;
  /**
   * Sign-in only: CPU of each step (server + database backends, median sample, ms), one user at a time. Work the
   * server finishes after answering lands in the next step.
   */
  stepCpuMs?: Partial<Record<SignInStep, { server: number; database: number }>>;
}

/** Reads CPU time, in milliseconds, of the server and of the database backends serving it. */
export interface CpuClock {
  server(): number;
  database(): number;
}

/** What traceOperation reads from the wire counter; NO_DATABASE for a server without one (the baseline). */
export type RoundTripCounter = Pick<WireCounter, 'roundTrips' | 'statements'>;
export const NO_DATABASE: RoundTripCounter = { roundTrips: () => 0, statements: () => 0 };

/** Operations traced one after another, per operation. */
export const TRACE_SAMPLES = 20;
const SETTLE_POLL_MS = 15;

/** Runs `samples` operations one after another (after one untraced warm-up) and counts their round trips. */
export async function traceOperation(name: OperationName, target: Target, counter: RoundTripCounter, samples: number, clock?: CpuClock): Promise<TraceResult> {
  const [runner] = await prepareOperation(name, target, 1, samples + 1);
  if (!runner) throw new Error('no runner');
  await runner();
  const perOp: number[] = [];
  let statements = 0;
  const stepRoundTrips = new Map<SignInStep, number[]>();
  const stepServerCpu = new Map<SignInStep, number[]>();
  const stepDatabaseCpu = new Map<SignInStep, number[]>();
  const record = (samplesOf: Map<SignInStep, number[]>, step: SignInStep, value: number) => {
    const values = samplesOf.get(step) ?? [];
    values.push(value);
    samplesOf.set(step, values);
  };
  for (let sample = 0; sample < samples; sample++) {
    await settle(counter);
    const before = counter.roundTrips();
    const statementsBefore = counter.statements();
    let stepStart = { roundTrips: before, server: clock?.server() ?? 0, database: clock?.database() ?? 0 };
    await runner((step) => {
      const now = { roundTrips: counter.roundTrips(), server: clock?.server() ?? 0, database: clock?.database() ?? 0 };
      record(stepRoundTrips, step, now.roundTrips - stepStart.roundTrips);
      record(stepServerCpu, step, now.server - stepStart.server);
      record(stepDatabaseCpu, step, now.database - stepStart.database);
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
    ...(stepRoundTrips.size > 0 ? { steps: Object.fromEntries([...stepRoundTrips].map(([step, counts]) => [step, median(counts)])) } : {}),
    ...(clock && stepServerCpu.size > 0
      ? {
          stepCpuMs: Object.fromEntries(
            [...stepServerCpu].map(([step, server]) => [step, { server: median(server), database: median(stepDatabaseCpu.get(step) ?? []) }]),
          ),
        }
      : {}),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Waits until no round trip has started for a moment: work a server finishes after answering counts for its operation. */
async function settle(counter: RoundTripCounter): Promise<void> {
  for (let last = -1; last !== counter.roundTrips(); ) {
    last = counter.roundTrips();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
