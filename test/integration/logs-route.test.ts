/**
 * GET /api/logs: the call log through the management API. Through the Node server, real calls
 * (one that fell back) show up newest first with their attempts; members see their projects only;
 * bad queries are 400s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { adminClient, createModel, createProject, type AdminClient } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';

const KEY = 'sk-upstream-logs-1234';
let mock: MockProvider;
let home: string;
let server: NodeServer;
let admin: AdminClient;
let member: AdminClient;
let projects: { a: Awaited<ReturnType<typeof createProject>>; b: Awaited<ReturnType<typeof createProject>> };

const chat = (token: string, model: string) =>
  new OpenAI({ apiKey: token, baseURL: `${server.url}/v1`, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: KEY });
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-logs-'));
  server = await startNodeServer({ home, port: 0, logger: false });
  admin = await adminClient(server.url);
  for (const id of ['first', 'second']) await createModel(admin, { id, provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: KEY, pricing: { input: 1, output: 1 } });
  const created = await admin.call('POST', '/api/users', { email: 'member@example.com', password: 'correct horse battery', role: 'viewer' });
  projects = {
    a: await createProject(admin, 'a', ['first', 'second'], { members: [{ userId: created.body.id, role: 'viewer' }] }),
    b: await createProject(admin, 'b', ['first']),
  };
  member = await adminClient(server.url, 'member@example.com');
  await chat(projects.a.token, 'first');
  // The first model fails once: the call is served by the second, after two attempts.
  mock.enqueue({ kind: 'error', status: 503 }, { model: 'first' });
  await chat(projects.a.token, 'first');
  await chat(projects.b.token, 'first');
});
afterAll(async () => {
  await server?.close(1000);
  await mock?.close();
  await rm(home, { recursive: true, force: true });
});

it('lists each call once, newest first, with how it ended and how many attempts it took', async () => {
  const answer = await admin.call('GET', '/api/logs');
  expect(answer.status).toBe(200);
  expect(answer.body.nextCursor).toBeNull();
  const calls = answer.body.calls;
  expect(calls.map((c: { projectId: string }) => c.projectId)).toEqual([projects.b.id, projects.a.id, projects.a.id]);
  expect(calls[1]).toMatchObject({ model: 'second', status: 200, outcome: 'ok', attempts: 2, stream: false, endpoint: '/v1/chat/completions', tokenId: projects.a.tokenId });
  expect(calls[2]).toMatchObject({ model: 'first', attempts: 1 });
  for (const row of calls) {
    expect(Object.keys(row).sort()).toEqual(
      ['attempts', 'costUsd', 'endpoint', 'inputTokens', 'latencyMs', 'model', 'outcome', 'outputTokens', 'projectId', 'requestId', 'status', 'stream', 'time', 'tokenId', 'ttftMs'].sort(),
    );
    expect(row.costUsd).toBeGreaterThan(0);
  }
  // Opening a row: every attempt of the call.
  const opened = await admin.call('GET', `/api/usage/${calls[1].requestId}`);
  expect(opened.body.records.map((r: { model: string }) => r.model)).toEqual(['first', 'second']);
});

it('pages with the cursor, and filters by project, model and outcome', async () => {
  const first = await admin.call('GET', '/api/logs?limit=2');
  expect(first.body.calls).toHaveLength(2);
  const second = await admin.call('GET', `/api/logs?limit=2&cursor=${first.body.nextCursor}`);
  expect([second.body.calls.length, second.body.nextCursor]).toEqual([1, null]);
  expect((await admin.call('GET', `/api/logs?projectId=${projects.b.id}`)).body.calls).toHaveLength(1);
  expect((await admin.call('GET', '/api/logs?model=second')).body.calls).toHaveLength(1);
  expect((await admin.call('GET', '/api/logs?outcome=upstream_error')).body.calls).toHaveLength(0);
});

it("shows a member only their projects' calls", async () => {
  const answer = await member.call('GET', '/api/logs');
  expect(answer.body.calls.map((c: { projectId: string }) => c.projectId)).toEqual([projects.a.id, projects.a.id]);
  expect((await member.call('GET', `/api/logs?projectId=${projects.b.id}`)).body.calls).toEqual([]);
});

it('refuses a bad limit or cursor with a 400', async () => {
  for (const query of ['limit=0', 'limit=501', 'limit=x', 'cursor=garbage', 'projectId=']) {
    const answer = await admin.call('GET', `/api/logs?${query}`);
    expect([answer.status, answer.body.error.code], query).toEqual([400, 'invalid_request']);
  }
});
