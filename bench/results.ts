// The shape of one bench run, as written to bench/results/*.json.
import type { Argon2Cost } from './argon2-cost.ts';
import type { ContentionResult } from './contention.ts';
import type { OperationResult } from './measure.ts';
import type { ProcessMemory } from './memory.ts';
import type { SoakResult } from './soak.ts';
import type { TraceResult } from './trace.ts';

export interface ServerResults {
  operations: OperationResult[];
  /** Memory of each server process after the operations ran. */
  memory: ProcessMemory[];
}

/** The CPU of each sign-in step, one user at a time (TraceResult.stepCpuMs). */
export type SignInStepCpu = NonNullable<TraceResult['stepCpuMs']>;

export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; postgres: string | undefined; loadAverage: number[] };
  settings: {
    durationSeconds: number;
    concurrency: number;
    database: 'postgres' | 'embedded';
    smoke: boolean;
    /** Node's command-line options for Latchkey's server: `npm start`'s, with nodeOptions in place of the same ones. */
    serverNodeArgs: string[];
    /** The bench's --node-options, as given. */
    nodeOptions: string | undefined;
  };
  argon2: Omit<Argon2Cost, 'hash'>;
  latchkey: ServerResults & {
    /** Spawn → discovery answering on an empty database (includes applying every migration). */
    firstStartMs: number;
    /** Spawn → discovery answering with migrations already applied, one per restart. */
    readyMs: number[];
    /** CPU the server had used when it became ready, per restart. */
    readyCpuMs: number[];
  };
  baseline: (ServerResults & { signInStepCpuMs?: SignInStepCpu }) | undefined;
  /** Counted by the wire counter on a second Latchkey process; undefined on the embedded database. */
  roundTrips: TraceResult[] | undefined;
  contention: ContentionResult | undefined;
  workers:
    | { requested: number; processes: number; note: string | undefined; single: OperationResult[]; clustered: OperationResult[] }
    | undefined;
  soak: SoakResult | undefined;
  budget: BudgetLine[];
}

export interface BudgetLine {
  line: string;
  target: string;
  measured: string;
  status: 'met' | 'not met' | 'not run';
}
