/**
 * Losing Redis (issue 13), with two real Node gateway processes on one redis-server that is killed
 * and started again on its port, with its append-only file: one node counts budgets and limits
 * failing closed (the default), the other open (ROUTERLY_REDIS_COUNTERS_ON_FAILURE=open).
 * Meanwhile calls go on from the config in memory, limited ones get a 503 on the closed node and
 * are served on the open one, each outage is logged a bounded number of times (not per call),
 * and once Redis is back everything counts again and nothing stored before the outage is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminClient, createModel, createProject, requestJson, type AdminClient } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { pingRedis } from '../support/redis-server.js';
import { startServerProcess, type ServerProcess } from '../support/runtime-process.js';

const NODE_ENTRY = ['--import', 'tsx', 'adapters/node/main.ts'];
const SECRET = 'redis-outage-test-secret-'.padEnd(48, 'x');

/** A redis-server that can be killed and started again on its port, keeping its data (appendfsync always). */
async function restartableRedis() {
  const dir = await mkdtemp(join(tmpdir(), 'routerly-redis-outage-'));
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await pingRedis(port)) return;
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, kill, remove: async () => (await kill(), await rm(dir, { recursive: true, force: true })) };
}


let redis: Awaited<ReturnType<typeof restartableRedis>>;
let mock: MockProvider;
let closed: ServerProcess;
let open: ServerProcess;
let admin: AdminClient;

beforeAll(async () => {
  [redis, mock] = await Promise.all([restartableRedis(), startMockProvider({})]);
  const env = { ROUTERLY_REDIS_URL: redis.url, ROUTERLY_REDIS_PREFIX: `outage:${randomUUID()}:`, ROUTERLY_SECRET: SECRET };
  [closed, open] = await Promise.all([
    startServerProcess(process.execPath, NODE_ENTRY, env),
    startServerProcess(process.execPath, NODE_ENTRY, { ...env, ROUTERLY_REDIS_COUNTERS_ON_FAILURE: 'open' }),
  ]);
  admin = await adminClient(closed.url);
  await createModel(admin, { id: 'fast', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-upstream', upstreamModel: 'gpt-fast' });
}, 120_000);

afterAll(async () => {
  await Promise.all([closed?.close(), open?.close()]);
  await Promise.all([redis?.remove(), mock?.close()]);
});

async function chat(node: ServerProcess, token: string) {
  const response = await fetch(`${node.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return response.status === 200 ? '200' : `${response.status} ${body.error?.code}`;
}

const linesWith = (node: ServerProcess, text: string) => node.stderr().split('\n').filter((line) => line.includes(text));

async function until(ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('serves from the config in memory while Redis is gone, fails counters closed or open as set, and picks up again when it is back', async () => {
  const free = await createProject(admin, 'free', ['fast']);
  const limited = await createProject(admin, 'limited', ['fast'], { limits: { rpm: 10_000 } });
  for (const node of [closed, open]) await until(1000, async () => (await chat(node, limited.token)) === '200');
  expect(await chat(closed, free.token)).toBe('200');
  await until(3000, async () => (await admin.call('GET', `/api/usage?projectId=${free.id}`)).body.records.length === 1);

  await redis.kill();
  // Calls for 2.5 s: long enough for several periodic config re-reads (every second) to fail.
  const during: string[] = [];
  const endAt = Date.now() + 2500;
  while (Date.now() < endAt) {
    during.push(`closed free ${await chat(closed, free.token)}`, `closed limited ${await chat(closed, limited.token)}`, `open limited ${await chat(open, limited.token)}`);
  }
  expect(new Set(during)).toEqual(new Set(['closed free 200', 'closed limited 503 not_ready', 'open limited 200']));
  // A config change cannot be stored: refused, and the config in memory stays as it was.
  const refused = await requestJson(`${closed.url}/api/projects`, 'POST', { name: 'during', models: ['fast'] }, admin.token);
  expect(refused.status).toBeGreaterThanOrEqual(500);
  expect(await chat(closed, free.token)).toBe('200');
  // Said once per outage, however many calls and re-reads failed.
  for (const node of [closed, open]) expect(linesWith(node, 'config refresh failed')).toHaveLength(1);
  expect(linesWith(open, 'Redis is out of reach: budgets and rate limits are not counted')).toHaveLength(1);
  expect(linesWith(closed, 'lost the Redis connection (commands)')).toHaveLength(1);

  await redis.start();
  // Back: the closed node admits limited calls again, and the open one counts them again.
  await until(5000, async () => (await chat(closed, limited.token)) === '200');
  await until(5000, async () => (await chat(open, limited.token)) === '200' && linesWith(open, 'Redis answers again').length === 1);
  // Re-read on reconnecting, without waiting for a request a period later.
  await until(3000, () => linesWith(closed, 'config refresh works again').length === 1 && linesWith(open, 'config refresh works again').length === 1);
  expect(linesWith(closed, 'the Redis connection (commands)')).toEqual([expect.stringContaining('reconnecting'), expect.stringContaining('is back')]);
  // What was stored before the outage is all there, on both nodes.
  for (const node of [closed, open]) {
    const records = (await requestJson(`${node.url}/api/usage?projectId=${free.id}`, 'GET', undefined, admin.token)).body.records as unknown[];
    expect(records.length).toBeGreaterThanOrEqual(1);
  }
  // And config changes work again, through either node.
  const after = await requestJson(`${open.url}/api/projects`, 'POST', { name: 'after', models: ['fast'] }, admin.token);
  expect(after.status).toBe(201);
});
