// A TCP relay in front of Postgres that counts database round trips by reading the frontend side of the wire protocol
// (https://www.postgresql.org/docs/current/protocol-message-formats.html): every simple Query ('Q') and every Sync
// ('S', which ends one extended-protocol Parse/Bind/Execute batch) is one request the server waits an answer for.
// Connection start-up and termination are not counted.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface WireCounter {
  /** Where the relay listens: use this host:port in place of the database server's. */
  port: number;
  /** Round trips (Query + Sync messages) so far, over all connections. */
  roundTrips(): number;
  /** Statements so far: simple Queries plus extended-protocol Executes. */
  statements(): number;
  close(): Promise<void>;
}

const UNTYPED_REQUEST_CODES = new Set([80877103, 80877104]); // SSLRequest, GSSENCRequest: another untyped message follows

/** Starts a relay on 127.0.0.1 to the Postgres server at host:port. */
export async function startWireCounter(host: string, port: number): Promise<WireCounter> {
  let roundTrips = 0;
  let statements = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    sockets.add(client).add(upstream);
    const parse = frontendParser((type) => {
      if (type === 0x51) {
        roundTrips++;
        statements++;
      } else if (type === 0x53) roundTrips++;
      else if (type === 0x45) statements++;
    });
    client.on('data', (chunk: Buffer) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    roundTrips: () => roundTrips,
    statements: () => statements,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits the frontend byte stream into messages and reports each typed message's type byte. */
function frontendParser(onMessage: (type: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let untyped = true; // the start-up message has no type byte
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const headerLength = untyped ? 0 : 1;
      if (pending.length < headerLength + 4) return;
      const length = pending.readInt32BE(headerLength);
      if (pending.length < headerLength + length) return;
      if (untyped) {
        const code = length >= 8 ? pending.readInt32BE(4) : 0;
        untyped = UNTYPED_REQUEST_CODES.has(code);
      } else {
        onMessage(pending[0] ?? 0);
      }
      pending = pending.subarray(headerLength + length);
    }
  };
}
