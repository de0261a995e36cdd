import { Redis, type RedisOptions } from 'ioredis';

/**
 * The Redis connection the scale-out drivers share (storage/redis/store.ts, counters.ts): ioredis,
 * for its reconnection, Lua script caching (EVALSHA with a fallback to EVAL) and pub/sub, on Node,
 * Bun and Deno alike (it speaks RESP over node:net). A Redis-compatible server (Valkey, KeyDB)
 * works the same.
 *
 * A command waits at most `commandTimeoutMs` and is not queued while the connection is down:
 * a gateway that lost Redis must learn it at once (and fail a budget check closed or open, as
 * configured) rather than hold every call until Redis comes back.
 */
export interface RedisClientOptions {
  /** Per command, in ms (default 2000). */
  commandTimeoutMs?: number;
  /** The first connection, in ms (default 5000). */
  connectTimeoutMs?: number;
}

export type RedisClient = Redis;

export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const settings: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // Fail commands at once while disconnected (the caller decides what that means), and reconnect in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    lazyConnect: true,
  };
  return new Redis(url, settings);
}

/** Connects (the client is lazy) and checks the server answers. */
export async function connectRedis(client: RedisClient): Promise<void> {
  if (client.status === 'wait') await client.connect();
  await client.ping();
}
