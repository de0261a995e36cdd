// Starting and stopping the benchmark's server processes (see server-process.ts for the child side).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'mock' | 'bare' | 'gateway';
export type ChildMessage = { type: 'ready'; url: string } | { type: 'failed'; message: string } | { type: 'memory'; usage: NodeJS.MemoryUsage };
/** Parent to child: `stop`, or `memory` (a full GC first, then process.memoryUsage() back as a `memory` message). */
export type ParentMessage = { type: 'stop' } | { type: 'memory' };

/** The key the benchmark's mock requires, and the gateway's model is configured with. */
export const BENCH_UPSTREAM_KEY = 'sk-mock';

export interface ServerProcess {
  kind: ServerKind;
  url: string;
  /** The child's pid: the soak reads its resident memory from /proc/<pid>/status. */
  pid: number;
  /** Runs a full GC in the child (they run with --expose-gc), then returns its process.memoryUsage(). */
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every child started and not yet stopped, so that an aborted run can still kill them all. */
const live = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Forks a server process: `mock`, `bare <upstreamUrl>`, or `gateway <home> [durable]`
 * (`durable`: the gateway runs with GatewaySettings.durableUsage, as ROUTERLY_DURABLE_USAGE=true
 * sets it for `npm start`). It inherits this process's execArgv, so under tsx the child
 * loads TypeScript the same way the parent does. With BENCH_CPU_PROF_DIR set, each server
 * also writes V8 CPU profiles (one per thread) to <dir>/<kind>/ (<dir>/gateway-durable/ for that one) when it stops (open it in Chrome DevTools), to see
 * where a slow target spends its time. Every child runs with --expose-gc, which changes nothing
 * until the parent asks for a `memory` reading (the soak does).
 */
export function startServerProcess(kind: ServerKind, ...args: string[]): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const execArgv = [...process.execArgv, '--expose-gc'];
  if (profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}/${[kind, ...args.slice(1)].join('-')}`);
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
      resolve({ kind, url: message.url, pid: child.pid!, memory, stop });
    });
  });
}

/** Last resort for a run that has to end now (time limit, crash): kills every server still running. */
export function killAllServerProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}
