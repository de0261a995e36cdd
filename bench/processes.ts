// Starting and stopping the benchmark's server processes (see server-process.ts for the child side).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'mock' | 'bare' | 'gateway';
export type ChildMessage = { type: 'ready'; url: string } | { type: 'failed'; message: string };

/** The key the benchmark's mock requires, and the gateway's model is configured with. */
export const BENCH_UPSTREAM_KEY = 'sk-mock';

export interface ServerProcess {
  kind: ServerKind;
  url: string;
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
 * Forks a server process. It inherits this process's execArgv, so under tsx the child
 * loads TypeScript the same way the parent does. With BENCH_CPU_PROF_DIR set, each server
 * also writes V8 CPU profiles (one per thread) to <dir>/<kind>/ when it stops (open it in Chrome DevTools), to see
 * where a slow target spends its time.
 */
export function startServerProcess(kind: ServerKind, argument?: string): Promise<ServerProcess> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const execArgv = profileDir ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}/${kind}`] : process.execArgv;
  const child = fork(CHILD_ENTRY, argument === undefined ? [kind] : [kind, argument], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const stop = async () => {
    if (child.connected) child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(child);
    clearTimeout(timer);
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
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      resolve({ kind, url: message.url, stop });
    });
  });
}

/** Last resort for a run that has to end now (time limit, crash): kills every server still running. */
export function killAllServerProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}
