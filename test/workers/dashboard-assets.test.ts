// The dashboard on Workers: wrangler.toml's [assets] binding serves the build through the core's
// /dashboard handler (run_worker_first), with its CSP, cache headers and client-side routes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../src/dashboard/serve.js';
import { startWorkerdGateway, type WorkerdGateway } from '../support/workerd.js';

const INDEX = '<!doctype html><title>Routerly</title>';

describe('the dashboard in workerd', () => {
  let dist: string;
  let empty: string;
  let built: WorkerdGateway;
  let unbuilt: WorkerdGateway;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(tmpdir(), 'routerly-dist-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'index.html'), INDEX);
    await writeFile(path.join(dist, 'assets', 'app-1a2b3c.js'), 'export {}');
    empty = await mkdtemp(path.join(tmpdir(), 'routerly-nodist-'));
    [built, unbuilt] = await Promise.all([startWorkerdGateway({ assetsDir: dist }), startWorkerdGateway({ assetsDir: empty })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([built?.close(), unbuilt?.close()]);
    await Promise.all([rm(dist, { recursive: true, force: true }), rm(empty, { recursive: true, force: true })]);
  });

  it('serves the app, its client-side routes and its hashed assets through the core', async () => {
    for (const route of ['/dashboard/', '/dashboard/index.html', '/dashboard/projects/p1']) {
      const page = await fetch(`${built.url}${route}`);
      expect([page.status, await page.text()], route).toEqual([200, INDEX]);
      expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(page.headers.get('cache-control')).toBe('no-cache');
    }
    const script = await fetch(`${built.url}/dashboard/assets/app-1a2b3c.js`);
    expect([script.status, script.headers.get('cache-control'), await script.text()]).toEqual([200, 'public, max-age=31536000, immutable', 'export {}']);
    const missing = await fetch(`${built.url}/dashboard/assets/gone.js`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
  });

  it('leaves every other path to the gateway: the build is not served at the root', async () => {
    const root = await fetch(`${built.url}/index.html`, { redirect: 'manual' });
    expect(root.status).toBe(404);
    expect(await root.text()).not.toContain('<title>Routerly</title>');
    expect((await fetch(`${built.url}/health`)).status).toBe(200);
  });

  it('starts without a build, and says so at /dashboard', async () => {
    const page = await fetch(`${unbuilt.url}/dashboard/`);
    expect(page.status).toBe(404);
    expect(((await page.json()) as { error: { message: string } }).error.message).toMatch(/not built/);
  });
});
