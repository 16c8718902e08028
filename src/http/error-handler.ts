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
      const message = exposed ? error.message : views.english.t('error.server.message');
      ctx.status = status;
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: status < 500 ? 'invalid_request' : 'server_error', error_description: message };
        return;
      }
      const locale = views.locale(ctx);
      const text = pageText(error, exposed, locale.t);
      ctx.type = 'html';
      ctx.body = views.render(
        'error',
        {
          heading: text.heading,
          message: text.message,
          detail: text.detail,
          requestId: record?.id,
          startOverUrl: error instanceof HttpError ? error.startOverUrl : undefined,
        },
        locale,
      );
    }
  };
}

/** Our own errors in the person's language; a library's client error (e.g. a body too large) keeps its text as a detail. */
function pageText(error: unknown, exposed: boolean, t: (key: string) => string): { heading: string; message: string; detail?: string } {
  if (error instanceof HttpError) {
    if (error.messageKey) return { heading: t(`error.${error.messageKey}.heading`), message: t(`error.${error.messageKey}.message`) };
    return { heading: error.heading, message: error.message };
  }
  if (exposed && error instanceof Error) return { heading: t('error.badRequest.heading'), message: t('error.badRequest.message'), detail: error.message };
  return { heading: t('error.server.heading'), message: t('error.server.message') };
}

function errorStatus(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  const candidate = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : 500;
  return candidate >= 400 && candidate < 600 ? candidate : 500;
}
