/** An error with an HTTP status; `expose` says its message is written for the person who sent the request. */
export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;
  readonly heading: string;
  readonly startOverUrl: string | undefined;
  /** When set, the page shows the messages `error.<messageKey>.heading` and `.message` in the person's language. */
  readonly messageKey: string | undefined;

  constructor(status: number, heading: string, message: string, startOverUrl?: string, messageKey?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.expose = status < 500;
    this.heading = heading;
    this.startOverUrl = startOverUrl;
    this.messageKey = messageKey;
  }
}

/** The interaction is gone, expired or belongs to another browser: the person has to start again at the app. */
export function interactionExpired(startOverUrl?: string): HttpError {
  return new HttpError(
    400,
    'This sign-in has expired',
    'Your sign-in took too long, was already completed, or was opened in another browser. Go back to the app and start again.',
    startOverUrl,
    'interactionExpired',
  );
}
