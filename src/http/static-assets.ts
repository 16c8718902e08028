import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** Serves the stylesheet and the generated theme from memory under /assets/. */
export function staticAssets(themeCss: string): Middleware {
  const assets = new Map<string, string>([
    ['/assets/latchkey.css', readFileSync(`${PUBLIC_DIR}latchkey.css`, 'utf8')],
    ['/assets/theme.css', themeCss],
  ]);
  return async function serveAsset(ctx, next) {
    const asset = assets.get(ctx.path);
    if (!asset || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset;
  };
}
