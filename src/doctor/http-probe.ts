const TIMEOUT_MS = 10_000;

/** What one HTTP request to the server got, or why it got nothing. */
export type Probe =
  | { ok: true; url: string; status: number; headers: Headers; text: string; sentAt: number; receivedAt: number }
  | { ok: false; url: string; error: string };

/** One request, redirects not followed, bounded in time; network errors become a Probe, not an exception. */
export async function probe(url: string, init: RequestInit = {}): Promise<Probe> {
  const sentAt = Date.now();
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), ...init });
    const text = await response.text();
    return { ok: true, url, status: response.status, headers: response.headers, text, sentAt, receivedAt: Date.now() };
  } catch (error) {
    return { ok: false, url, error: describeFetchError(error) };
  }
}

/** The JSON object of a probe's body, or undefined. */
export function jsonObjectOf(result: Probe): Record<string, unknown> | undefined {
  if (!result.ok) return undefined;
  try {
    const value: unknown = JSON.parse(result.text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "connection refused", "timed out", …: fetch hides the reason in `cause`. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is Latchkey running there?)';
  if (typeof cause?.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
