import type { Middleware } from 'koa';
import { HttpError } from './http-error.ts';

/** Longest request target (path and query) accepted; authorization requests stay far below it. */
export const MAX_URL_LENGTH = 8 * 1024;

/**
 * Limits that hold for every route, ours and oidc-provider's, before any of them runs. Bodies have their own limits
 * where they are read (16 KiB on the interaction forms, oidc-provider's 56 KiB on its endpoints); Node refuses header
 * sections over 16 KiB with 431 by itself.
 */
export function requestLimits(): Middleware {
  return async function checkRequestLimits(ctx, next) {
    if (ctx.url.length > MAX_URL_LENGTH) {
      throw new HttpError(414, 'The address is too long', `Request addresses are limited to ${MAX_URL_LENGTH} characters.`);
    }
    // Percent-encoded NUL (%00) is never meaningful in a URL here, and Postgres cannot store it: refuse it up front.
    if (/%00/.test(ctx.url)) {
      throw new HttpError(400, 'The request is not valid', 'The address contains a NUL character.');
    }
    await next();
  };
}
