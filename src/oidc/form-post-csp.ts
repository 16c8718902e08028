import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { setFormActionSources } from '../http/security-headers.ts';

type AnyContext = Parameters<Parameters<Provider['use']>[0]>[0];

/**
 * Lets response_mode=form_post work under the strict CSP. oidc-provider answers it with a page whose inline script
 * submits a form to the client's redirect_uri; the default policy blocks both the script and the cross-origin form.
 * This page alone gets its own script allowed by hash and the redirect_uri's origin as a form-action: no
 * 'unsafe-inline', and its inputs are escaped by oidc-provider, so nothing else can run.
 */
export function allowFormPostResponses(provider: Provider): void {
  provider.use(async function formPostPolicy(ctx, next) {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (oidc?.route !== 'authorization' && oidc?.route !== 'resume') return;
    if (oidc.params?.['response_mode'] !== 'form_post' || !isHtmlPage(ctx)) return;
    const script = /<script>([\s\S]*?)<\/script>/.exec(ctx.body as string)?.[1];
    const redirectUri = oidc.params?.['redirect_uri'];
    if (script === undefined || typeof redirectUri !== 'string') return;
    setFormActionSources(ctx, [redirectUri], [`sha256-${createHash('sha256').update(script).digest('base64')}`]);
  });
}

function isHtmlPage(ctx: AnyContext): boolean {
  return typeof ctx.body === 'string' && ctx.response.is('html') === 'html';
}
