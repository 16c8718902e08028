import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { HttpError } from './http-error.ts';

/**
 * Parses a urlencoded form body of at most `limit`. A body that cannot be read (a broken gzip stream, a wrong length)
 * is the sender's fault: 400, where the parser would let a stream error through as a 500. Its own 4xx (413 for a
 * body over the limit, 415 for an unknown encoding) stay as they are.
 */
export function formBody(limit: string): Middleware {
  const parse = bodyParser({ enableTypes: ['form'], formLimit: limit, encoding: 'utf-8' });
  return async function parseFormBody(ctx, next) {
    try {
      await parse(ctx, async () => undefined);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) throw error;
      throw new HttpError(400, 'The form could not be read', 'The form data sent was malformed or incomplete. Go back and try again.');
    }
    await next();
  };
}
