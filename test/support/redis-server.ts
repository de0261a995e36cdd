/**
 * A real Redis for the tests: Debian's `redis-server` (which .ci/run installs), started on a free
 * loopback port in a throwaway folder, without persistence, and stopped with its process. Tests
 * that need Redis call `startRedisServer()` in a beforeAll; without a redis-server binary they
 * fail with a message that says how to get one (never skip silently: CI must run them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether a Redis on 127.0.0.1:`port` answers +PONG to a PING (within half a second). */
export function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.setTimeout(500, () => done(false));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'routerly-redis-'));
  // A port taken between freePort and the bind is retried with another.
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + 10_000;
    let ready = false;
    while (Date.now() < deadline) {
      const outcome = await Promise.race([
        pingRedis(port).then((ok) => (ok ? 'ready' : 'retry')),
        exited.then(() => 'exited' as const),
        spawnError.then((error) => error),
      ]);
      if (outcome instanceof Error) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`cannot start ${BINARY} (${outcome.message}): install Debian's redis-server (apt-get install redis-server) or set REDIS_SERVER`);
      }
      if (outcome === 'ready') {
        ready = true;
        break;
      }
      if (outcome === 'exited') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!ready) {
      child.kill('SIGKILL');
      if (/address already in use/i.test(stderr)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${stderr.trim() || 'no answer to PING within 10 s'}`);
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('redis-server: no free port after 5 tries');
}
