import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { setFormActionSources } from '../http/security-headers.ts';
import { formBody } from '../http/form-body.ts';
import type { buildLoginStep } from './login-step.ts';
import type { buildConsentStep } from './consent-step.ts';
import { loadInteraction, noteInteraction, type InteractionDetails } from './interaction-context.ts';

type Step = (ctx: Context, provider: Provider, details: InteractionDetails, body: Record<string, unknown>) => Promise<void>;

/** The hosted interaction pages: GET shows the prompt oidc-provider asks for, each POST handles one form. */
export function buildInteractionRoutes(deps: {
  getProvider: () => Provider;
  login: ReturnType<typeof buildLoginStep>;
  consent: ReturnType<typeof buildConsentStep>;
}) {
  const router = new Router({ prefix: '/interaction/:uid' });
  const parseForm = formBody('16kb');

  async function prepare(ctx: Context): Promise<InteractionDetails> {
    ctx.set('Cache-Control', 'no-store');
    const details = await loadInteraction(deps.getProvider(), ctx);
    noteInteraction(ctx, details);
    const redirectUri = details.params['redirect_uri'];
    setFormActionSources(ctx, typeof redirectUri === 'string' ? [redirectUri] : []);
    return details;
  }

  const handleForm = (step: Step) => async (ctx: Context) => {
    const details = await prepare(ctx);
    const body = (ctx.request as { body?: unknown }).body;
    await step(ctx, deps.getProvider(), details, typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});
  };

  router.get('/', async (ctx) => {
    const details = await prepare(ctx);
    const provider = deps.getProvider();
    if (details.prompt.name === 'login') return deps.login.show(ctx, provider, details);
    return deps.consent.show(ctx, provider, details);
  });
  router.post('/login', parseForm, handleForm(deps.login.submit));
  router.post('/confirm', parseForm, handleForm(deps.consent.allow));
  router.post('/abort', parseForm, handleForm(deps.consent.deny));

  return router;
}
