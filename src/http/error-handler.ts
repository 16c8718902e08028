import type { Middleware } from 'koa';
import type { ViewRenderer } from './view-renderer.ts';
import { HttpError } from './http-error.ts';
import { requestRecordOf } from './request-context.ts';

import { respondServiceUnavailable } from './service-unavailable.ts';

/**
 * The one place that turns errors from our own routes into responses: a page for people, JSON for programs.
 * Client errors keep their message; a database outage (`isOutage`) is a 503; anything else is logged (once, on the
 * request's line) and answered without detail.
 */
export function errorHandler(views: ViewRenderer, isOutage: (error: unknown) => boolean = () => false): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (isOutage(error)) {
        respondServiceUnavailable(ctx, views);
        return;
      }
      const status = errorStatus(error);
      const exposed = status < 500 && error instanceof Error;
      const record = requestRecordOf(ctx.req);
      if (!exposed && record) record.serverError = error;
      const heading = error instanceof HttpError ? error.heading : exposed ? 'The request could not be completed' : 'Something went wrong';
      const message = exposed ? error.message : 'The server could not complete the request. Try again in a moment.';
      ctx.status = status;
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: status < 500 ? 'invalid_request' : 'server_error', error_description: message };
        return;
      }
      ctx.type = 'html';
      ctx.body = views.render('error', {
        title: heading,
        heading,
        message,
        requestId: record?.id,
        startOverUrl: error instanceof HttpError ? error.startOverUrl : undefined,
      });
    }
  };
}

function errorStatus(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const candidate = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : 500;
  return candidate >= 400 && candidate < 600 ? candidate : 500;
}
