import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join } from 'node:path';
import type { Middleware } from 'koa';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
};

/** Serves the files of public/ (read once at boot) and the generated theme under /assets/. */
export function staticAssets(themeCss: string): Middleware {
  const assets = new Map<string, { body: Buffer | string; type: string }>();
  for (const file of readdirSync(PUBLIC_DIR)) {
    const type = CONTENT_TYPES[extname(file)];
    if (type) assets.set(`/assets/${file}`, { body: readFileSync(join(PUBLIC_DIR, file)), type });
  }
  assets.set('/assets/theme.css', { body: themeCss, type: 'text/css; charset=utf-8' });

  return async function serveAsset(ctx, next) {
    const asset = assets.get(ctx.path);
    if (!asset || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  };
}
