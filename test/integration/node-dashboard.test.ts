/** The Node server serves the dashboard's build from a folder, as it will from dashboard/dist. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { folderAssets } from '../../adapters/node/assets.js';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';

let home: string;
let server: NodeServer;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-dashboard-'));
  const dist = path.join(home, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Routerly</title>');
  await writeFile(path.join(dist, 'assets', 'app-1a2b3c.js'), 'export {}');
  // A file beside the build that no dashboard path may reach.
  await writeFile(path.join(home, 'secret.txt'), 'not for the browser');
  server = await startNodeServer({ home: path.join(home, 'gw'), port: 0, logger: false, assets: folderAssets(dist) });
});
afterAll(async () => {
  await server?.close(1000);
  await rm(home, { recursive: true, force: true });
});

it('serves the build, its client-side routes and its hashed assets, and nothing beside it', async () => {
  expect(await (await fetch(`${server.url}/dashboard/usage?range=7d`)).text()).toBe('<!doctype html><title>Routerly</title>');
  const script = await fetch(`${server.url}/dashboard/assets/app-1a2b3c.js`);
  expect([script.status, script.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
  for (const escape of ['/dashboard/..%2fsecret.txt', '/dashboard/%2e%2e%2fsecret.txt', '/dashboard/assets/..%2f..%2fsecret.txt']) {
    const response = await fetch(`${server.url}${escape}`);
    expect(response.status, escape).toBe(404);
    expect(await response.text()).not.toContain('not for the browser');
  }
});

it('knows when a folder holds no build', () => {
  expect(folderAssets(path.join(home, 'nowhere'))).toBeUndefined();
});
