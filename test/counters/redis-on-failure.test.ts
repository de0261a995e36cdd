/**
 * ROUTERLY_REDIS_COUNTERS_ON_FAILURE=open (storage/redis/counters-on-failure.ts) against a real
 * redis-server that goes away and comes back on its port: calls are admitted while it is gone,
 * the outage is logged once (not per call), counting resumes when it is back, and what is not an
 * outage (a malformed argument) still rejects. Closed, the default, is the Redis counters as they
 * are: they reject, and the gateway answers 503 (src/limits/call-limits.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplyError } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { CounterEntry } from '../../src/counters/port.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { countersFailingOpen, isUnreachable } from '../../storage/redis/counters-on-failure.js';
import { createRedisCounters } from '../../storage/redis/counters.js';
import { startRedisServer } from '../support/redis-server.js';

const T0 = 1_750_000_000_000;
const entry = (key: string, amount: number, limit?: number): CounterEntry => (limit === undefined ? { key, amount, expiresAt: T0 + 60_000 } : { key, amount, limit, expiresAt: T0 + 60_000 });
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error') } };
}

/** redis-server again on `port` (the helper's server was stopped there): Redis coming back. */
async function restartOn(port: number, client: RedisClient): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'routerly-redis-back-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 10_000;
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new Error('the client did not reconnect within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Redis counters failing open', () => {
  it('admits calls while Redis is gone, says so once, and counts again once it is back', async () => {
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    const client = createRedisClient(server.url);
    // The gateway listens for errors (adapters/shared/redis-gateway.ts); without a listener ioredis prints each.
    client.on('error', () => undefined);
    cleanups.push(() => client.disconnect());
    await connectRedis(client);
    const { lines, logger } = recordingLogger();
    const counters = countersFailingOpen(createRedisCounters(client, { prefix: 'open:' }), logger);
    expect(counters.durable).toBe(false);
    expect(await counters.reserve([entry('rpm', 1, 1)], T0)).toEqual({ ok: true, values: [1] });
    // At the limit: refused, as always while Redis answers.
    expect((await counters.reserve([entry('rpm', 1, 1)], T0)).ok).toBe(false);

    await server.stop();
    for (let i = 0; i < 50; i++) {
      // Over the limit, yet admitted: nothing can be counted. Values read as if every counter started at 0.
      expect(await counters.reserve([entry('rpm', 1, 1), entry('usd', 5, 100), entry('usd', 2, 100)], T0)).toEqual({ ok: true, values: [1, 5, 7] });
      expect(await counters.read(['rpm', 'usd'], T0)).toEqual([0, 0]);
      expect(await counters.add([entry('usd', -3)], T0)).toEqual([-3]);
      expect(await counters.initialize([entry('usd', 9)], T0)).toEqual([9]);
    }
    expect(lines).toEqual(['error: Redis is out of reach: budgets and rate limits are not counted until it answers (ROUTERLY_REDIS_COUNTERS_ON_FAILURE=open)']);

    // A malformed argument is the caller's mistake, not an outage: it still rejects.
    await expect(counters.reserve([entry('', 1)], T0)).rejects.toThrow();

    await restartOn(server.port, client);
    // Back on an empty server (no persistence): counting starts over, and the return is said once.
    expect(await counters.reserve([entry('rpm', 1, 1)], T0)).toEqual({ ok: true, values: [1] });
    expect((await counters.reserve([entry('rpm', 1, 1)], T0)).ok).toBe(false);
    expect(lines.slice(1)).toEqual(['info: Redis answers again: budgets and rate limits are counted again']);
  });

  it('opens only on an outage: what Redis answered with (a script error), or a bad argument, still rejects', () => {
    expect(isUnreachable(new Error('Connection is closed.'))).toBe(true);
    expect(isUnreachable(new Error('Command timed out'))).toBe(true);
    expect(isUnreachable(new (ReplyError as new (message: string) => Error)('ERR Error running script'))).toBe(false);
    expect(isUnreachable(new RangeError('amount must be finite'))).toBe(false);
    expect(isUnreachable(new TypeError('key must be a string'))).toBe(false);
  });
});
