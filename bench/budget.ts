// The performance budget of issue 8, line by line, judged on one run's results.
import type { OperationResult } from './measure.ts';
import type { OperationName } from './operations.ts';
import type { BenchResults, BudgetLine } from './results.ts';
import type { SignInStep } from './sign-in-flow.ts';

/** Database round trips allowed per operation. */
export const ROUND_TRIP_LIMITS: Partial<Record<OperationName, number>> = { client_credentials: 2, userinfo: 2, introspection: 2 };

/** The documented number of database round trips per sign-in step (README, "Performance", says what each one is). */
export const SIGN_IN_STEP_LIMITS: Partial<Record<SignInStep, number>> = {
  authorize: 1,
  'login page': 1,
  login: 6,
  resume: 3,
  token: 2,
};

const CPU_RATIO_LIMIT = 1.3;
const CPU_RATIO_OPERATIONS: readonly OperationName[] = ['client_credentials', 'userinfo', 'introspection', 'refresh'];
const SIGN_IN_ARGON2_FACTOR = 1.1;
const SIGN_IN_EXTRA_MS = 5;
const WORKERS_CPU_RATIO_LIMIT = 1.1;
const WORKERS_THROUGHPUT_LIMIT = 1.5;
const RSS_LIMIT_MIB = 150;
const SOAK_GROWTH_LIMIT_PERCENT = 5;
const READY_LIMIT_MS = 1000;
const CONTENTION_P99_LIMIT = 3;

/** Every budget line, met / not met / not run. */
export function judgeBudget(results: Omit<BenchResults, 'budget'>): BudgetLine[] {
  const lines: BudgetLine[] = [];
  const latchkey = byName(results.latchkey.operations);
  const baseline = byName(results.baseline?.operations ?? []);

  for (const name of CPU_RATIO_OPERATIONS) {
    const ours = latchkey.get(name);
    const theirs = baseline.get(name);
    const line = `${name}: server CPU per op ≤ ${CPU_RATIO_LIMIT}× baseline`;
    if (!ours || !theirs) lines.push(notRun(line, `≤ ${CPU_RATIO_LIMIT}×`));
    else {
      const ratio = ours.cpuMsPerOp / theirs.cpuMsPerOp;
      lines.push(judge(line, `≤ ${CPU_RATIO_LIMIT}×`, `${ratio.toFixed(2)}× (${ms(ours.cpuMsPerOp)} vs ${ms(theirs.cpuMsPerOp)})`, ratio <= CPU_RATIO_LIMIT && ours.errors === 0));
    }
  }

  const signIn = latchkey.get('sign_in');
  const signInLimit = SIGN_IN_ARGON2_FACTOR * results.argon2.cpuMs + SIGN_IN_EXTRA_MS;
  const signInLine = `sign-in: CPU per flow ≤ ${SIGN_IN_ARGON2_FACTOR}× argon2id (${ms(results.argon2.cpuMs)}) + ${SIGN_IN_EXTRA_MS} ms`;
  lines.push(
    signIn
      ? judge(signInLine, `≤ ${ms(signInLimit)}`, ms(signIn.cpuMsPerOp), signIn.cpuMsPerOp <= signInLimit && signIn.errors === 0)
      : notRun(signInLine, `≤ ${ms(signInLimit)}`),
  );

  const traces = new Map((results.roundTrips ?? []).map((trace) => [trace.name, trace]));
  for (const [name, limit] of Object.entries(ROUND_TRIP_LIMITS)) {
    const trace = traces.get(name as OperationName);
    const line = `${name}: database round trips per op ≤ ${limit}`;
    lines.push(trace ? judge(line, `≤ ${limit}`, roundTrips(trace), trace.medianRoundTrips <= limit) : notRun(line, `≤ ${limit}`));
  }
  const steps = traces.get('sign_in')?.steps;
  const stepTarget = Object.entries(SIGN_IN_STEP_LIMITS).map(([step, limit]) => `${step} ≤ ${limit}`).join(', ');
  if (!steps) lines.push(notRun('sign-in: database round trips per step', stepTarget));
  else {
    const over = Object.entries(SIGN_IN_STEP_LIMITS).filter(([step, limit]) => (steps[step as SignInStep] ?? 0) > limit);
    const measured = Object.entries(steps).map(([step, count]) => `${step} ${count.toFixed(1)}`).join(', ');
    lines.push(judge('sign-in: database round trips per step', stepTarget, measured, over.length === 0));
  }

  lines.push(...judgeWorkers(results));

  const rssLine = `RSS per server process after the run ≤ ${RSS_LIMIT_MIB} MiB`;
  const largest = Math.max(...results.latchkey.memory.map((process) => process.rssMiB));
  lines.push(
    results.latchkey.memory.length > 0
      ? judge(rssLine, `≤ ${RSS_LIMIT_MIB} MiB`, `${largest.toFixed(0)} MiB (peak ${Math.max(...results.latchkey.memory.map((p) => p.peakMiB)).toFixed(0)})`, largest <= RSS_LIMIT_MIB)
      : notRun(rssLine, `≤ ${RSS_LIMIT_MIB} MiB`),
  );
  const soakLine = `RSS growth over the soak ≤ ${SOAK_GROWTH_LIMIT_PERCENT}%`;
  const soak = results.soak;
  lines.push(
    soak
      ? judge(soakLine, `≤ ${SOAK_GROWTH_LIMIT_PERCENT}%`, `${soak.growthPercent.toFixed(1)}% over ${soak.seconds} s (${soak.startRssMiB.toFixed(0)} → ${soak.endRssMiB.toFixed(0)} MiB)`, soak.growthPercent <= SOAK_GROWTH_LIMIT_PERCENT && soak.errors === 0)
      : notRun(`${soakLine} (run with --soak 5m)`, `≤ ${SOAK_GROWTH_LIMIT_PERCENT}%`),
  );

  const ready = results.latchkey.readyMs;
  const slowest = Math.max(...ready);
  lines.push(
    ready.length > 0
      ? judge(
          'start to ready (discovery answering), migrations applied',
          `< ${READY_LIMIT_MS} ms`,
          `${ready.map((value) => value.toFixed(0)).join(', ')} ms (CPU ${results.latchkey.readyCpuMs.map((value) => value.toFixed(0)).join(', ')} ms)`,
          slowest < READY_LIMIT_MS,
        )
      : notRun('start to ready', `< ${READY_LIMIT_MS} ms`),
  );

  const contention = results.contention;
  const contentionLine = `client_credentials p99 while sign-ins saturate the CPU ≤ ${CONTENTION_P99_LIMIT}× idle`;
  lines.push(
    contention
      ? judge(
          contentionLine,
          `≤ ${CONTENTION_P99_LIMIT}×`,
          `${contention.p99Ratio.toFixed(2)}× (${ms(contention.saturated.p99Ms)} vs ${ms(contention.idle.p99Ms)}; ${contention.signIns.ops} sign-ins, ${contention.signIns.shed} told busy)`,
          contention.p99Ratio <= CONTENTION_P99_LIMIT && contention.saturated.errors === 0 && contention.signIns.errors === 0,
        )
      : notRun(contentionLine, `≤ ${CONTENTION_P99_LIMIT}×`),
  );
  return lines;
}

function judgeWorkers(results: Omit<BenchResults, 'budget'>): BudgetLine[] {
  const workers = results.workers;
  const cpuLine = `LATCHKEY_WORKERS=${workers?.requested ?? 2}: CPU per op ≤ ${WORKERS_CPU_RATIO_LIMIT}× one worker`;
  const throughputLine = `LATCHKEY_WORKERS=${workers?.requested ?? 2}: client_credentials throughput ≥ ${WORKERS_THROUGHPUT_LIMIT}× one worker`;
  if (!workers || workers.clustered.length === 0) {
    const note = workers?.note ? ` (${workers.note})` : '';
    return [notRun(`${cpuLine}${note}`, `≤ ${WORKERS_CPU_RATIO_LIMIT}×`), notRun(`${throughputLine}${note}`, `≥ ${WORKERS_THROUGHPUT_LIMIT}×`)];
  }
  const single = byName(workers.single);
  const ratios = workers.clustered.flatMap((clustered) => {
    const one = single.get(clustered.name);
    return one ? [{ name: clustered.name, cpu: clustered.cpuMsPerOp / one.cpuMsPerOp, throughput: clustered.opsPerSecond / one.opsPerSecond }] : [];
  });
  const worstCpu = Math.max(...ratios.map((ratio) => ratio.cpu));
  const machine = ratios.find((ratio) => ratio.name === 'client_credentials');
  return [
    judge(cpuLine, `≤ ${WORKERS_CPU_RATIO_LIMIT}×`, ratios.map((ratio) => `${ratio.name} ${ratio.cpu.toFixed(2)}×`).join(', '), worstCpu <= WORKERS_CPU_RATIO_LIMIT),
    machine
      ? judge(throughputLine, `≥ ${WORKERS_THROUGHPUT_LIMIT}×`, `${machine.throughput.toFixed(2)}×`, machine.throughput >= WORKERS_THROUGHPUT_LIMIT)
      : notRun(throughputLine, `≥ ${WORKERS_THROUGHPUT_LIMIT}×`),
  ];
}

function byName(operations: readonly OperationResult[]): Map<OperationName, OperationResult> {
  return new Map(operations.map((operation) => [operation.name, operation]));
}

function judge(line: string, target: string, measured: string, met: boolean): BudgetLine {
  return { line, target, measured, status: met ? 'met' : 'not met' };
}

function notRun(line: string, target: string): BudgetLine {
  return { line, target, measured: '—', status: 'not run' };
}

/** The median judges (background work lands in some samples); mean and max are shown when they differ. */
function roundTrips(trace: { medianRoundTrips: number; roundTripsPerOp: number; maxRoundTrips: number }): string {
  const { medianRoundTrips: median, roundTripsPerOp: mean, maxRoundTrips: max } = trace;
  return max === median && mean === median ? `${median}` : `${median} (median; mean ${mean.toFixed(1)}, max ${max})`;
}

/** Milliseconds for people: 0.42 ms, 3.1 ms, 61 ms. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}
