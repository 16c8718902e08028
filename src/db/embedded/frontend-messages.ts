/** Splits a stream of PostgreSQL frontend bytes into whole protocol messages. */
export interface FrontendMessage {
  /** Message type byte as a character, or 'startup' for the untyped first packet (and SSL/GSS requests). */
  type: string;
  bytes: Uint8Array;
}

const SSL_REQUEST_CODE = 80877103;
const GSS_ENCRYPTION_REQUEST_CODE = 80877104;

/** Creates a framer that keeps partial messages between chunks. */
export function createFrontendFramer(): { push(chunk: Buffer): FrontendMessage[] } {
  let buffer: Buffer = Buffer.alloc(0);
  let startupSeen = false;

  function nextMessage(): FrontendMessage | undefined {
    if (!startupSeen) {
      if (buffer.length < 8) return undefined;
      const length = buffer.readInt32BE(0);
      if (buffer.length < length) return undefined;
      const code = buffer.readInt32BE(4);
      const bytes = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      const isEncryptionRequest = code === SSL_REQUEST_CODE || code === GSS_ENCRYPTION_REQUEST_CODE;
      if (!isEncryptionRequest) startupSeen = true;
      return { type: isEncryptionRequest ? 'encryption-request' : 'startup', bytes: Uint8Array.from(bytes) };
    }
    if (buffer.length < 5) return undefined;
    const length = 1 + buffer.readInt32BE(1);
    if (buffer.length < length) return undefined;
    const bytes = buffer.subarray(0, length);
    buffer = buffer.subarray(length);
    return { type: String.fromCharCode(bytes[0] ?? 0), bytes: Uint8Array.from(bytes) };
  }

  return {
    push(chunk) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const messages: FrontendMessage[] = [];
      for (let message = nextMessage(); message; message = nextMessage()) messages.push(message);
      return messages;
    },
  };
}
