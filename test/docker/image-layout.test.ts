/**
 * The Docker image's layout, rebuilt in a temp folder by following the Dockerfile (image-steps.ts),
 * then run as the image runs it: the runtime stage's CMD with its ENV (ROUTERLY_HOME a temp folder
 * instead of /data, a free port), its HEALTHCHECK command, and a stop by SIGTERM.
 * No Docker engine runs here; this is what can be checked without one.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPaths, parseDockerfile, type Stage } from './dockerfile.js';
import { DEFAULT_DRAIN_GRACE_MS } from './dockerfile-rules.js';
import { readRepoDockerignore } from './dockerignore.js';
import { reproduceStages, stageEnv, type StepLog } from './image-steps.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const file = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = file.stages.at(-1)!;
/** Dev dependencies that must never reach the image (package.json's and the lock file's dev flags are checked too). */
const DEV_ONLY = ['vitest', 'tsx', 'typescript', 'vite'];

let work: string;
let app: string;
let home: string;
let port: number;
let server: ChildProcess | undefined;
let output = '';
let exited: Promise<{ code: number | null; signal: string | null }>;
const steps: StepLog[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

/** argv[0] `node` is this Node: the one the image pins is the one the tests run (dockerfile-rules). */
const argvOf = (args: readonly string[]) => [args[0] === 'node' ? process.execPath : args[0]!, ...args.slice(1)];

/** The image's HEALTHCHECK command, run as Docker runs it; resolves to its exit code. */
function healthcheck(stage: Stage): Promise<number> {
  const check = stage.instructions.findLast((i) => i.keyword === 'HEALTHCHECK')!;
  const [command, ...args] = argvOf(check.args);
  const timeoutMs = Number(/^(\d+)s$/.exec(check.flags.timeout ?? '30s')?.[1] ?? 30) * 1000;
  return new Promise((resolve) => {
    execFile(command!, args, { cwd: app, env: stageEnv(stage, { ROUTERLY_PORT: String(port) }), timeout: timeoutMs }, (error) =>
      resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
    );
  });
}

async function waitForHealth(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return response;
    } catch {
      // Not listening yet.
    }
    if (server?.exitCode !== null || Date.now() > deadline) throw new Error(`the image's CMD did not become healthy:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every file below `dir` (relative), node_modules left out. */
function filesOutsideNodeModules(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesOutsideNodeModules(dir, rel) : [rel];
  });
}

/** Installed package folders (node_modules/x, node_modules/@s/x), as lock file keys. */
function installedPackages(dir: string): string[] {
  const modules = path.join(dir, 'node_modules');
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(modules, name)).map((inner) => `node_modules/${name}/${inner}`) : [`node_modules/${name}`]));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'routerly-image-'));
  home = path.join(work, 'data');
  const { dirs, log } = await reproduceStages({ file, root: ROOT, ignore: readRepoDockerignore(ROOT), work, runTimeoutMs: 240_000 });
  steps.push(...log);
  app = dirs.get(runtime)!;
  port = await freePort();
  const cmd = runtime.instructions.findLast((i) => i.keyword === 'CMD')!;
  const [command, ...args] = argvOf(cmd.args);
  server = spawn(command!, args, { cwd: app, env: stageEnv(runtime, { ROUTERLY_HOME: home, ROUTERLY_PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const child = server;
  exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}, 400_000);

afterAll(() => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the image, rebuilt from the Dockerfile in a folder', () => {
  it('followed every RUN line (standing in only for the build npm ci and the data folder)', () => {
    expect(steps.filter((step) => step.action !== 'ran').map((step) => step.action)).toEqual([
      "linked the repository's node_modules",
      `skipped: ${runtime.env.ROUTERLY_HOME} is a temp folder here`,
    ]);
  });

  it('serves /health with 200 once ready', async () => {
    const response = await waitForHealth(`http://127.0.0.1:${port}/health`, 20_000);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves the dashboard it was built with', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/dashboard/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe(readFileSync(path.join(app, 'dashboard/dist/index.html'), 'utf8'));
  });

  it('wrote its data to ROUTERLY_HOME, nothing into the app folder', () => {
    expect(existsSync(path.join(home, 'config'))).toBe(true);
    // What the COPY lines put there and what npm ci installed, nothing more (no home, no cache).
    const copied = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => {
        const { sources, dest } = copyPaths(i, runtime);
        const target = path.posix.relative(runtime.workdir, path.posix.resolve(runtime.workdir, dest));
        return target === '' ? sources.map((source) => path.posix.basename(source)) : [target.split('/')[0]!];
      });
    expect(readdirSync(app).sort()).toEqual([...new Set([...copied, 'node_modules'])].sort());
  });

  it('holds no dev dependency', () => {
    const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const installed = installedPackages(app);
    expect(installed.length).toBeGreaterThan(0);
    for (const name of DEV_ONLY) expect(installed, name).not.toContain(`node_modules/${name}`);
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(installed.filter((key) => key.slice('node_modules/'.length) in manifest.devDependencies)).toEqual([]);
    expect(installed.filter((key) => lock.packages[key]?.dev === true)).toEqual([]);
    expect(existsSync(path.join(app, 'node_modules/.bin/tsc'))).toBe(false);
  });

  it('holds no sources: JavaScript, declarations and the built dashboard only', () => {
    const files = filesOutsideNodeModules(app);
    expect(files.filter((rel) => /\.(ts|tsx|mts|cts)$/.test(rel) && !/\.d\.[mc]?ts$/.test(rel))).toEqual([]);
    expect(files.filter((rel) => /(^|\/)(tsconfig[^/]*\.json|vite\.config\.[jt]s)$/.test(rel))).toEqual([]);
    expect(readdirSync(path.join(app, 'dashboard'))).toEqual(['dist']);
    expect(existsSync(path.join(app, 'dist/cli/main.js'))).toBe(true);
  });

  it("answers the image's HEALTHCHECK command with exit code 0", async () => {
    expect(await healthcheck(runtime)).toBe(0);
  });

  it('drains on SIGTERM and exits 0 within the grace, then fails the HEALTHCHECK', async () => {
    const started = Date.now();
    server!.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(DEFAULT_DRAIN_GRACE_MS);
    expect(await healthcheck(runtime)).not.toBe(0);
  }, DEFAULT_DRAIN_GRACE_MS + 10_000);
});
