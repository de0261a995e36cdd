/**
 * The ConfigChanges port (src/deps.ts) on Redis: how gateway nodes sharing one Redis keep their
 * in-memory config in step.
 *
 * - `exclusive`: a lock across nodes (lock.ts) under which a node re-reads, changes and stores
 *   one config file, so two nodes changing config at once cannot undo each other's change.
 * - `publish`: PUBLISH of the writer's id on `<prefix>config:changed` once the change is stored.
 * - `subscribe`: the other nodes receive it on a connection of their own (a subscribed connection
 *   can run nothing else) and re-read their config at once. Pub/sub delivers to those connected
 *   when it is sent and keeps nothing: a node whose subscription was down may have missed a
 *   notice, so every (re)subscription counts as one, and ConfigState's periodic re-read
 *   (configRefreshMs) covers what is left.
 */
import type { ConfigChanges, Logger } from '../../src/deps.js';
import type { RedisClient } from './client.js';
import { withRedisLock } from './lock.js';
import { GatewayError } from '../../src/errors.js';

export interface RedisConfigChangesOptions {
  /** Runs commands: the lock and PUBLISH. */
  client: RedisClient;
  /** Connected, and used for nothing else: it enters subscriber mode. */
  subscriber: RedisClient;
  /** The deployment's key prefix (ROUTERLY_REDIS_PREFIX). */
  prefix: string;
  /** This node's id: its own notices are not news to it. */
  instanceId: string;
  logger: Logger;
  /** How long a config change may hold the lock (default 10 s; a change takes milliseconds). */
  lockExpiresMs?: number;
  /** How long a change waits for another node's to finish (default 5 s). */
  lockWaitMs?: number;
}

export interface RedisConfigChanges extends ConfigChanges {
  /** The channel notices go on (`<prefix>config:changed`). */
  readonly channel: string;
}

/**
 * Subscribes `subscriber` before it resolves: a notice sent from then on reaches this node (one
 * sent before is about a change the first load of the config reads anyway).
 */
export async function createRedisConfigChanges(options: RedisConfigChangesOptions): Promise<RedisConfigChanges> {
  const { client, subscriber, prefix, instanceId, logger } = options;
  const channel = `${prefix}config:changed`;
  const lockKey = `${prefix}config:lock`;
  const listeners: Array<() => void> = [];

  const notify = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        logger.error('a config change listener failed', { error: String(error) });
      }
    }
  };

  subscriber.on('message', (from: string, publisher: string) => {
    if (from === channel && publisher !== instanceId) notify();
  });
  await subscriber.subscribe(channel);
  // ioredis subscribes again by itself after a reconnect, then says `ready`: whatever was published
  // while the connection was down never arrives, so the node re-reads as if it had. And again when
  // the command connection is back, which the re-read goes through: a re-read tried before it was
  // failed, and the next would wait for a request (ConfigState.refreshIfStale).
  subscriber.on('ready', notify);
  client.on('ready', notify);

  return {
    channel,
    async exclusive(write) {
      const held = await withRedisLock(client, lockKey, { expiresMs: options.lockExpiresMs ?? 10_000, waitMs: options.lockWaitMs ?? 5_000 }, write);
      // A 503 the client can retry, with the reason (the store answers: it is the lock that is taken).
      if (!held) throw new GatewayError('not_ready', 'another node has been changing the config for too long: try again', { headers: { 'retry-after': '1' } });
      return held.value;
    },
    async publish() {
      await client.publish(channel, instanceId);
    },
    subscribe(onChange) {
      listeners.push(onChange);
    },
  };
}
