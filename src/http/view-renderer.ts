import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, basename } from 'node:path';
import pug from 'pug';
import type { LatchkeyConfig } from '../config/types.ts';
import { createMessageCatalog, type MessageCatalog, type Translator } from '../i18n/message-catalog.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

export type ViewName = 'login' | 'consent' | 'logout' | 'logged-out' | 'error' | 'account';

/** Where a page's language comes from: the request's Accept-Language header (Koa's ctx.get reads it). */
export interface LanguageSource {
  get(field: 'accept-language'): string;
}

/**
 * Renders the hosted pages in the person's language. Every template is compiled at boot, so a broken template stops
 * startup, not a request; every text on a page comes from the message files through `t`.
 */
export function createViewRenderer(ui: LatchkeyConfig['ui'], messages: MessageCatalog = createMessageCatalog()) {
  const templates = new Map<string, pug.compileTemplate>();
  for (const file of readdirSync(VIEWS_DIR).filter((name) => name.endsWith('.pug'))) {
    templates.set(basename(file, '.pug'), pug.compileFile(join(VIEWS_DIR, file), { basedir: VIEWS_DIR }));
  }
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

export type ViewRenderer = ReturnType<typeof createViewRenderer>;
