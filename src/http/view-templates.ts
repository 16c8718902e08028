import { readdirSync } from 'node:fs';
import path from 'node:path';
import { openViewCache } from './view-cache.ts';

/** A compiled view: locals in, HTML out. */
export type Template = (locals: Record<string, unknown>) => string;

// Sources kept in the code give render errors their line context without reading the file; the runtime inlined makes
// the code self-contained, so code read back from the cache needs nothing of pug.
const COMPILE_OPTIONS = { compileDebug: true, inlineRuntimeFunctions: true } as const;

/**
 * Compiles every `*.pug` directly in `viewsDir`, so that a broken template stops startup. With a `cacheDir` the code pug
 * generated is kept there, and later starts with the same templates and pug use it instead of loading and running pug,
 * which was a third of a start's CPU.
 */
export async function loadViewTemplates(viewsDir: string, cacheDir: string | undefined): Promise<Map<string, Template>> {
  const cache = cacheDir === undefined ? undefined : openViewCache(cacheDir, viewsDir, COMPILE_OPTIONS);
  const cached = cache?.read();
  if (cached) {
    try {
      return evaluateAll(cached);
    } catch {
      // Unusable code in the cache: compile afresh and replace it.
    }
  }
  const compiled = await compileViews(viewsDir);
  const templates = evaluateAll(compiled);
  cache?.write(compiled);
  return templates;
}

async function compileViews(viewsDir: string): Promise<Record<string, string>> {
  const { default: pug } = await import('pug');
  const compiled: Record<string, string> = {};
  for (const file of readdirSync(viewsDir).filter((name) => name.endsWith('.pug')).sort()) {
    compiled[path.basename(file, '.pug')] = pug.compileFileClient(path.join(viewsDir, file), { basedir: viewsDir, name: 'template', ...COMPILE_OPTIONS });
  }
  return compiled;
}

function evaluateAll(compiled: Record<string, string>): Map<string, Template> {
  return new Map(Object.entries(compiled).map(([name, code]) => [name, evaluate(code)]));
}

/** What pug.compile does with the code it generates for `inlineRuntimeFunctions`. */
function evaluate(code: string): Template {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- pug's own way to turn its generated code into a function
  const build = new Function('', `${code};return template;`) as () => Template;
  return build();
}
