/**
 * The tarball `npm pack` makes: what it holds, and that installed into an empty folder
 * (`npm install <tgz> --omit=dev`, dependencies from the registry) it provides the `routerly`
 * command, which starts a gateway serving the built dashboard and stops cleanly on SIGTERM, and
 * entry points that Node's own resolution finds (and no others).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installPackedPackage, packedFileList, removeTempFolders, REPO_ROOT, tempFolder } from '../support/pack.js';
import { cleanEnv, freePort, runCommand, startServer } from './processes.js';

let files: string[];
let consumer: string;
let routerly: string;

beforeAll(async () => {
  [files, consumer] = await Promise.all([packedFileList(), installPackedPackage('routerly-packed-')]);
  routerly = path.join(consumer, 'node_modules', '.bin', 'routerly');
}, 180_000);
afterAll(removeTempFolders);

it('holds the built code, its declarations, the dashboard and the docs, and nothing else', async () => {
  const allowed = [/^dist\/(src|storage|adapters\/node|adapters\/shared|cli)\/.+\.(js|d\.ts)$/, /^dashboard\/dist\/.+/, /^(README\.md|LICENSE|package\.json)$/];
  const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
  expect(unexpected, 'files the tarball should not hold (from a stale dist/? npm pack empties it first, see prepack)').toEqual([]);
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'dashboard/dist/index.html', 'dist/cli/main.js', 'dist/adapters/node/server.d.ts']) {
    expect(files).toContain(needed);
  }
  // Every entry point of package.json, both its code and its declarations, is in the tarball.
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    exports: Record<string, string | { types: string; default: string }>;
  };
  const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default]));
  for (const target of [...targets, ...Object.values(manifest.bin)]) expect(files).toContain(target.replace(/^\.\//, ''));
  // No source maps (tsconfig.build.json says why), no tests, no TypeScript sources.
  expect(files.filter((file) => file.endsWith('.map') || file.startsWith('test') || /(?<!\.d)\.ts$/.test(file))).toEqual([]);
});

it('exposes its entry points to Node, and only those', async () => {
  const script = `
    const entries = {
      core: await import('routerly'),
      files: await import('routerly/storage/files'),
      kv: await import('routerly/storage/kv'),
      memory: await import('routerly/storage/memory'),
      node: await import('routerly/node'),
    };
    const names = Object.fromEntries(Object.entries(entries).map(([name, module]) => [name, Object.keys(module)]));
    let deep;
    try { await import('routerly/dist/src/gateway.js'); deep = 'imported'; } catch (error) { deep = error.code; }
    console.log(JSON.stringify({ names, deep }));
  `;
  const result = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
  expect(result.stderr).toBe('');
  const { names, deep } = JSON.parse(result.stdout) as { names: Record<string, string[]>; deep: string };
  expect(names.core).toEqual(expect.arrayContaining(['createGateway', 'backfillRollups']));
  expect(names.files).toContain('createFileStore');
  expect(names.kv).toContain('createKvStore');
  expect(names.memory).toContain('createMemoryStore');
  expect(names.node).toContain('startNodeServer');
  expect(deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

it('installs a routerly command that answers --help', async () => {
  const result = await runCommand(routerly, ['--help'], { cwd: consumer, env: cleanEnv({}) });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/Usage: routerly/);
  expect(result.stdout).toMatch(/\bstart\b/);
});

it('starts a gateway with routerly start that serves /health and the dashboard, and stops on SIGTERM', async () => {
  const home = await tempFolder('routerly-packed-home-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(routerly, ['start'], {
    cwd: consumer,
    env: cleanEnv({ ROUTERLY_HOME: home, ROUTERLY_PORT: String(port), ROUTERLY_LOG_FORMAT: 'json' }),
    ready: new RegExp(`127\\.0\\.0\\.1:${port}`),
    url,
  });
  try {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const dashboard = await fetch(`${url}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toMatch(/^text\/html/);
    // The installed package's own build, not a 404 saying there is none.
    expect(await dashboard.text()).toBe(await readFile(path.join(consumer, 'node_modules', 'routerly', 'dashboard', 'dist', 'index.html'), 'utf8'));
  } finally {
    expect(await server.stop()).toBe(0);
  }
  expect(server.output()).not.toMatch(/\n\s+at /); // no stack trace on the way
});
