/** One thing wrong with the configuration, ready to show to the operator. */
export interface ConfigProblem {
  /** File relative to the working directory, or `environment` for env overrides. */
  file: string;
  /** Where in the file, e.g. `clients[1] (client_id "billing-web").client_secret`, or `line 3, column 1`. */
  path: string;
  message: string;
}

/** Every problem found while loading the configuration, thrown together so the operator can fix them in one pass. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

/** One line per problem: `file: path: message`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? problem.file : `${problem.file}: ${problem.path}`;
  return `${where}: ${problem.message}`;
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`Invalid configuration (${count}):`, ...problems.map((problem) => `  - ${formatProblem(problem)}`)].join('\n');
}
