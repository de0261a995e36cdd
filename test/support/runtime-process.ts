import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayUnderTest } from '../conformance/context.js';

/**
 * Server processes (Node, Bun, Deno) as tests run them, and their console (adapters/shared/console-log.ts)
 * read from the outside. On a pipe the console writes JSON Lines; the start banner is the line
 * with `"event":"started"`.
 */

/** The gateway URL from the start banner in `stderr`, or undefined while there is none. */
export function startedUrl(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"started"')) continue;
    try {
      const entry = JSON.parse(line) as { event?: unknown; url?: unknown };
      if (entry.event === 'started' && typeof entry.url === 'string') return entry.url;
    } catch {
      // Not a JSON line (or not a whole one yet).
    }
  }
  return undefined;
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUN = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
export const DENO = path.join(REPO_ROOT, 'node_modules', '.bin', 'deno');
/** The permissions `npm run start:deno` grants, and no more. */
export const DENO_RUN = ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-write'];

export interface ServerProcess {
  url: string;
  home: string;
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from the spawn until the start banner. */
  bootMs: number;
  /** SIGTERM, the exit awaited (SIGKILL after `timeoutMs`), and the temp home removed. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Spawns a server process (`bun adapters/bun/main.ts`, the deno command, ...) in the repository
 * with a temp ROUTERLY_HOME, a port of the system's choosing and no other ROUTERLY_ variable
 * than `env` sets, and resolves once its start banner names its URL.
 */
export async function startServerProcess(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-runtime-'));
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ROUTERLY_') && name !== 'PORT'));
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...base, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ROUTERLY_HOME: home, ROUTERLY_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const removeHome = () => rm(home, { recursive: true, force: true });
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start banner within ${timeoutMs} ms: ${stderr.slice(0, 2000)}`)), timeoutMs);
      const check = () => {
        const found = startedUrl(stderr);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stderr!.on('data', check);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${path.basename(command)} exited (${code ?? signal}) before its start banner: ${stderr.slice(0, 2000)}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await removeHome();
    throw error;
  }
  return {
    url,
    home,
    child,
    stderr: () => stderr,
    exited,
    bootMs: Math.round(performance.now() - started),
    async close(closeTimeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), closeTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      await removeHome();
    },
  };
}

/**
 * A server process started from a test clock entry (test/support/clock-entry.ts) as the
 * conformance suite drives it: its URL, the route that moves its clock, and its stop.
 */
export async function startClockedGateway(command: string, args: string[], maxBodyBytes: number): Promise<GatewayUnderTest> {
  const server = await startServerProcess(command, args, { ROUTERLY_MAX_BODY_BYTES: String(maxBodyBytes) });
  return {
    url: server.url,
    async setClock(offsetMs: number) {
      const response = await fetch(`${server.url}/__test/clock`, { method: 'POST', body: String(offsetMs) });
      if (response.status !== 204) throw new Error(`setting the gateway's clock: ${response.status}`);
    },
    close: () => server.close(),
  };
}
