/**
 * copyStore (storage/migrate.ts) between the file store and a real redis-server: documents stay
 * documents and logs stay logs (streamed, in bounded appends), a non-empty target is refused
 * unless forced (and forcing never appends usage twice), the secret file stays home, and the
 * verification catches a source that changes under the copy. Each test gets its own folders and
 * Redis prefix.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { createFileStore } from '../../storage/files.js';
import { copyStore, CopyVerificationError, kindOfKey, SourceEmptyError, TargetNotEmptyError } from '../../storage/migrate.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { collect } from './conformance.js';

let server: RedisServer;
let client: RedisClient;
const folders: string[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  client = createRedisClient(server.url);
  await connectRedis(client);
});
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});
afterAll(async () => {
  await client?.quit();
  await server?.stop();
});

async function home(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'routerly-migrate-'));
  folders.push(folder);
  return folder;
}
const redisStore = (prefix = `test:${randomUUID()}:`) => ({ prefix, store: createRedisStore(client, { prefix }) });

const SECRET = 'a-master-secret-that-must-stay-home-0123456789';
const usageLine = (n: number) => JSON.stringify({ ts: '2026-03-01T10:00:00.000Z', requestId: `req_${n}`, projectId: 'prj_ü', model: 'gpt ☃ 😀', costUsd: n / 1e6 });

/** A small home as a gateway leaves it: config documents, a usage log appended record by record, an audit log, a rollup, the secret file. */
async function smallHome(lines = 500): Promise<{ folder: string; store: Store }> {
  const folder = await home();
  const store = createFileStore(folder);
  await store.put('config/models.json', '[\n  {"id": "gpt", "apiKey": "v1.encrypted-as-stored"}\n]\n');
  await store.put('config/settings.json', '{}\n');
  for (let n = 0; n < lines; n += 10) await store.append('data/usage/2026-03-01.jsonl', Array.from({ length: 10 }, (_, i) => `${usageLine(n + i)}\n`).join(''));
  await store.append('data/audit/2026-03-01.jsonl', '{"action":"login"}\r\n{"action":"model.create"}\n');
  await store.put('data/rollups/day/2026-03/2026-03-01.gw_1.json', '{"rows":[]}\n');
  await mkdir(path.join(folder, 'config'), { recursive: true });
  await writeFile(path.join(folder, 'config', 'secret'), `${SECRET}\n`, { mode: 0o600 });
  return { folder, store };
}

/** Every key's text, but the secret's. */
async function contents(store: Store): Promise<Record<string, string | null>> {
  const keys = (await store.list('')).filter((key) => key !== 'config/secret');
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await store.get(key)] as const)));
}

describe('kindOfKey', () => {
  it('takes the .jsonl keys for logs and everything else for documents', () => {
    expect(kindOfKey('data/usage/2026-03-01.jsonl')).toBe('log');
    expect(kindOfKey('data/audit/2026-03-01.jsonl')).toBe('log');
    expect(kindOfKey('config/models.json')).toBe('document');
    expect(kindOfKey('data/rollups/hour/2026-03-01/2026-03-01T10.gw_1.json')).toBe('document');
    expect(kindOfKey('data/rollups/backfill.json')).toBe('document');
  });
});

describe('copyStore', () => {
  it('copies a home into Redis as documents and logs, and back, text for text; the secret stays home', async () => {
    const source = await smallHome();
    const { prefix, store: redis } = redisStore();
    const report = await copyStore(source.store, redis);
    expect(report).toEqual({ documents: 3, logs: 2, lines: 502, bytes: expect.any(Number), removed: 0, skipped: ['config/secret'] });
    const expected = await contents(source.store);
    const documentBytes = ['config/models.json', 'config/settings.json', 'data/rollups/day/2026-03/2026-03-01.gw_1.json'].map((key) => Buffer.byteLength(expected[key]!));
    const logBytes = ['data/usage/2026-03-01.jsonl', 'data/audit/2026-03-01.jsonl'].map((key) => Buffer.byteLength(expected[key]!));
    expect(report.bytes).toBe([...documentBytes, ...logBytes].reduce((a, b) => a + b));

    expect(await contents(redis)).toEqual(expected);
    // Kinds kept: a config file is one Redis string, a usage log is pieces.
    expect(await client.type(`${prefix}store:doc:config/models.json`)).toBe('string');
    expect(await client.type(`${prefix}store:log:data/usage/2026-03-01.jsonl`)).toBe('list');
    expect(await client.exists(`${prefix}store:doc:data/usage/2026-03-01.jsonl`)).toBe(0);
    // The secret is nowhere in Redis: not as a key, not in any value.
    expect(await redis.get('config/secret')).toBeNull();
    const redisKeys = await client.keys(`${prefix}*`);
    expect(redisKeys.filter((key) => key.includes('secret'))).toEqual([]);
    for (const key of redisKeys) {
      const type = await client.type(key);
      const values = type === 'string' ? [await client.get(key)] : type === 'list' ? await client.lrange(key, 0, -1) : await client.zrange(key, 0, -1);
      expect(values.join('')).not.toContain(SECRET);
    }

    const back = await home();
    await copyStore(redis, createFileStore(back));
    for (const key of Object.keys(expected)) {
      expect(await readFile(path.join(back, key)), key).toEqual(await readFile(path.join(source.folder, key)));
    }
    expect(await collect(createFileStore(back).readLines('data/usage/2026-03-01.jsonl', { fromLine: 499 }))).toEqual([usageLine(499)]);
  });

  it('streams logs in bounded appends and never reads one whole', async () => {
    const source = await smallHome(3000);
    const wholeReads: string[] = [];
    const appends: Array<{ key: string; length: number }> = [];
    const watchedSource: Store = { ...source.store, get: (key) => (wholeReads.push(key), source.store.get(key)) };
    const { prefix, store: redis } = redisStore();
    const watchedTarget: Store = { ...redis, append: (key, text) => (appends.push({ key, length: text.length }), redis.append(key, text)) };
    const batchChars = 16 * 1024;
    const report = await copyStore(watchedSource, watchedTarget, { appendBatchChars: batchChars });
    expect(report.lines).toBe(3002);
    expect(wholeReads.filter((key) => kindOfKey(key) === 'log')).toEqual([]);
    const usageAppends = appends.filter(({ key }) => key === 'data/usage/2026-03-01.jsonl');
    const longestLine = usageLine(2999).length + 1;
    expect(usageAppends.length).toBeGreaterThan(10);
    for (const { length } of usageAppends) expect(length).toBeLessThan(batchChars + longestLine);
    expect(await client.llen(`${prefix}store:log:data/usage/2026-03-01.jsonl`)).toBe(usageAppends.length);
    expect(await redis.get('data/usage/2026-03-01.jsonl')).toBe(await source.store.get('data/usage/2026-03-01.jsonl'));
  });

  it('refuses a target that holds keys, and writes nothing into it', async () => {
    const source = await smallHome(20);
    const { store: redis } = redisStore();
    await redis.append('data/usage/2026-03-01.jsonl', `${usageLine(0)}\n`);
    await expect(copyStore(source.store, redis)).rejects.toThrow(TargetNotEmptyError);
    await expect(copyStore(source.store, redis)).rejects.toThrow('the target already holds 1 key: refusing to merge into it');
    expect(await redis.list('')).toEqual(['data/usage/2026-03-01.jsonl']);
    expect(await redis.get('data/usage/2026-03-01.jsonl')).toBe(`${usageLine(0)}\n`);
  });

  it('with force, empties the target first: no usage appended twice, no stray key left', async () => {
    const source = await smallHome(40);
    const { store: redis } = redisStore();
    await copyStore(source.store, redis);
    await redis.put('config/stale.json', '{"from":"another deployment"}');
    await source.store.append('data/usage/2026-03-01.jsonl', `${usageLine(40)}\n`);
    const report = await copyStore(source.store, redis, { force: true });
    expect(report.removed).toBe(6);
    expect(await contents(redis)).toEqual(await contents(source.store));
    expect(await collect(redis.readLines('data/usage/2026-03-01.jsonl'))).toHaveLength(41);
  });

  it('takes a home with only its secret file for empty, and leaves that secret alone', async () => {
    const { store: redis } = redisStore();
    await redis.put('config/models.json', '[]\n');
    await redis.append('data/usage/2026-03-01.jsonl', `${usageLine(1)}\n`);
    const target = await home();
    await mkdir(path.join(target, 'config'));
    await writeFile(path.join(target, 'config', 'secret'), 'the-nodes-secret\n');
    await copyStore(redis, createFileStore(target));
    expect(await readFile(path.join(target, 'config', 'secret'), 'utf8')).toBe('the-nodes-secret\n');
    await copyStore(redis, createFileStore(target), { force: true });
    expect(await readFile(path.join(target, 'config', 'secret'), 'utf8')).toBe('the-nodes-secret\n');
  });

  it('refuses an empty source (a wrong home or prefix), even with force', async () => {
    const { store: redis } = redisStore();
    const target = (await smallHome(10)).store;
    await expect(copyStore(redis, target, { force: true })).rejects.toThrow(SourceEmptyError);
    expect(Object.keys(await contents(target))).toHaveLength(5);
    const onlySecret = await home();
    await mkdir(path.join(onlySecret, 'config'));
    await writeFile(path.join(onlySecret, 'config', 'secret'), SECRET);
    await expect(copyStore(createFileStore(onlySecret), redisStore().store)).rejects.toThrow(SourceEmptyError);
  });

  it('keeps an empty log as a key; a torn last line gains its newline', async () => {
    const folder = await home();
    const files = createFileStore(folder);
    await files.append('data/usage/2026-03-02.jsonl', '');
    await files.append('data/usage/2026-03-03.jsonl', `${usageLine(1)}\n{"ts":"2026-03-03T1`);
    const { store: redis } = redisStore();
    const report = await copyStore(files, redis);
    expect(report).toMatchObject({ logs: 2, lines: 2 });
    expect(await redis.list('')).toEqual(['data/usage/2026-03-02.jsonl', 'data/usage/2026-03-03.jsonl']);
    expect(await redis.get('data/usage/2026-03-02.jsonl')).toBe('');
    expect(await redis.get('data/usage/2026-03-03.jsonl')).toBe(`${usageLine(1)}\n{"ts":"2026-03-03T1\n`);
  });

  it('fails the verification when the source changes under the copy (a gateway still running on it)', async () => {
    const source = await smallHome(50);
    // A "gateway" that appends a record once the copy has read the usage log (when it is read again, to verify).
    let reads = 0;
    const busySource: Store = {
      ...source.store,
      readLines(key, options) {
        if (key !== 'data/usage/2026-03-01.jsonl' || ++reads !== 2) return source.store.readLines(key, options);
        return (async function* () {
          await source.store.append(key, `${usageLine(50)}\n`);
          yield* source.store.readLines(key, options);
        })();
      },
    };
    const error = await copyStore(busySource, redisStore().store).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CopyVerificationError);
    expect((error as CopyVerificationError).problems).toEqual([expect.stringMatching(/^data\/usage\/2026-03-01\.jsonl changed in the source during the copy \(50 lines copied, 51 now\): is a gateway still running on it\?$/)]);
  });
});
