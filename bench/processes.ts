// Starting and stopping the benchmark's server processes (see server-process.ts for the child side).
// The Node ones are forked (server-process.ts); the Bun ones (startBunProcess) are spawned with
// the repository's Bun: the gateway from its own entry (adapters/bun/main.ts, as npm run
// start:bun runs it), the bare proxy from bun-bare-proxy.ts.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { staleBuild } from '../scripts/build-freshness.mjs';

export type ServerKind = 'mock' | 'bare' | 'gateway' | 'gateway-redis' | 'bun-bare' | 'bun-gateway';
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'memory'; usage: NodeJS.MemoryUsage }
  | { type: 'allocating' }
  | { type: 'allocated'; bytes: number };
/**
 * Parent to child: `stop`; `memory` (two full GCs half a second apart first, then
 * process.memoryUsage() back as a `memory` message: server-process.ts settledMemory);
 * `allocation-start` and `allocation-stop` (V8's sampling heap profiler, collected objects
 * included: the bytes allocated in between come back as `allocated`).
 */
export type ParentMessage = { type: 'stop' } | { type: 'memory' } | { type: 'allocation-start' } | { type: 'allocation-stop' };

/** The key the benchmark's mock requires, and the gateway's model is configured with. */
export const BENCH_UPSTREAM_KEY = 'sk-mock';

export interface ServerProcess {
  kind: ServerKind;
  url: string;
  /** The child's pid: the soak reads its resident memory from /proc/<pid>/status, cpu.ts its CPU time. */
  pid: number;
  /** Lets the child give back what it no longer holds (two full GCs: server-process.ts settledMemory), then returns its process.memoryUsage(). Node children only. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** The bytes the child allocates (garbage included) while `work` runs. Node children only. */
  allocation(work: () => Promise<void>): Promise<number>;
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The repository's Bun (the `bun` dev dependency), as npm run start:bun and the Bun tests use it. */
export const BUN_BINARY = fileURLToPath(new URL('../node_modules/.bin/bun', import.meta.url));
const BUN_GATEWAY_ENTRY = fileURLToPath(new URL('../adapters/bun/main.ts', import.meta.url));
const BUN_BARE_ENTRY = fileURLToPath(new URL('./bun-bare-proxy.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Why the Node gateways the bench starts (server-process.ts, `shipped`) would not run the
 * sources as they are: dist/ missing, or older than a source file. npm run bench builds it
 * first; `npx tsx bench/run.ts` alone stops on a dist/ that is missing or stale.
 */
export function shippedBuildProblem(): string | undefined {
  // What dist/ is compiled from for the servers (tsconfig.build.json, less the CLI).
  const stale = staleBuild('dist/adapters/node/server.js', ['src', 'storage', 'adapters/node', 'adapters/shared']);
  return stale === undefined ? undefined : `${stale}: run npm run build:lib (npm run bench does)`;
}

/** Every child started and not yet stopped, so that an aborted run can still kill them all. */
const live = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Forks a server process: `mock`, `bare <upstreamUrl>`, `gateway <home> [durable]`
 * (`durable`: the gateway runs with GatewaySettings.durableUsage, as ROUTERLY_DURABLE_USAGE=true
 * sets it for `npm start`), or `gateway-redis <redisUrl> <secret> <prefix>` (a node on a shared
 * Redis, as ROUTERLY_REDIS_URL, ROUTERLY_SECRET and ROUTERLY_REDIS_PREFIX start one). It
 * inherits this process's execArgv, so under tsx the child loads TypeScript the same way the
 * parent does. With BENCH_CPU_PROF_DIR set, each server
 * also writes V8 CPU profiles (one per thread) to <dir>/<kind>/ (<dir>/gateway-durable/ for that one) when it stops (open it in Chrome DevTools), to see
 * where a slow target spends its time. Every child runs with --expose-gc, which changes nothing
 * until the parent asks for a `memory` reading (the soak does).
 */
export function startServerProcess(kind: ServerKind, ...args: string[]): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const execArgv = [...process.execArgv, '--expose-gc'];
  // The Redis nodes share <dir>/gateway-redis/ (the profiles are named by pid): their arguments hold the secret.
  const profileName = kind === 'gateway-redis' ? kind : [kind, ...args.slice(1)].join('-');
  if (profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}/${profileName}`);
  const child = fork(CHILD_ENTRY, [kind, ...args], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const send = (message: ParentMessage) => child.send(message);
  const stop = async () => {
    if (child.connected) send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(timer);
  };

  const memory = () =>
    new Promise<NodeJS.MemoryUsage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server: no memory reading within ${STOP_TIMEOUT_MS} ms`)), STOP_TIMEOUT_MS);
      const listener = (message: ChildMessage) => {
        if (message.type !== 'memory') return;
        clearTimeout(timer);
        child.off('message', listener);
        resolve(message.usage);
      };
      child.on('message', listener);
      send({ type: 'memory' });
    });

  /** The next message of `type` from the child, after sending `message`. */
  const ask = <T extends ChildMessage['type']>(message: ParentMessage, type: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server: no ${type} answer within ${STOP_TIMEOUT_MS} ms`)), STOP_TIMEOUT_MS);
      const listener = (answer: ChildMessage) => {
        if (answer.type !== type) return;
        clearTimeout(timer);
        child.off('message', listener);
        resolve(answer as Extract<ChildMessage, { type: T }>);
      };
      child.on('message', listener);
      send(message);
    });
  const allocation = async (work: () => Promise<void>) => {
    await ask({ type: 'allocation-start' }, 'allocating');
    await work();
    return (await ask({ type: 'allocation-stop' }, 'allocated')).bytes;
  };

  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${kind} server: ${message}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`exited with code ${code} before it was ready`));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') return fail(message.message);
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      resolve({ kind, url: message.url, pid: child.pid!, memory, allocation, stop });
    });
  });
}

/** Why the Bun rows cannot run here, or undefined when they can. */
export function bunUnavailable(): string | undefined {
  return existsSync(BUN_BINARY) ? undefined : `no Bun at ${BUN_BINARY} (npm install)`;
}

/** A port free right now on 127.0.0.1 (the Bun gateway is told its port: its banner is silenced with the call lines). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a Bun server: `bun-gateway <home>` runs adapters/bun/main.ts with ROUTERLY_HOME=<home>
 * on a free port; `bun-bare <upstreamUrl>` runs bun-bare-proxy.ts, which prints its URL.
 *
 * The gateway runs with ROUTERLY_LOG_LEVEL=warn: at the default level it writes a line per call
 * to stderr, which the Node gateway of the bench (logger: false) does not do; a warning or an
 * error still shows. Its start banner goes with the call lines, so it is told its port
 * (ROUTERLY_PORT) and is ready when GET /api/setup answers. Its stderr is passed through.
 */
export async function startBunProcess(kind: 'bun-gateway' | 'bun-bare', argument: string): Promise<ServerProcess> {
  const port = kind === 'bun-gateway' ? await freePort() : 0;
  const args = kind === 'bun-gateway' ? [BUN_GATEWAY_ENTRY] : [BUN_BARE_ENTRY, argument];
  const env: NodeJS.ProcessEnv =
    kind === 'bun-gateway'
      ? { ...process.env, ROUTERLY_HOME: argument, ROUTERLY_HOST: '127.0.0.1', ROUTERLY_PORT: String(port), ROUTERLY_LOG_LEVEL: 'warn', ROUTERLY_LOG_FORMAT: 'json' }
      : process.env;
  const child = spawn(BUN_BINARY, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString('utf8');
    process.stderr.write(chunk);
  });
  let stdout = '';
  const announced = new Promise<string>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((text) => text.includes('"event":"started"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(timer);
  };
  const memory = () => Promise.reject(new Error(`${kind} server: no memory reading from a Bun process`));
  const failed = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server: exited with code ${code} before it was ready\n${stderr.trim()}`)));
    child.once('error', (error) => reject(new Error(`${kind} server: ${error.message}`)));
  });
  failed.catch(() => undefined);
  let waiting = true;
  const ready = async (): Promise<string> => {
    if (kind === 'bun-bare') return announced;
    const url = `http://127.0.0.1:${port}`;
    while (waiting) {
      try {
        const response = await fetch(`${url}/api/setup`);
        await response.arrayBuffer();
        if (response.ok) return url;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return url;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${kind} server: not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)));
  try {
    const url = await Promise.race([ready(), failed, timeout]);
    const allocation = () => Promise.reject(new Error(`${kind}: allocation is measured on Node children only`));
    return { kind, url, pid: child.pid!, memory, allocation, stop };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    waiting = false;
    clearTimeout(timer);
  }
}

/** Last resort for a run that has to end now (time limit, crash): kills every server still running. */
export function killAllServerProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}
