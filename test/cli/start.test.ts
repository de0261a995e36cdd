/**
 * `routerly start` runs the gateway in the CLI's own process (no wrapper between a supervisor's
 * signal and the server): it serves on the given port with the given home, and SIGTERM drains
 * and exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN } from './run-cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

it('serves on --port with data in --home, and exits 0 on SIGTERM', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'routerly-cli-start-'));
  dirs.push(home);
  const data = path.join(home, 'gateway');
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(port), '--home', data], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ROUTERLY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    let health: Response | undefined;
    for (let i = 0; i < 200 && !health; i += 1) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(health?.status, output).toBe(200);
    expect(await health!.json()).toEqual({ status: 'ok' });
    // The first-run answer comes from this home: no user yet.
    expect(await (await fetch(`http://127.0.0.1:${port}/api/setup`)).json()).toEqual({ needed: true });
    expect(await readdir(data)).toContain('config');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  } finally {
    child.kill('SIGKILL');
  }
});

it('a bad --port is a usage error (exit 2) and starts nothing', async () => {
  const child = spawn(process.execPath, [BIN, 'start', '--port', 'http'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(2);
  expect(stderr).toBe("routerly: option '--port <port>' argument 'http' is invalid. a whole number from 0 to 65535\n");
});
