// The dashboard at /dashboard, from whatever files the adapter provides: the app for client-side
// routes, hashed assets cached for a year, a strict CSP, and nothing outside its folder.

import { describe, expect, it } from 'vitest';
import { createGateway, type StaticAssets } from '../../src/index.js';
import { assetPath, DASHBOARD_CSP } from '../../src/dashboard/serve.js';
import { createMemoryStore } from '../../storage/memory.js';

const FILES: Record<string, string> = {
  'index.html': '<!doctype html><title>Routerly</title><script type="module" src="/dashboard/assets/app-3f2a1c.js"></script>',
  'assets/app-3f2a1c.js': 'console.log("app")',
  'assets/app-9b8c7d.css': 'body{}',
  'favicon.svg': '<svg/>',
};
const asked: string[] = [];
const assets: StaticAssets = {
  get: (path) => {
    asked.push(path);
    return Promise.resolve(path in FILES ? { body: FILES[path]! } : null);
  },
};
const SECRET = 'dashboard-serve-test-secret-0123456789abcdef';
const gateway = createGateway({ store: createMemoryStore(), secret: SECRET, assets });
const get = (path: string) => gateway.fetch(new Request(`http://gw.test${path}`, { redirect: 'manual' }));

describe('the dashboard', () => {
  it('is where / leads, and /dashboard ends with a slash', async () => {
    expect([(await get('/')).status, (await get('/')).headers.get('location')]).toEqual([302, '/dashboard/']);
    expect((await get('/dashboard')).headers.get('location')).toBe('/dashboard/');
  });

  it('serves the app with a strict Content-Security-Policy, revalidated on every load', async () => {
    const response = await get('/dashboard/');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FILES['index.html']);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the app for a client-side route', async () => {
    const response = await get('/dashboard/projects/prj_1/tokens');
    expect([response.status, await response.text()]).toEqual([200, FILES['index.html']]);
    // Model ids have dots: a reload of /dashboard/models/gpt-4.1 is a route, not a missing file.
    for (const route of ['/dashboard/models/gpt-4.1', '/dashboard/logs/req.abc', '/dashboard/models/x.constructor']) {
      const page = await get(route);
      expect([page.status, await page.text()], route).toEqual([200, FILES['index.html']]);
    }
  });

  it('caches hashed assets for a year, by their type', async () => {
    const script = await get('/dashboard/assets/app-3f2a1c.js');
    expect([script.status, script.headers.get('content-type'), script.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await get('/dashboard/assets/app-9b8c7d.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/dashboard/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for a missing asset or file, never the app in its place', async () => {
    expect((await get('/dashboard/assets/app-000000.js')).status).toBe(404);
    expect((await get('/dashboard/robots.txt')).status).toBe(404);
  });

  it('never asks the adapter for a path outside the dashboard', async () => {
    asked.length = 0;
    for (const path of ['/dashboard/%2e%2e/config/secret', '/dashboard/a/%2e%2e/%2e%2e/x', '/dashboard/%5c..%5csecret', '/dashboard/a%00b', '/dashboard/%ZZ']) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect(asked).toEqual([]);
    expect(assetPath('a//b')).toBeUndefined();
    expect(assetPath('assets/x.js')).toBe('assets/x.js');
  });

  it('says so when the gateway has no dashboard built in', async () => {
    const bare = createGateway({ store: createMemoryStore(), secret: SECRET });
    const response = await bare.fetch(new Request('http://gw.test/dashboard/'));
    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toContain('the dashboard is not built into this gateway');
  });
});
