// Collects a server's JSON log lines in memory, so tests can read what it logged.

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface LogCapture {
  /** Where the logger writes (a pino destination). */
  destination: { write(line: string): void };
  /** Everything written so far, as written. */
  text(): string;
  lines(): LogLine[];
  /** How many lines were written so far; pass it as `after` to wait only for lines still to come. */
  mark(): number;
  /** Resolves with the first matching line after line number `after` (default: any), already written or to come. */
  waitFor(matches: (line: LogLine) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<LogLine>;
}

export function captureLogs(): LogCapture {
  let text = '';
  let count = 0;
  const waiters: { matches: (line: LogLine) => boolean; after: number; resolve: (line: LogLine) => void }[] = [];
  const parse = (chunk: string) => chunk.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLine);
  return {
    destination: {
      write(chunk: string) {
        text += chunk;
        for (const line of parse(chunk)) {
          count += 1;
          for (const waiter of waiters.filter((candidate) => count > candidate.after && candidate.matches(line))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      },
    },
    text: () => text,
    lines: () => parse(text),
    mark: () => count,
    waitFor(matches, { after = 0, timeoutMs = 20_000 } = {}) {
      const found = parse(text).slice(after).find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { matches, after, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching log line within ${timeoutMs} ms; logged:\n${text}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}

/** The JSON lines of a process's output (what a spawned server printed), skipping anything else it printed. */
export function parseJsonLines<Line>(output: string): Line[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Line];
    } catch {
      return [];
    }
  });
}
