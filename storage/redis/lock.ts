/**
 * A lock across the gateway nodes sharing one Redis, for the rare writes that must not interleave
 * (a config change, the one-time backfill of usage rollups): SET NX with an expiry and a token of
 * its own, released by a script that deletes the key only while it still holds that token, so a
 * holder that outlived its expiry cannot release someone else's lock. The expiry is what frees
 * the lock of a node that died holding it.
 *
 * It is the single-server lock Redis documents, not Redlock: it serves a single Redis (with
 * replicas), as the store does. A holder paused past its expiry (a very long GC pause) can
 * overlap the next; the holders here finish in milliseconds against expiries of seconds.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './client.js';

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface RedisLockOptions {
  /** How long the lock holds without its holder, in ms. */
  expiresMs: number;
  /** How long to wait for it, in ms; 0: try once. */
  waitMs: number;
  /** Between tries, in ms (default 25). */
  retryMs?: number;
}

/** Runs `run` holding `key`; undefined, without running it, when the lock was not had within `waitMs`. */
export async function withRedisLock<T>(client: RedisClient, key: string, options: RedisLockOptions, run: () => Promise<T>): Promise<{ value: T } | undefined> {
  const token = randomBytes(16).toString('hex');
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if ((await client.set(key, token, 'PX', options.expiresMs, 'NX')) === 'OK') break;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 25));
  }
  try {
    return { value: await run() };
  } finally {
    // A failed release only leaves the lock to its expiry.
    await client.eval(RELEASE_SCRIPT, 1, key, token).catch(() => undefined);
  }
}
