import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../../src/http/view-renderer.ts';
import { loadViewTemplates } from '../../../src/http/view-templates.ts';

const LOCALS = { ui: { productName: 'Acme' }, lang: 'en', dir: 'ltr', t: (key: string) => `[${key}]`, emphasize: (text: string) => text };

describe('loadViewTemplates', () => {
  let views: string;
  let cacheDir: string;
  beforeEach(() => {
    const root = mkdtempSync(path.join(tmpdir(), 'lk-views-'));
    views = path.join(root, 'views');
    cacheDir = path.join(root, 'cache');
    cpSync(VIEWS_DIR, views, { recursive: true });
    mkdirSync(cacheDir);
  });
  afterEach(() => rmSync(path.dirname(views), { recursive: true, force: true }));

  const cacheFile = () => path.join(cacheDir, 'views.json');
  const render = async (name: string) => (await loadViewTemplates(views, cacheDir)).get(name)!(LOCALS);

  it('renders the same pages from the cache as freshly compiled', async () => {
    const fresh = await loadViewTemplates(views, undefined);
    const first = await loadViewTemplates(views, cacheDir);
    const second = await loadViewTemplates(views, cacheDir);
    expect([...second.keys()]).toEqual([...fresh.keys()]);
    // The pages that render with these few locals.
    for (const name of ['error', 'logged-out', 'layout']) {
      const expected = fresh.get(name)!(LOCALS);
      expect(first.get(name)!(LOCALS)).toBe(expected);
      expect(second.get(name)!(LOCALS)).toBe(expected);
    }
  });

  it('uses what the cache holds for the same sources', async () => {
    await loadViewTemplates(views, cacheDir);
    const stored = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { key: string; templates: Record<string, string> };
    stored.templates['error'] = 'function template() { return "from the cache"; }';
    writeFileSync(cacheFile(), JSON.stringify(stored));
    expect(await render('error')).toBe('from the cache');
  });

  it('compiles again when a template changes, and a broken one still stops the start', async () => {
    await loadViewTemplates(views, cacheDir);
    writeFileSync(path.join(views, 'logged-out.pug'), 'p changed');
    expect(await render('logged-out')).toBe('<p>changed</p>');
    writeFileSync(path.join(views, 'includes', 'mixins.pug'), 'mixin broken(\n  p= )(');
    await expect(loadViewTemplates(views, cacheDir)).rejects.toThrow();
  });

  it('compiles afresh over a cache file it cannot use', async () => {
    writeFileSync(cacheFile(), '{ not json');
    expect(await render('logged-out')).toContain('<html');
    await loadViewTemplates(views, cacheDir);
    const stored = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { key: string; templates: Record<string, string> };
    writeFileSync(cacheFile(), JSON.stringify({ ...stored, templates: { ...stored.templates, error: 'function (' } }));
    expect(await render('error')).toContain('<html');
  });
});
