// Collects a server's JSON log lines in memory, so tests can read what it logged.

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface LogCapture {
  /** Where the logger writes (a pino destination). */
  destination: { write(line: string): void };
  /** Everything written so far, as written. */
  text(): string;
  lines(): LogLine[];
  /** Resolves with the first line (already written or to come) that matches; rejects after `timeoutMs`. */
  waitFor(matches: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function captureLogs(): LogCapture {
  let text = '';
  const waiters: { matches: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const parse = (chunk: string) => chunk.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLine);
  return {
    destination: {
      write(chunk: string) {
        text += chunk;
        for (const line of parse(chunk)) {
          for (const waiter of waiters.filter((candidate) => candidate.matches(line))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      },
    },
    text: () => text,
    lines: () => parse(text),
    waitFor(matches, timeoutMs = 20_000) {
      const found = parse(text).find(matches);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { matches, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching log line within ${timeoutMs} ms; logged:\n${text}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}
