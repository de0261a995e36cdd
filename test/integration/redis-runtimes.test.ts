/**
 * ROUTERLY_REDIS_URL on every server runtime (issue 13): a Node, a Bun and a Deno node, each from
 * its real entry, on one redis-server. What one changes the others serve, a rate limit counts
 * calls from all three as one, a token revoked through one is refused by the others within a
 * second, and each stops on SIGTERM with exit code 0 (usage written, connections closed).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminClient, createModel, createProject, requestJson, type AdminClient } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { BUN, DENO, DENO_RUN, startServerProcess, type ServerProcess } from '../support/runtime-process.js';

const SECRET = 'redis-runtimes-test-secret-'.padEnd(48, 'x');

let redis: RedisServer;
let mock: MockProvider;
let nodes: Record<'node' | 'bun' | 'deno', ServerProcess>;
let admin: AdminClient;

beforeAll(async () => {
  [redis, mock] = await Promise.all([startRedisServer(), startMockProvider({})]);
  const env = { ROUTERLY_REDIS_URL: redis.url, ROUTERLY_REDIS_PREFIX: `runtimes:${randomUUID()}:`, ROUTERLY_SECRET: SECRET };
  const [node, bun, deno] = await Promise.all([
    startServerProcess(process.execPath, ['--import', 'tsx', 'adapters/node/main.ts'], env),
    startServerProcess(BUN, ['adapters/bun/main.ts'], env),
    startServerProcess(DENO, [...DENO_RUN, 'adapters/deno/main.ts'], env),
  ]);
  nodes = { node: node!, bun: bun!, deno: deno! };
  admin = await adminClient(nodes.node.url);
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(nodes ?? {}).map((node) => node.close()));
  await Promise.all([redis?.stop(), mock?.close()]);
});

const as = (node: ServerProcess): AdminClient => ({ url: node.url, token: admin.token, call: (method, path, body) => requestJson(`${node.url}${path}`, method, body, admin.token) });

async function chat(node: ServerProcess, token: string): Promise<number> {
  const response = await fetch(`${node.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

it('shares config, counters and revocations between a Node, a Bun and a Deno node', async () => {
  // A model added through Bun, a project through Deno: Node serves them.
  await createModel(as(nodes.bun), { id: 'fast', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-upstream', upstreamModel: 'gpt-fast' });
  const { id, token, tokenId } = await createProject(as(nodes.deno), 'everywhere', ['fast'], { limits: { rpm: 3 } });
  const all = Object.values(nodes);
  for (const node of all) await within(1000, async () => (await fetch(`${node.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status === 200);

  // Three calls a minute across all three runtimes (unless the minute turns meanwhile: then start again).
  const minute = Math.floor(Date.now() / 60_000);
  const statuses = [];
  for (const node of [...all, ...all]) statuses.push(await chat(node, token));
  if (Math.floor(Date.now() / 60_000) === minute) expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);

  const revoked = await as(nodes.node).call('DELETE', `/api/projects/${id}/tokens/${tokenId}`);
  expect(revoked.status).toBe(204);
  for (const node of [nodes.bun, nodes.deno]) {
    expect(await within(1000, async () => (await chat(node, token)) === 401)).toBeLessThan(1000);
  }
});

it('stops each runtime on SIGTERM with exit code 0', async () => {
  for (const node of Object.values(nodes)) {
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
  }
});
