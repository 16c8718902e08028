import { fileURLToPath } from 'node:url';
import type { LatchkeyConfig } from '../config/types.ts';
import { createMessageCatalog, type MessageCatalog, type Translator } from '../i18n/message-catalog.ts';
import { loadViewTemplates } from './view-templates.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

export type ViewName = 'login' | 'consent' | 'logout' | 'logged-out' | 'error' | 'account';

/** Where a page's language comes from: the request's Accept-Language header (Koa's ctx.get reads it). */
export interface LanguageSource {
  get(field: 'accept-language'): string;
}

export interface ViewRendererOptions {
  /** Where compiled templates are kept between starts (see loadViewTemplates); default: compiled on every start. */
  cacheDir?: string | undefined;
  messages?: MessageCatalog;
}

/**
 * Renders the hosted pages in the person's language. Every template is compiled at boot, so a broken template stops
 * startup, not a request; every text on a page comes from the message files through `t`.
 */
export async function createViewRenderer(ui: LatchkeyConfig['ui'], options: ViewRendererOptions = {}) {
  const templates = await loadViewTemplates(VIEWS_DIR, options.cacheDir);
  const messages = options.messages ?? createMessageCatalog();
  const shared = {
    ui: {
      productName: ui.productName,
      logoUri: ui.logoUri,
      privacyPolicyUri: ui.privacyPolicyUri,
      termsUri: ui.termsUri,
    },
  };

  return {
    /** The language for a request: the client's ui_locales (when the page belongs to an authorization request), then Accept-Language. */
    locale(request: LanguageSource, uiLocales?: unknown): Translator {
      return messages.negotiate({ uiLocales, acceptLanguage: request.get('accept-language') });
    },

    /** English, for texts that go to programs (JSON error bodies) rather than people. */
    get english(): Translator {
      return messages.translator('en');
    },

    /** Renders `view` in `locale` (English when none is given, for pages that have no request to ask). */
    render(view: ViewName, locals: Record<string, unknown>, locale: Translator = messages.translator('en')): string {
      const template = templates.get(view);
      if (!template) throw new Error(`views/${view}.pug is missing`);
      return template({ ...shared, lang: locale.lang, dir: locale.dir, t: locale.t, emphasize: locale.emphasize, ...locals });
    },
  };
}

export type ViewRenderer = Awaited<ReturnType<typeof createViewRenderer>>;
