import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, basename } from 'node:path';
import pug from 'pug';
import type { LatchkeyConfig } from '../config/types.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

export type ViewName = 'login' | 'consent' | 'logout' | 'logged-out' | 'error';

/** Renders the hosted pages. Every template is compiled at boot, so a broken template stops startup, not a request. */
export function createViewRenderer(ui: LatchkeyConfig['ui']) {
  const templates = new Map<string, pug.compileTemplate>();
  for (const file of readdirSync(VIEWS_DIR).filter((name) => name.endsWith('.pug'))) {
    templates.set(basename(file, '.pug'), pug.compileFile(join(VIEWS_DIR, file), { basedir: VIEWS_DIR }));
  }
  const shared = {
    lang: 'en',
    ui: {
      productName: ui.productName,
      logoUri: ui.logoUri,
      privacyPolicyUri: ui.privacyPolicyUri,
      termsUri: ui.termsUri,
    },
  };

  return {
    render(view: ViewName, locals: Record<string, unknown>): string {
      const template = templates.get(view);
      if (!template) throw new Error(`views/${view}.pug is missing`);
      return template({ ...shared, ...locals });
    },
  };
}

export type ViewRenderer = ReturnType<typeof createViewRenderer>;
