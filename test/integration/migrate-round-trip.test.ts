/**
 * A real home moved into Redis and back (storage/migrate.ts, issue 13): a Node gateway makes the
 * home (setup, a model with its encrypted provider key, a project, real calls with their usage,
 * rollups and audit), then usage of weeks more is added through the file store as the recorder
 * and rollup writers add it. Copied into a real redis-server and from there into an empty
 * folder, every file must come back byte for byte, the secret file must stay behind, and a
 * gateway started on the copy with the same ROUTERLY_SECRET must answer the same usage summary
 * and still decrypt the provider key for a call.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { segmentKey } from '../../src/usage/record.js';
import { createFileStore } from '../../storage/files.js';
import { copyStore } from '../../storage/migrate.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../storage/redis/client.js';
import { createRedisStore } from '../../storage/redis/store.js';
import { adminClient, createModel, createProject, waitForUsage } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { syntheticRecords, writeRollups } from '../support/usage-rollups.js';

const PROVIDER_KEY = 'sk-upstream-migrate-4242';

let redis: RedisServer;
let client: RedisClient;
let mock: MockProvider;
let home: string;
let copy: string;
let project: { id: string; token: string };
const servers: NodeServer[] = [];

beforeAll(async () => {
  [redis, mock] = await Promise.all([startRedisServer(), startMockProvider({ openaiKey: PROVIDER_KEY })]);
  client = createRedisClient(redis.url);
  await connectRedis(client);
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-migrate-home-'));
  copy = await mkdtemp(path.join(os.tmpdir(), 'routerly-migrate-copy-'));

  const server = await startNodeServer({ home, port: 0, logger: false });
  const admin = await adminClient(server.url);
  await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY, pricing: { input: 2, output: 8 } });
  project = await createProject(admin, 'team-a', ['gpt']);
  const openai = new OpenAI({ apiKey: project.token, baseURL: `${server.url}/v1`, maxRetries: 0 });
  for (let n = 0; n < 12; n++) await openai.chat.completions.create({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: `call ${n}` }] });
  await waitForUsage(admin, project.id, 12);
  await server.close(1000);

  // Weeks of usage from other instances, appended in the recorder's batches, with their rollups.
  const store = createFileStore(home);
  const records = syntheticRecords(3000);
  const byDay = new Map<string, typeof records>();
  for (const record of records) byDay.set(segmentKey(record.ts), [...(byDay.get(segmentKey(record.ts)) ?? []), record]);
  for (const [key, dayRecords] of byDay) {
    for (let at = 0; at < dayRecords.length; at += 25) await store.append(key, dayRecords.slice(at, at + 25).map((record) => `${JSON.stringify(record)}\n`).join(''));
  }
  await writeRollups(store, records);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close(1000)));
  await client?.quit();
  await Promise.all([redis?.stop(), mock?.close()]);
  await Promise.all([home, copy].filter(Boolean).map((folder) => rm(folder, { recursive: true, force: true })));
});

/** Every file under `folder`, by its path relative to it. */
async function files(folder: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  const entries = await Promise.all(names.map(async (entry) => {
    const full = path.join(entry.parentPath, entry.name);
    return [path.relative(folder, full).split(path.sep).join('/'), await readFile(full)] as const;
  }));
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

it('comes back from Redis byte for byte, and serves the same usage with the same secret', async () => {
  const original = await files(home);
  const secret = original.get('config/secret')!.toString('utf8').trim();
  original.delete('config/secret');
  const usageLines = [...original].filter(([key]) => key.startsWith('data/usage/')).reduce((sum, [, bytes]) => sum + bytes.toString('utf8').split('\n').length - 1, 0);
  expect(usageLines).toBeGreaterThanOrEqual(3000 + 12);
  expect([...original.keys()].filter((key) => key.startsWith('data/rollups/')).length).toBeGreaterThan(100);
  expect([...original.keys()].some((key) => key.startsWith('data/audit/'))).toBe(true);
  expect(original.get('config/models.json')!.toString()).not.toContain(PROVIDER_KEY);

  const inRedis = createRedisStore(client, { prefix: `test:${randomUUID()}:` });
  const there = await copyStore(createFileStore(home), inRedis, { appendBatchChars: 64 * 1024 });
  expect(there.skipped).toEqual(['config/secret']);
  expect(there.documents + there.logs).toBe(original.size);
  expect(there.lines).toBeGreaterThanOrEqual(usageLines);
  expect(there.bytes).toBe([...original.values()].reduce((sum, bytes) => sum + bytes.length, 0));
  expect(await inRedis.get('config/secret')).toBeNull();

  const back = await copyStore(inRedis, createFileStore(copy));
  expect(back).toEqual({ ...there, skipped: [] });
  const restored = await files(copy);
  expect([...restored.keys()]).toEqual([...original.keys()]);
  for (const [key, bytes] of original) expect(restored.get(key)!.equals(bytes), key).toBe(true);

  // Both homes, served with the secret the original made: the same answers, and the key still decrypts.
  const [before, after] = await Promise.all([home, copy].map((folder) => startNodeServer({ home: folder, port: 0, logger: false, secret })));
  servers.push(before!, after!);
  const [adminBefore, adminAfter] = await Promise.all([adminClient(before!.url), adminClient(after!.url)]);
  for (const groupBy of ['project', 'model', 'day']) {
    const query = `/api/usage/summary?groupBy=${groupBy}&from=2026-01-01`;
    const [a, b] = await Promise.all([adminBefore.call('GET', query), adminAfter.call('GET', query)]);
    expect(a.status).toBe(200);
    expect(a.body.groups.length).toBeGreaterThan(1);
    expect(a.body.totals.requests).toBeGreaterThan(3000);
    expect(b.body).toEqual(a.body);
  }
  const openai = new OpenAI({ apiKey: project.token, baseURL: `${after!.url}/v1`, maxRetries: 0 });
  const answer = await openai.chat.completions.create({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'after the move' }] });
  expect(answer.choices[0]?.message.content).toBeTruthy();
});
