/**
 * A budget's spend survives a restart of the Node server: the in-memory counters start empty,
 * and the first call that needs a period warms it from the usage rollups (never raw records).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { adminClient, createModel, createProject } from '../support/gateway-client.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';

let home: string;
let mock: MockProvider;
let server: NodeServer | undefined;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-budget-restart-'));
  mock = await startMockProvider({});
});
afterAll(async () => {
  await server?.close(1000);
  await mock.close();
  await rm(home, { recursive: true, force: true });
});

const start = () => startNodeServer({ home, port: 0, logger: false });
const budgetsOf = async (url: string, projectId: string) => (await (await adminClient(url)).call('GET', `/api/projects/${projectId}/budgets`)).body.budgets;

it('keeps what a period spent across a restart, and goes on counting from it', async () => {
  server = await start();
  const admin = await adminClient(server.url);
  await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-x', pricing: { input: 2, output: 8 } });
  const project = await createProject(admin, 'p', ['gpt'], { budgets: [{ period: 'day', limitUsd: 10, limitTokens: 1_000_000 }, { period: 'total', limitUsd: 100 }] });
  const client = () => new OpenAI({ apiKey: project.token, baseURL: `${server!.url}/v1`, maxRetries: 0 });
  await client().chat.completions.create({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'hello there' }] });
  await client().chat.completions.create({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'and again' }] });
  const usage = (await admin.call('GET', `/api/usage?projectId=${project.id}`)).body.totals;
  expect(usage.requests).toBe(2);
  const before = await budgetsOf(server.url, project.id);
  expect(before).toEqual([
    expect.objectContaining({ scope: 'project', period: 'day', spentUsd: usage.costUsd, spentTokens: usage.inputTokens + usage.outputTokens }),
    expect.objectContaining({ scope: 'project', period: 'total', spentUsd: usage.costUsd, resetsAt: null }),
  ]);

  await server.close(1000);
  server = await start();
  expect(await budgetsOf(server.url, project.id)).toEqual(before);
  await client().chat.completions.create({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'a third' }] });
  const after = (await (await adminClient(server.url)).call('GET', `/api/usage?projectId=${project.id}`)).body.totals;
  expect(after.requests).toBe(3);
  const [day] = await budgetsOf(server.url, project.id);
  expect(day.spentUsd).toBeCloseTo(after.costUsd, 9);
  expect(day.spentTokens).toBe(after.inputTokens + after.outputTokens);
});
