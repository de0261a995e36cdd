/**
 * Three gateway processes (the real Node entry, adapters/node/main.ts) on one redis-server, as
 * several nodes behind a load balancer run (issue 13): calls spread over the nodes hold a budget
 * and a rate limit exactly as one node would, a token revoked through one node is refused by the
 * others within a second, and the usage summary adds up and reads the same from every node.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, createModel, createProject, requestJson, type AdminClient } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startServerProcess, type ServerProcess } from '../support/runtime-process.js';

const NODE_ENTRY = ['--import', 'tsx', 'adapters/node/main.ts'];
const SECRET = 'multi-node-test-secret-'.padEnd(48, 'x');

let redis: RedisServer;
let mock: MockProvider;
let nodes: ServerProcess[] = [];
/** One admin session, signed with the shared secret: every node takes it. */
let admin: AdminClient;
/** The same session against each node. */
let admins: AdminClient[] = [];

beforeAll(async () => {
  [redis, mock] = await Promise.all([startRedisServer(), startMockProvider({})]);
  const env = { ROUTERLY_REDIS_URL: redis.url, ROUTERLY_REDIS_PREFIX: `multi:${randomUUID()}:`, ROUTERLY_SECRET: SECRET };
  nodes = await Promise.all([0, 1, 2].map(() => startServerProcess(process.execPath, NODE_ENTRY, env)));
  admin = await adminClient(nodes[0]!.url);
  admins = nodes.map(({ url }) => ({ url, token: admin.token, call: (method, path, body) => requestJson(`${url}${path}`, method, body, admin.token) }));
  // No pricing is needed for tokens; $1 per million tokens either way makes the USD figures readable.
  const pricing = { input: 1, output: 1 };
  await createModel(admin, { id: 'fast', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-upstream', upstreamModel: 'gpt-fast', pricing });
  await createModel(admin, { id: 'slow', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-upstream', upstreamModel: 'gpt-slow', pricing });
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  await Promise.all([redis?.stop(), mock?.close()]);
});

/** A chat call to `node`, reduced to what the tests compare. */
async function chat(node: number, token: string, model: string, content = 'hi') {
  const response = await fetch(`${nodes[node]!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 1000, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number }; error?: { code?: string } };
  return { status: response.status, code: body.error?.code, usage: body.usage, requestId: response.headers.get('x-routerly-request-id') };
}

/** Polls every node until `check` holds on each, or fails after `ms`. */
async function onEveryNode(ms: number, check: (node: number) => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (let node = 0; node < nodes.length; node++) {
    while (!(await check(node))) {
      if (Date.now() > deadline) throw new Error(`node ${node} did not get there within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const accepts = async (node: number, token: string) => (await fetch(`${nodes[node]!.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status === 200;

/** A project made through node 0, once every node takes its token. */
async function project(name: string, models: string[], extra: Record<string, unknown>) {
  const created = await createProject(admin, name, models, extra);
  await onEveryNode(1000, (node) => accepts(node, created.token));
  return created;
}

/** Rate limits count in UTC minutes: wait for a minute with `seconds` left in it, so a burst stays in one. */
async function withSecondsLeftInMinute(seconds: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('three nodes on one Redis', () => {
  it('started as nodes of one deployment: each names itself and where its data lives, and none wrote a file', async () => {
    for (const node of nodes) expect(await readdir(node.home)).toEqual([]);
    const banners = nodes.map((node) => JSON.parse(node.stderr().split('\n').find((line) => line.includes('"event":"started"'))!) as { redis: { url: string }; node: string });
    for (const banner of banners) expect(banner.redis.url).toBe(redis.url);
    expect(new Set(banners.map((banner) => banner.node)).size).toBe(3);
  });

  it('holds a budget exactly across the nodes: 60 concurrent calls, room for 10, 10 served', async () => {
    // A call of `hi` with max_tokens 1000 reserves 5 + 1000 tokens (README: budgets): room for exactly 10 at once.
    const { id, token } = await project('budget', ['slow'], { budgets: [{ period: 'day', limitTokens: 10 * 1005 }] });
    // Every admitted call is still in flight when the last one asks: none settles (and frees its reservation) before.
    mock.enqueue({ kind: 'delay', ms: 3000 }, { model: 'gpt-slow', times: Infinity });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => chat(i % 3, token, 'slow')));
    const served = results.filter((r) => r.status === 200);
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.code}`)).toEqual(Array(50).fill('429 budget_exceeded'));
    expect(served).toHaveLength(10);
    expect(mock.requests.filter((r) => r.body?.model === 'gpt-slow')).toHaveLength(10);
    // Settled on what was used: every node reports the same spend, the sum of what the 10 calls used.
    const used = served.reduce((sum, r) => sum + r.usage!.prompt_tokens + r.usage!.completion_tokens, 0);
    await onEveryNode(2000, async (node) => {
      const { body } = await admins[node]!.call('GET', `/api/projects/${id}/budgets`);
      return body.budgets[0]?.spentTokens === used;
    });
  });

  it('holds an rpm limit exactly across the nodes: 45 concurrent calls, 12 a minute, 12 served', async () => {
    const { token } = await project('rpm', ['fast'], { limits: { rpm: 12 } });
    await withSecondsLeftInMinute(5);
    const results = await Promise.all(Array.from({ length: 45 }, (_, i) => chat(i % 3, token, 'fast')));
    expect(results.filter((r) => r.status === 200)).toHaveLength(12);
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.code}`)).toEqual(Array(33).fill('429 rate_limited'));
  });

  it('refuses a token revoked through one node on every other within a second', async () => {
    const { id } = await project('revoke', ['fast'], {});
    const created = await admin.call('POST', `/api/projects/${id}/tokens`, { name: 'temporary' });
    expect(created.status).toBe(201);
    const { token, id: tokenId } = created.body as { token: string; id: string };
    await onEveryNode(1000, (node) => accepts(node, token));
    const revoked = await admins[1]!.call('DELETE', `/api/projects/${id}/tokens/${tokenId}`);
    expect(revoked.status).toBe(204);
    const started = performance.now();
    await onEveryNode(1000, async (node) => !(await accepts(node, token)));
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(1000);
    expect((await chat(2, token, 'fast')).status).toBe(401);
  });

  it('adds up usage from every node into one summary, the same whichever node answers', async () => {
    const { id, token } = await project('tally', ['fast'], {});
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => chat(i % 3, token, 'fast', `call number ${i} ${'word '.repeat(i)}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const inputTokens = results.reduce((sum, r) => sum + r.usage!.prompt_tokens, 0);
    const outputTokens = results.reduce((sum, r) => sum + r.usage!.completion_tokens, 0);
    // Each node writes its rollups at most a second after its calls (ROLLUP_PASS_INTERVAL_MS).
    const summaries: unknown[] = [];
    await onEveryNode(5000, async (node) => {
      const { status, body } = await admins[node]!.call('GET', `/api/usage/summary?projectId=${id}`);
      if (status !== 200 || body.totals.requests !== 30) return false;
      summaries[node] = body;
      return true;
    });
    for (const summary of summaries) expect(summary).toEqual(summaries[0]);
    const { totals } = summaries[0] as { totals: Record<string, number> };
    expect(totals).toMatchObject({ requests: 30, errors: 0, inputTokens, outputTokens });
    expect(totals.costUsd).toBeCloseTo((inputTokens + outputTokens) / 1e6, 12);
    // The raw records too: one log for all nodes, each record's trace naming the node that served it.
    const banners = nodes.map((node) => (JSON.parse(node.stderr().split('\n').find((line) => line.includes('"event":"started"'))!) as { node: string }).node);
    for (const node of admins) {
      const records = (await node.call('GET', `/api/usage?projectId=${id}`)).body.records as Array<{ requestId: string; routing?: { node?: string } }>;
      expect(records).toHaveLength(30);
      const servedBy = new Map(records.map((record) => [record.requestId, record.routing?.node]));
      results.forEach((result, i) => expect(servedBy.get(result.requestId!)).toBe(banners[i % 3]));
    }
  });

  it('logged no error on any node', () => {
    for (const node of nodes) expect(node.stderr().split('\n').filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
