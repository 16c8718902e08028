// The markdown the bench prints and writes: operations, round trips, the budget lines, and how it was measured.
import { ms } from './budget.ts';
import type { OperationResult } from './measure.ts';
import type { BenchResults } from './results.ts';
import type { SignInStep } from './sign-in-flow.ts';

/** The whole report. */
export function renderMarkdown(results: BenchResults): string {
  const { machine, settings } = results;
  const baseline = new Map((results.baseline?.operations ?? []).map((operation) => [operation.name, operation]));
  const traces = new Map((results.roundTrips ?? []).map((trace) => [trace.name, trace]));
  const out: string[] = [];
  out.push(
    `Latchkey bench, ${results.date}: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `${settings.database === 'postgres' ? `PostgreSQL ${machine.postgres ?? '?'}` : 'embedded PGlite'}; ` +
      (settings.smoke ? 'smoke run (two of each operation, one user)' : `${settings.durationSeconds} s per operation, ${settings.concurrency} concurrent users`) +
      `; Latchkey as \`node ${[...settings.serverNodeArgs, 'src/main.ts'].join(' ')}\`` +
      `; load average at start ${machine.loadAverage.map((value) => value.toFixed(1)).join(' ')}.`,
    '',
    '| operation | ops/s | p50 | p95 | p99 | errors | CPU/op (server + db) | baseline CPU/op | ratio | db round trips/op |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const operation of results.latchkey.operations) {
    const theirs = baseline.get(operation.name);
    const trace = traces.get(operation.name);
    out.push(
      `| ${operation.name} | ${operation.opsPerSecond.toFixed(0)} | ${ms(operation.p50Ms)} | ${ms(operation.p95Ms)} | ${ms(operation.p99Ms)} | ` +
        `${errorsOf(operation)} | ${ms(operation.cpuMsPerOp)} (${ms(operation.serverCpuMsPerOp)} + ${ms(operation.databaseCpuMsPerOp)}) | ` +
        `${theirs ? ms(theirs.cpuMsPerOp) : '—'} | ${theirs ? `${(operation.cpuMsPerOp / theirs.cpuMsPerOp).toFixed(2)}×` : '—'} | ` +
        `${trace ? trace.roundTripsPerOp.toFixed(1) : '—'} |`,
    );
  }
  const signIn = traces.get('sign_in');
  if (signIn?.steps) {
    const cpu = signIn.stepCpuMs;
    const theirs = results.baseline?.signInStepCpuMs;
    out.push(
      '',
      'Sign-in step by step, one user at a time (median of the traced samples; the login step includes the argon2id verification):',
      '',
      '| step | db round trips | CPU (server + db) | baseline CPU |',
      '| --- | ---: | ---: | ---: |',
      ...Object.entries(signIn.steps).map(([step, count]) => {
        const ours = cpu?.[step as SignInStep];
        const baselineStep = theirs?.[step as SignInStep];
        return (
          `| ${step} | ${count} | ${ours ? `${ms(ours.server + ours.database)} (${ms(ours.server)} + ${ms(ours.database)})` : '—'} | ` +
          `${baselineStep ? ms(baselineStep.server) : '—'} |`
        );
      }),
    );
  }
  const memory = results.latchkey.memory;
  out.push(
    '',
    `argon2id verification (m=${results.argon2.parameters.memoryCost} KiB, t=${results.argon2.parameters.timeCost}, p=${results.argon2.parameters.parallelism}): ` +
      `${ms(results.argon2.cpuMs)} CPU, ${ms(results.argon2.wallMs)} wall. ` +
      `Latchkey RSS after the run: ${memory.map((process) => `${process.rssMiB.toFixed(0)} MiB (peak ${process.peakMiB.toFixed(0)})`).join(', ')}` +
      (results.baseline ? `; baseline ${results.baseline.memory.map((process) => `${process.rssMiB.toFixed(0)} MiB`).join(', ')}` : '') +
      `. First start (migrations on an empty database): ${results.latchkey.firstStartMs.toFixed(0)} ms.`,
  );
  if (results.workers?.note) out.push('', `Workers: ${results.workers.note}.`);
  out.push('', '| budget line | target | measured | |', '| --- | --- | --- | --- |');
  for (const line of results.budget) {
    out.push(`| ${line.line} | ${line.target} | ${line.measured} | ${line.status === 'met' ? '✅ met' : line.status === 'not met' ? '❌ not met' : 'not run'} |`);
  }
  const failures = [...results.latchkey.operations, ...(results.baseline?.operations ?? [])].filter((operation) => operation.errors > 0);
  for (const operation of failures) out.push('', `Errors in ${operation.name}: ${operation.errorSamples.join('; ')}`);
  return `${out.join('\n')}\n`;
}

function errorsOf(operation: OperationResult): string {
  return operation.shed > 0 ? `${operation.errors} (+${operation.shed} busy)` : String(operation.errors);
}
