/**
 * Config kept in step across gateway nodes on a real redis-server (storage/redis/config-changes.ts
 * with src/config/state.ts): a change made through one node reaches the others' memory by pub/sub
 * at once, two nodes changing config together both keep their change (the lock), a subscription
 * that dropped counts as a notice, and a lock held too long refuses rather than waits forever.
 * Each test uses a prefix of its own on one server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigState } from '../../src/config/state.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisConfigChanges, type RedisConfigChangesOptions } from '../../storage/redis/config-changes.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let server: RedisServer;
const opened: RedisClient[] = [];
const logger = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((connection) => connection.quit().catch(() => connection.disconnect())));
});
afterAll(async () => {
  await server?.stop();
});

async function connected(): Promise<RedisClient> {
  const connection = createRedisClient(server.url);
  opened.push(connection);
  await connectRedis(connection);
  return connection;
}

/** A node as the Redis gateway builds one: a command connection, a subscriber, the port, and its ConfigState. */
async function node(prefix: string, instanceId: string, options: Partial<RedisConfigChangesOptions> = {}) {
  const client = await connected();
  const subscriber = await connected();
  // Asked before it subscribes: a subscribed connection answers nothing else.
  const subscriberId = String(await subscriber.client('ID'));
  const changes = await createRedisConfigChanges({ client, subscriber, prefix, instanceId, logger, ...options });
  const { encryption } = await deriveKeys('k'.repeat(40));
  // No refreshMs: only notices can bring another node's change.
  const config = new ConfigState(createRedisStore(client, { prefix }), encryption, { now: Date.now, logger, changes });
  await config.load();
  return { client, subscriberId, changes, config };
}

const project = (id: string) => ({ id, name: id, models: [], tokens: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
const addProject = (config: ConfigState, id: string) => config.update('projects', async (projects) => ({ next: [...projects, project(id)], result: undefined }));

async function within<T>(ms: number, probe: () => T | undefined): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return { value, ms: performance.now() - started };
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('config changes over Redis', () => {
  it('brings a change made through one node into the others’ memory at once, without a request or a period', async () => {
    const prefix = `test:${randomUUID()}:`;
    const [a, b, c] = await Promise.all([node(prefix, 'a'), node(prefix, 'b'), node(prefix, 'c')]);
    const heard = { a: 0, b: 0 };
    a.changes.subscribe(() => heard.a++);
    b.changes.subscribe(() => heard.b++);
    await addProject(a.config, 'prj_1');
    for (const other of [b, c]) {
      const { ms } = await within(1000, () => (other.config.index.projects.has('prj_1') ? true : undefined));
      expect(ms).toBeLessThan(1000);
    }
    // The writer is not told of its own change; the others are, once.
    expect(heard).toEqual({ a: 0, b: 1 });
    // Revoking is a change like any other: the token is gone from every node's index.
    await a.config.update('projects', async (projects) => ({ next: projects.filter((p) => p.id !== 'prj_1'), result: undefined }));
    await within(1000, () => (!b.config.index.projects.has('prj_1') && !c.config.index.projects.has('prj_1') ? true : undefined));
  });

  it('keeps every change when several nodes change the same file at once', async () => {
    const prefix = `test:${randomUUID()}:`;
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => node(prefix, id)));
    await Promise.all(Array.from({ length: 30 }, (_, i) => addProject(nodes[i % 3]!.config, `prj_${i}`)));
    const stored = JSON.parse((await createRedisStore(nodes[0]!.client, { prefix }).get('config/projects.json'))!) as Array<{ id: string }>;
    expect(stored.map((p) => p.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `prj_${i}`).sort());
    for (const { config } of nodes) await within(1000, () => (config.index.projects.size === 30 ? true : undefined));
  });

  it('re-reads when its subscription comes back after a drop, since notices sent meanwhile are lost', async () => {
    const prefix = `test:${randomUUID()}:`;
    const [a, b] = await Promise.all([node(prefix, 'a'), node(prefix, 'b')]);
    let heard = 0;
    b.changes.subscribe(() => heard++);
    const admin = await connected();
    await admin.client('KILL', 'ID', b.subscriberId);
    // While b is reconnecting, a's change is announced to nobody.
    await addProject(a.config, 'prj_missed');
    await within(3000, () => (b.config.index.projects.has('prj_missed') ? true : undefined));
    expect(heard).toBeGreaterThanOrEqual(1);
    // And the subscription works again.
    await addProject(a.config, 'prj_next');
    await within(1000, () => (b.config.index.projects.has('prj_next') ? true : undefined));
  });

  it('refuses a change, writing nothing, when another node holds the lock past the wait', async () => {
    const prefix = `test:${randomUUID()}:`;
    const a = await node(prefix, 'a', { lockWaitMs: 100 });
    await a.client.set(`${prefix}config:lock`, 'someone else', 'PX', 5000);
    await expect(addProject(a.config, 'prj_1')).rejects.toThrow('another node has been changing the config for too long: try again');
    expect(await createRedisStore(a.client, { prefix }).get('config/projects.json')).toBeNull();
    // Released (or expired), the next change goes through and leaves no lock behind.
    await a.client.del(`${prefix}config:lock`);
    await addProject(a.config, 'prj_1');
    expect(await a.client.exists(`${prefix}config:lock`)).toBe(0);
  });
});
