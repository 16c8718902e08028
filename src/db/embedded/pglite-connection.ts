import type { Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { createFrontendFramer, type FrontendMessage } from './frontend-messages.ts';

/**
 * Serves one client connection on the single PGlite backend.
 *
 * PGlite is one Postgres backend shared by every connection, so a client must own it for a whole unit of work: from its
 * first message until ReadyForQuery reports "idle" (status 'I'). That covers an extended-protocol exchange
 * (Parse..Sync) and a whole transaction (BEGIN..COMMIT). pglite-socket's multiplexer interleaves single messages
 * instead, which lets one client's Bind land on another's Parse; hence this small server of our own.
 */
export function servePgliteConnection(db: PGlite, socket: Socket, options: { maxHoldMs: number }): void {
  const framer = createFrontendFramer();
  const pending: FrontendMessage[] = [];
  let wakeHolder: (() => void) | undefined;
  let holding = false;
  let closed = false;

  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    pending.push(...framer.push(chunk));
    if (holding) wakeHolder?.();
    else void holdBackend();
  });
  socket.on('close', () => {
    closed = true;
    wakeHolder?.();
  });
  socket.on('error', () => socket.destroy());

  async function holdBackend(): Promise<void> {
    holding = true;
    try {
      await db.runExclusive(runUnitsOfWork);
    } catch {
      socket.destroy();
    } finally {
      holding = false;
      if (!closed && pending.length > 0) void holdBackend();
    }
  }

  async function runUnitsOfWork(): Promise<void> {
    let unitOpen = false;
    while (!closed) {
      const message = pending.shift();
      if (!message) {
        if (!unitOpen) return;
        const arrived = await waitForMessage(options.maxHoldMs);
        if (!arrived) {
          socket.destroy();
          break;
        }
        continue;
      }
      const status = await execute(message);
      unitOpen = status !== 'idle';
    }
    // The client went away in the middle of its work: leave the shared backend clean for the next one.
    if (db.isInTransaction()) await executeQuietly('ROLLBACK');
  }

  function waitForMessage(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      function finish(arrived: boolean): void {
        clearTimeout(timer);
        wakeHolder = undefined;
        resolve(arrived);
      }
      wakeHolder = () => finish(!closed);
    });
  }

  async function execute(message: FrontendMessage): Promise<'idle' | 'busy'> {
    if (message.type === 'encryption-request') {
      socket.write('N');
      return 'idle';
    }
    if (message.type === 'X') {
      socket.end();
      return 'idle';
    }
    let tail: Buffer = Buffer.alloc(0);
    await db.execProtocolRawStream(message.bytes, {
      onRawData: (data: Uint8Array) => {
        if (data.length === 0) return;
        if (!closed && socket.writable) socket.write(data);
        tail = Buffer.concat([tail, data]).subarray(-6);
      },
    });
    const answersWithReadyForQuery = message.type === 'startup' || message.type === 'S' || message.type === 'Q';
    return answersWithReadyForQuery && readyForQueryStatus(tail) === 'I' ? 'idle' : 'busy';
  }

  async function executeQuietly(sql: string): Promise<void> {
    const text = Buffer.from(`${sql}\0`, 'utf8');
    const query = Buffer.alloc(5 + text.length);
    query.write('Q', 0, 'latin1');
    query.writeInt32BE(4 + text.length, 1);
    text.copy(query, 5);
    await db.execProtocolRawStream(Uint8Array.from(query), { onRawData: () => undefined });
  }
}

/** Reads the transaction status of a trailing ReadyForQuery message ('Z', length 5, status). */
function readyForQueryStatus(tail: Buffer): string | undefined {
  if (tail.length !== 6 || tail[0] !== 0x5a || tail.readInt32BE(1) !== 5) return undefined;
  return String.fromCharCode(tail[5] ?? 0);
}
