import { createHmac, randomBytes } from 'node:crypto';
import { backfillRollups, type Logger } from '../../src/index.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisConfigChanges } from '../../storage/redis/config-changes.js';
import { countersFailingOpen } from '../../storage/redis/counters-on-failure.js';
import { createRedisCounters } from '../../storage/redis/counters.js';
import { withRedisLock } from '../../storage/redis/lock.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { oneLine } from './home.js';
import { startServerGateway, type ServerGateway, type ServerGatewayOptions } from './server-gateway.js';
import { ConfigError, redactedRedisUrl, type RedisConfig } from './settings.js';

/**
 * The gateway of a node that shares its state with other nodes through one Redis
 * (ROUTERLY_REDIS_URL): config, usage and the audit log in the Redis store, budgets and rate
 * limits in the Redis counters (exact across nodes), config changes under a lock across nodes
 * and announced by pub/sub. Model health and latency statistics stay in each node's memory.
 *
 * Two connections: one for commands, and one that only listens for config changes (a subscribed
 * connection can run nothing else). Node, Bun and Deno alike: ioredis speaks RESP over node:net.
 */
export interface RedisGatewayOptions extends ServerGatewayOptions {
  redis: RedisConfig;
  /** ROUTERLY_SECRET: every node sharing the Redis must have the same one. */
  secret: string;
  /** This node's id; a random one by default (two live nodes must never share one). */
  instanceId?: string;
}

export interface RedisGateway extends ServerGateway {
  /** This node's id, as its usage rollups are named by it. */
  instanceId: string;
}

const SILENT: Logger = { info() {}, warn() {}, error() {} };

/** A node id: the host's name where the environment gives one (containers set HOSTNAME), and a random part. */
export function newNodeId(hostname: string | undefined): string {
  const host = (hostname ?? '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${host || 'node'}-${randomBytes(3).toString('hex')}`;
}

/**
 * Connects, checks that this node's secret is the one the others use, and builds the gateway; rejects with a
 * ConfigError (one line, no password) when Redis cannot be reached or the secret differs.
 */
export async function createRedisGateway(options: RedisGatewayOptions): Promise<RedisGateway> {
  const logger = options.logger ?? SILENT;
  const { url, prefix, countersOnFailure } = options.redis;
  const where = redactedRedisUrl(url);
  const client = createRedisClient(url);
  const subscriber = createRedisClient(url);
  const connections = [client, subscriber];
  for (const [name, connection] of [['commands', client], ['config changes', subscriber]] as const) reportOutages(connection, name, where, logger);
  const disconnect = () => {
    for (const connection of connections) connection.disconnect();
  };

  // ioredis rejects a failed connect with "Connection is closed."; the `error` event before it says why (ECONNREFUSED, ENOTFOUND).
  let why: unknown;
  const noteWhy = (error: unknown) => (why ??= error);
  for (const connection of connections) connection.on('error', noteWhy);
  try {
    await Promise.all(connections.map((connection) => connectRedis(connection)));
  } catch (error) {
    disconnect();
    throw new ConfigError(`cannot reach Redis at ${where} (ROUTERLY_REDIS_URL): ${oneLine(why ?? error)}`);
  }
  for (const connection of connections) connection.off('error', noteWhy);
  try {
    await checkSharedSecret(client, prefix, options.secret, where);
    const instanceId = options.instanceId ?? newNodeId(undefined);
    const store = createRedisStore(client, { prefix });
    const redisCounters = createRedisCounters(client, { prefix: `${prefix}c:` });
    const counters = countersOnFailure === 'open' ? countersFailingOpen(redisCounters, logger) : redisCounters;
    const configChanges = await createRedisConfigChanges({ client, subscriber, prefix, instanceId, logger });
    // Usage recorded before the rollups existed (or moved in without them) gets them, by one node at a time.
    const backfilled = await withRedisLock(client, `${prefix}backfill:lock`, { expiresMs: 15 * 60_000, waitMs: 0 }, () => backfillRollups(store, logger));
    if (!backfilled) logger.info('another node is building usage rollups from earlier records');
    const served = await startServerGateway({ store, counters, configChanges, instanceId, secret: options.secret }, options);
    return {
      ...served,
      instanceId,
      async settle() {
        await served.settle();
        // QUIT lets replies in flight arrive; a connection that is down has nothing to wait for.
        await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
      },
    };
  } catch (error) {
    disconnect();
    throw error;
  }
}

/**
 * Nodes sharing Redis must share ROUTERLY_SECRET: it seals provider keys and signs sessions, so a
 * node with another one could open neither the others' keys nor their sessions. The first node
 * stores an HMAC of its secret (which says nothing about the secret); each later one compares.
 */
async function checkSharedSecret(client: RedisClient, prefix: string, secret: string, where: string): Promise<void> {
  const key = `${prefix}secret-check`;
  const mine = createHmac('sha256', secret).update('routerly: the nodes sharing this Redis share ROUTERLY_SECRET').digest('hex');
  await client.set(key, mine, 'NX');
  if ((await client.get(key)) !== mine) {
    throw new ConfigError(`ROUTERLY_SECRET differs from the one the other nodes on ${where} (prefix ${prefix}) use: give every node the same ROUTERLY_SECRET`);
  }
}

/**
 * The log says when a connection is lost and when it is back, once each, however many reconnects
 * fail in between. ioredis reports each failed one as an `error` event, and prints it itself
 * when nobody listens: here the last one is only kept, to say why in the "lost" line.
 */
function reportOutages(connection: RedisClient, name: string, where: string, logger: Logger): void {
  let down = false;
  let ever = false;
  let lastError: string | undefined;
  connection.on('error', (error: unknown) => {
    lastError = oneLine(error);
  });
  connection.on('reconnecting', () => {
    // Before the first connection the start reports the failure itself, in one line.
    if (down || !ever) return;
    down = true;
    logger.error(`lost the Redis connection (${name}) to ${where}: reconnecting`, lastError ? { error: lastError } : {});
  });
  connection.on('ready', () => {
    ever = true;
    lastError = undefined;
    if (!down) return;
    down = false;
    logger.info(`the Redis connection (${name}) to ${where} is back`);
  });
}
