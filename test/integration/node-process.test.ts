// `npm start` as an operator or a supervisor runs it: a real npm process, signalled by its
// own pid. The Node tests next door start the server in-process or spawn node directly, which
// is how a shell in between (npm runs scripts through `sh -c`) went unnoticed.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, createModel, createProject } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startedUrl } from '../support/runtime-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROVIDER_KEY = 'sk-upstream-node-process-1234';
const isRoot = process.getuid?.() === 0;

const homes: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'routerly-proc-'));
  homes.push(dir);
  return dir;
}

interface Started {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr: () => string;
  /** The started process (npm, or node) has exited; a grandchild may still hold stderr open. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Exited and stderr fully read. */
  closed: Promise<void>;
}

const spawned: ChildProcess[] = [];

/**
 * `npm start` (or, for speed, the server's own entry under tsx, as npm start runs the sources) with a clean Routerly environment, in
 * its own process group (pgid = its pid): the group shows whether anything outlived npm, and
 * lets cleanup kill all of it.
 */
function npmStart(env: Record<string, string>, options: { uid?: number; gid?: number; via?: 'npm' | 'node' } = {}): Started {
  const { via = 'npm', ...ids } = options;
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ROUTERLY_') && name !== 'PORT'));
  const [command, args] = via === 'npm' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'adapters/node/main.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...base, npm_config_update_notifier: 'false', ROUTERLY_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    ...ids,
  });
  spawned.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, stderr: () => stderr, exited, closed };
}

/** True while any process is left in the group npm started (npm itself, sh, node, esbuild). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `promise`, or a rejection naming `what` after `ms`: a process that ignores a signal fails the test quickly. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function listeningUrl(started: Started): Promise<string> {
  await expect.poll(() => startedUrl(started.stderr()), { timeout: 20_000, interval: 50 }).toBeTruthy();
  return startedUrl(started.stderr())!;
}

async function healthStatus(url: string): Promise<number | 'refused'> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 'refused';
  }
}

/** Kills every process group started so far: whatever a failed test left behind goes, orphans included. */
function killSpawned(): void {
  for (const child of spawned.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

afterAll(async () => {
  killSpawned();
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

describe.skipIf(process.platform === 'win32')('npm start: signals to the npm process', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ openaiKey: PROVIDER_KEY });
  });
  afterAll(async () => {
    await mock.close();
  });
  // These tests run one at a time (the table below runs concurrently and is cleaned up after all).
  afterEach(killSpawned);

  it('SIGTERM to npm drains the stream in flight, then the server and npm exit 0 and nothing is left', async () => {
    const started = npmStart({ ROUTERLY_HOME: await tempDir(), ROUTERLY_SHUTDOWN_GRACE_MS: '10000' });
    const url = await listeningUrl(started);
    expect(await healthStatus(url)).toBe(200);

    const admin = await adminClient(url);
    await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY });
    const project = await createProject(admin, 'p', ['gpt']);
    mock.reset();
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 100, chunks: 5 });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();

    started.child.kill('SIGTERM'); // npm's pid: what a supervisor or a plain `kill` signals
    await expect.poll(() => started.stderr(), { timeout: 5_000, interval: 50 }).toContain('SIGTERM: finishing requests in flight');
    expect(await healthStatus(url)).toBe('refused');

    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest.trimEnd().endsWith('data: [DONE]')).toBe(true);

    expect(await within(started.exited, 5_000, 'npm exit')).toEqual({ code: 0, signal: null });
    await expect.poll(() => groupAlive(started.child.pid!), { timeout: 5_000, interval: 50 }).toBe(false);
    expect(await healthStatus(url)).toBe('refused');
  });

  it('SIGINT to npm stops the server too', async () => {
    const started = npmStart({ ROUTERLY_HOME: await tempDir() });
    const url = await listeningUrl(started);
    expect(await healthStatus(url)).toBe(200);

    started.child.kill('SIGINT');
    expect(await within(started.exited, 5_000, 'npm exit after SIGINT')).toEqual({ code: 0, signal: null });
    await expect.poll(() => started.stderr(), { timeout: 2_000, interval: 50 }).toContain('SIGINT: finishing requests in flight');
    await expect.poll(() => groupAlive(started.child.pid!), { timeout: 5_000, interval: 50 }).toBe(false);
    expect(await healthStatus(url)).toBe('refused');
  });
});

describe.skipIf(process.platform === 'win32')('npm start: a configuration mistake is one line and exit code 1', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  interface Mistake {
    name: string;
    /** Builds the environment in a fresh temp dir. */
    env: (dir: string) => Promise<Record<string, string>> | Record<string, string>;
    /** What the line must say (the variable or file, and what is wrong). */
    says: RegExp;
    spawnAs?: { uid: number; gid: number };
    /** Most run the server's entry under tsx (half the CPU); a few go through npm itself, which must add nothing. */
    viaNpm?: boolean;
  }
  const mistakes: Mistake[] = [
    { name: 'ROUTERLY_PORT=abc', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_PORT: 'abc' }), says: /ROUTERLY_PORT must be a port number from 0 to 65535, got "abc"/, viaNpm: true },
    { name: 'ROUTERLY_PORT=70000', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_PORT: '70000' }), says: /ROUTERLY_PORT must be a port number .*"70000"/ },
    { name: 'ROUTERLY_PORT=-1', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_PORT: '-1' }), says: /ROUTERLY_PORT must be a port number .*"-1"/ },
    { name: 'PORT=x', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_PORT: '', PORT: 'x' }), says: /^Routerly could not start: PORT must be a port number .*"x"/ },
    { name: 'port in use', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_PORT: String(busyPort) }), says: /ROUTERLY_PORT \d+: 127\.0\.0\.1:\d+ is already in use/, viaNpm: true },
    { name: 'ROUTERLY_HOST not on this machine', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_HOST: '192.0.2.1' }), says: /ROUTERLY_HOST "192\.0\.2\.1" is not an address of this machine/ },
    { name: 'ROUTERLY_MAX_BODY_BYTES=x', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_MAX_BODY_BYTES: 'x' }), says: /ROUTERLY_MAX_BODY_BYTES must be a whole number of bytes/ },
    { name: 'ROUTERLY_SHUTDOWN_GRACE_MS=x', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_SHUTDOWN_GRACE_MS: 'x' }), says: /ROUTERLY_SHUTDOWN_GRACE_MS must be a whole number of milliseconds/ },
    { name: 'ROUTERLY_SESSION_TTL_SECONDS=0', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_SESSION_TTL_SECONDS: '0' }), says: /ROUTERLY_SESSION_TTL_SECONDS must be a whole number of seconds, at least 1/ },
    { name: 'short ROUTERLY_SECRET', env: (dir) => ({ ROUTERLY_HOME: dir, ROUTERLY_SECRET: 'too-short' }), says: /ROUTERLY_SECRET must be at least 32 characters/ },
    {
      name: 'short secret file',
      env: async (dir) => {
        await mkdir(path.join(dir, 'config'));
        await writeFile(path.join(dir, 'config', 'secret'), 'short\n');
        return { ROUTERLY_HOME: dir };
      },
      says: /secret file .*config\/secret must hold at least 32 characters/,
    },
    { name: 'ROUTERLY_HOME through a file', env: async (dir) => (await writeFile(path.join(dir, 'file'), ''), { ROUTERLY_HOME: path.join(dir, 'file', 'home') }), says: /ROUTERLY_HOME .* cannot be created: ENOTDIR/ },
    {
      name: 'unwritable ROUTERLY_HOME',
      env: async (dir) => {
        const home = path.join(dir, 'home');
        await mkdir(home);
        await chmod(home, 0o555);
        if (isRoot) await chmod(dir, 0o777); // npm's cache and logs go to HOME=dir
        return { ROUTERLY_HOME: home, HOME: dir, ROUTERLY_SECRET: 'a'.repeat(32) };
      },
      says: /ROUTERLY_HOME .*home is not writable: cannot create files in .*home \(EACCES\)/,
      // Root writes anywhere: run this one as nobody.
      ...(isRoot ? { spawnAs: { uid: 65534, gid: 65534 } } : {}),
    },
    {
      name: 'corrupt config/models.json',
      env: async (dir) => {
        await mkdir(path.join(dir, 'config'));
        await writeFile(path.join(dir, 'config', 'models.json'), '{"not json');
        return { ROUTERLY_HOME: dir };
      },
      says: /config\/models\.json is not valid JSON/,
      viaNpm: true,
    },
    {
      name: 'config/models.json of the wrong shape (a multi-line reason)',
      env: async (dir) => {
        await mkdir(path.join(dir, 'config'));
        await writeFile(path.join(dir, 'config', 'models.json'), '[1, 2]');
        return { ROUTERLY_HOME: dir };
      },
      says: /config\/models\.json is invalid/,
    },
  ];

  it.concurrent.each(mistakes)('$name', async ({ env, says, spawnAs, viaNpm }) => {
    const started = npmStart(await env(await tempDir()), { ...spawnAs, via: viaNpm ? 'npm' : 'node' });
    const { code } = await started.exited;
    await started.closed;
    const stderr = started.stderr();
    expect(code, stderr).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^Routerly could not start: /);
    expect(lines[0]).toMatch(says);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
