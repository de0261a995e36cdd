/**
 * GET /api/usage/summary through the real gateway on the files store: calls of two projects and
 * three tokens, some falling over from a failing model, some without usage, spread over hours
 * across a month's end by the gateway's clock. The summary (from the rollups) must equal the raw
 * records' totals from GET /api/usage for every grouping and range of whole hours, each group
 * included; visibility and validation are checked on the way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/deps.js';
import { createGateway } from '../../src/index.js';
import { countLatency, estimatePercentile } from '../../src/usage/latency-histogram.js';
import { isCallRecord, type UsageRecord } from '../../src/usage/record.js';
import { createFileStore } from '../../storage/files.js';

const SECRET = 'usage-summary-test-secret-0123456789abcdef';
const ADMIN = { email: 'admin@example.com', password: 'a long admin password' };
const VIEWER = { email: 'viewer@example.com', password: 'a long viewer password' };

/** The upstream: `flaky` fails while `failFlaky` is set; `quiet` answers without usage. */
let failFlaky = false;
const upstream = (async (_url: string, init: RequestInit) => {
  const body = JSON.parse(String(init.body));
  if (body.model === 'flaky' && failFlaky) return new Response(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }), { status: 500, headers: { 'content-type': 'application/json' } });
  const words = String(body.messages.at(-1).content).length;
  const completion = {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    ...(body.model === 'quiet' ? {} : { usage: { prompt_tokens: 10 + words, completion_tokens: 3 + (words % 7), total_tokens: 13 + words + (words % 7) } }),
  };
  return new Response(JSON.stringify(completion), { headers: { 'content-type': 'application/json' } });
}) as typeof fetch;

let home: string;
let gateway: Gateway;
let clock = Date.parse('2026-01-30T21:10:00.000Z');

async function call(method: string, url: string, body?: unknown, token?: string) {
  const response = await gateway.fetch(
    new Request(`http://gw${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function login(who: { email: string; password: string }): Promise<string> {
  const answer = await call('POST', '/api/auth/login', who);
  expect(answer.status).toBe(200);
  return answer.body.token;
}

let admin: string;
let viewer: string;
let projectA: string;
let projectB: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-usage-summary-'));
  gateway = createGateway({ store: createFileStore(home), secret: SECRET, fetch: upstream, now: () => clock, instanceId: 'summary-test' });
  admin = (await call('POST', '/api/setup', ADMIN)).body.token;
  const pricing = { input: 0.15, output: 0.6 };
  for (const id of ['flaky', 'steady', 'quiet']) {
    expect((await call('POST', '/api/models', { id, provider: 'openai', baseUrl: 'http://upstream.invalid/v1', apiKey: 'k', pricing: id === 'steady' ? { input: 2.5, output: 10 } : pricing }, admin)).status).toBe(201);
  }
  const a = (await call('POST', '/api/projects', { name: 'a', models: ['flaky', 'steady', 'quiet'] }, admin)).body;
  const b = (await call('POST', '/api/projects', { name: 'b', models: ['steady', 'quiet'] }, admin)).body;
  const a2 = (await call('POST', `/api/projects/${a.id}/tokens`, { name: 'second' }, admin)).body;
  projectA = a.id;
  projectB = b.id;
  const user = (await call('POST', '/api/users', { ...VIEWER, role: 'viewer' }, admin)).body;
  expect((await call('PUT', `/api/projects/${projectB}`, { members: [{ userId: user.id, role: 'viewer' }] }, admin)).status).toBe(200);

  // 90 calls over about three days, 47 minutes apart: ragged hours, three days, two months.
  const tokens = [a.token, a2.token, b.token];
  for (let n = 0; n < 90; n++) {
    clock += 47 * 60_000;
    failFlaky = n % 4 === 0;
    const token = tokens[n % 3]!;
    const model = token === b.token ? (n % 5 === 0 ? 'quiet' : 'steady') : n % 6 === 0 ? 'quiet' : 'flaky';
    const answer = await call('POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x'.repeat(n) }] }, token);
    expect(answer.status).toBe(200);
  }
  // Sessions live an hour of the gateway's clock: sign in again at the end.
  clock += 60_000;
  admin = await login(ADMIN);
  viewer = await login(VIEWER);
}, 60_000);

afterAll(async () => {
  await gateway?.flush();
  await rm(home, { recursive: true, force: true });
});

const TOTAL_FIELDS = ['requests', 'errors', 'attempts', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheWriteTokens', 'costUsd'] as const;
const pick = (figures: Record<string, number>) => Object.fromEntries(TOTAL_FIELDS.map((field) => [field, figures[field]]));

async function rawTotals(query: string, token = admin) {
  const answer = await call('GET', `/api/usage?${query}&limit=1`, undefined, token);
  expect(answer.status).toBe(200);
  return pick(answer.body.totals);
}

async function summary(query: string, token = admin) {
  const answer = await call('GET', `/api/usage/summary?${query}`, undefined, token);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

const RANGES: Array<[string, string]> = [
  ['bare days', 'from=2026-01-30&to=2026-02-02'],
  ['ragged whole hours across the month end', 'from=2026-01-31T17:00:00.000Z&to=2026-02-01T05:59:59.999Z'],
  ['one whole month', 'from=2026-02-01&to=2026-02-28'],
  ['one hour', 'from=2026-01-31T10:00:00Z&to=2026-01-31T10:59:59.999Z'],
  ['an offset and no upper bound', 'from=2026-02-01T03:00:00%2B02:00'],
];

describe('GET /api/usage/summary', () => {
  it('has usage to summarize: failed attempts, errors-free fallbacks and unreported usage', async () => {
    const totals = await rawTotals('');
    expect(totals.requests).toBe(90);
    expect(totals.attempts).toBeGreaterThan(90);
    expect(totals.costUsd).toBeGreaterThan(0);
  });

  it.each(RANGES.flatMap(([name, query]) => (['project', 'model', 'token', 'day', 'hour'] as const).map((groupBy) => [name, groupBy, query] as const)))(
    '%s, by %s: totals equal the raw records',
    async (_, groupBy, query) => {
      const answer = await summary(`${query}&groupBy=${groupBy}`);
      expect(answer.groupBy).toBe(groupBy);
      expect(pick(answer.totals)).toEqual(await rawTotals(query));
      // The groups add up to the totals.
      const sum = (field: (typeof TOTAL_FIELDS)[number]) => answer.groups.reduce((total: number, group: Record<string, number>) => total + group[field]!, 0);
      for (const field of TOTAL_FIELDS) expect(sum(field)).toBeCloseTo(answer.totals[field], 9);
    },
  );

  it('answers each project and each day as the raw records of it', async () => {
    for (const [, query] of RANGES) {
      const byProject = await summary(`${query}&groupBy=project`);
      for (const group of byProject.groups) expect(pick(group)).toEqual(await rawTotals(`${query}&projectId=${group.projectId}`));
    }
    const byDay = await summary('groupBy=day');
    expect(byDay.groups.map((group: { key: string }) => group.key)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
    for (const group of byDay.groups) expect(pick(group)).toEqual(await rawTotals(`from=${group.day}&to=${group.day}`));
    const byHour = await summary('from=2026-01-31&to=2026-01-31&groupBy=hour');
    for (const group of byHour.groups) expect(pick(group)).toEqual(await rawTotals(`from=${group.hour}&to=${group.hour.replace(':00:00.000Z', ':59:59.999Z')}`));
    expect(byHour.groups.length).toBeGreaterThan(20);
  });

  it('reports fallbacks and latency percentiles, per group and in totals, as the raw calls give them', async () => {
    const records = (await call('GET', '/api/usage?limit=10000', undefined, admin)).body.records as UsageRecord[];
    const expected = (rs: UsageRecord[]) => {
      const calls = rs.filter(isCallRecord);
      const latencies: number[] = [];
      const ttfts: number[] = [];
      for (const r of calls) {
        countLatency(latencies, r.latencyMs);
        countLatency(ttfts, r.ttftMs);
      }
      return {
        fallbacks: calls.filter((r) => r.outcome === 'ok' && (r.attempt ?? 1) > 1).length,
        p50LatencyMs: estimatePercentile(latencies, 0.5),
        p95LatencyMs: estimatePercentile(latencies, 0.95),
        p50TtftMs: estimatePercentile(ttfts, 0.5),
        p95TtftMs: estimatePercentile(ttfts, 0.95),
      };
    };
    const byProject = await summary('groupBy=project');
    // The flaky model fails every fourth call of project a, which then falls back.
    expect(byProject.totals.fallbacks).toBeGreaterThan(0);
    expect(byProject.totals).toMatchObject(expected(records));
    for (const group of byProject.groups) expect(group).toMatchObject(expected(records.filter((r) => r.projectId === group.projectId)));
    const byModel = await summary('groupBy=model');
    for (const group of byModel.groups) expect(group).toMatchObject(expected(records.filter((r) => r.model === group.model)));
  });

  it('names the whole hours it counted', async () => {
    const answer = await summary('from=2026-01-31T17:20:00Z&to=2026-02-01T05:05:00Z&groupBy=model');
    expect(answer.from).toBe('2026-01-31T17:00:00.000Z');
    expect(answer.to).toBe('2026-02-01T05:59:59.999Z');
    expect(pick(answer.totals)).toEqual(await rawTotals('from=2026-01-31T17:00:00Z&to=2026-02-01T05:59:59.999Z'));
    const open = await summary('groupBy=token');
    expect([open.from, open.to]).toEqual([null, null]);
    expect(open.groups).toHaveLength(3);
    expect(open.groups.filter((group: { projectId: string }) => group.projectId === projectA)).toHaveLength(2);
  });

  it('includes a call that has just finished', async () => {
    const before = (await summary('groupBy=project')).totals.requests;
    const project = (await call('GET', `/api/projects/${projectB}`, undefined, admin)).body;
    expect(project.id).toBe(projectB);
    const token = (await call('POST', `/api/projects/${projectB}/tokens`, {}, admin)).body.token;
    expect((await call('POST', '/v1/chat/completions', { model: 'steady', messages: [{ role: 'user', content: 'now' }] }, token)).status).toBe(200);
    expect((await summary('groupBy=project')).totals.requests).toBe(before + 1);
  });

  it('shows a member only the projects they may see', async () => {
    const answer = await summary('groupBy=project', viewer);
    expect(answer.groups.map((group: { key: string }) => group.key)).toEqual([projectB]);
    expect(pick(answer.totals)).toEqual(await rawTotals(`projectId=${projectB}`));
    expect((await summary(`groupBy=project&projectId=${projectA}`, viewer)).groups).toEqual([]);
  });

  it.each([
    ['an unknown groupBy', 'groupBy=week'],
    ['a from after its to', 'from=2026-02-02&to=2026-02-01'],
    ['a date that is none', 'from=yesterday'],
    ['by hour without from', 'groupBy=hour'],
    ['by hour over more than 31 days', 'groupBy=hour&from=2026-01-01&to=2026-02-01'],
  ])('answers %s with a 400', async (_, query) => {
    const answer = await call('GET', `/api/usage/summary?${query}`, undefined, admin);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('needs a session', async () => {
    expect((await call('GET', '/api/usage/summary')).status).toBe(401);
  });

  it('keeps the rollups in documents of this instance only', async () => {
    const store = createFileStore(home);
    const keys = await store.list('data/rollups/');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.endsWith('.summary-test.json'))).toBe(true);
    expect(await store.list('data/rollups/month/')).toEqual(['data/rollups/month/2026-01.summary-test.json', 'data/rollups/month/2026-02.summary-test.json']);
  });
});
