import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { interactionExpired } from '../http/http-error.ts';
import { requestRecordOf } from '../http/request-context.ts';
import type { CsrfTokens } from './csrf-token.ts';
import { findStartOverUrl, startOverUrl } from './start-over.ts';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Loads the interaction named in the URL; it must also be the one the browser's interaction cookie points at. When
 * not (no cookie, another browser, expired), the refusal offers a fresh start of the request named in the URL.
 */
export async function loadInteraction(provider: Provider, ctx: Context): Promise<InteractionDetails> {
  const uid = (ctx.params as Record<string, string | undefined>)['uid'];
  let details: InteractionDetails | undefined;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    // oidc-provider's own errors (no cookie, unknown or expired interaction) mean "start again"; anything else, such as
    // the database being unreachable, is not the person's doing and must not send them back to the start.
    if (!(error instanceof errors.OIDCProviderError)) throw error;
    details = undefined;
  }
  if (!details || details.uid !== uid) throw interactionExpired(await findStartOverUrl(provider, uid));
  return details;
}

/** Names the client and the signed-in person (if any) of the interaction in the request's log line. */
export function noteInteraction(ctx: Context, details: InteractionDetails): void {
  const record = requestRecordOf(ctx.req);
  if (!record) return;
  const clientId = details.params['client_id'];
  if (typeof clientId === 'string') record.clientId = clientId;
  if (details.session?.accountId) record.accountId = details.session.accountId;
}

/** Refuses a form without the CSRF token of its interaction, offering a fresh start of the same request. */
export function requireCsrfToken(csrf: CsrfTokens, details: InteractionDetails, body: Record<string, unknown>): void {
  if (!csrf.isValid(details.uid, body['csrf'])) throw interactionExpired(startOverUrl(details));
}

/** Stores the interaction's result and sends the browser back to the authorization endpoint to resume. */
export async function finishInteraction(provider: Provider, ctx: Context, result: InteractionResults): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/** Reads a form body field as a trimmed-free string, or '' when absent or repeated. */
export function formField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}
