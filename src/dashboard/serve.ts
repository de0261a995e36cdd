import { Hono } from 'hono';
import type { StaticAssets } from '../deps.js';
import { errorResponse, GatewayError } from '../errors.js';
import type { AppEnv } from '../services.js';

/**
 * The dashboard's single-page app at /dashboard, from the files an adapter provides (Node: the
 * built `dashboard/dist` folder; Workers: the static assets binding). Paths that name no file
 * serve the app itself, which routes on the client; files under `assets/` carry a content hash
 * in their names, so they are cached for a year, and everything else is revalidated.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  webp: 'image/webp',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
  map: 'application/json',
};

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** A path under /dashboard/ as a file name, or undefined when it could name something outside (`..`, `\\`, NUL, `//`). */
export function assetPath(rest: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (path === '') return 'index.html';
  if (path.includes('\\') || path.includes('\0') || path.startsWith('/')) return undefined;
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return path;
}

function extensionOf(path: string): string {
  return /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
}

export function dashboardRoutes(assets: StaticAssets | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const notBuilt = () =>
    errorResponse(new GatewayError('not_found', 'the dashboard is not built into this gateway: build it (npm run build) or use the management API'), 'api');
  const serve = async (path: string, fallBack: boolean): Promise<Response> => {
    if (!assets) return notBuilt();
    let file = await assets.get(path);
    // A client-side route (/dashboard/projects/p1, /dashboard/models/gpt-4.1) is the app itself; a
    // missing hashed asset, or a missing file of a type the build makes (.js, .css, .png...), is not.
    if (!file && fallBack && !path.startsWith('assets/') && !Object.hasOwn(TYPES, extensionOf(path))) {
      file = await assets.get('index.html');
      path = 'index.html';
    }
    if (!file) {
      if (path === 'index.html') return notBuilt();
      return errorResponse(new GatewayError('not_found', `no dashboard file "${path}"`), 'api');
    }
    const extension = extensionOf(path);
    return new Response(file.body, {
      headers: {
        'content-type': file.contentType ?? TYPES[extension] ?? 'application/octet-stream',
        'cache-control': path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...SECURITY_HEADERS,
      },
    });
  };
  app.get('/', (c) => c.redirect('/dashboard/', 302));
  app.get('/dashboard', (c) => c.redirect('/dashboard/', 301));
  app.get('/dashboard/*', async (c) => {
    const path = assetPath(c.req.path.slice('/dashboard/'.length));
    if (path === undefined) return errorResponse(new GatewayError('not_found', 'no such dashboard file'), 'api');
    return serve(path, true);
  });
  return app;
}
