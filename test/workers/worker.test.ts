// The Cloudflare Worker end to end: wrangler.toml + adapters/cloudflare-workers/worker.ts running in
// workerd with a local KV namespace, driven over HTTP by the management API and the official
// OpenAI client, against the mock provider on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockAnswerFor, mockOpenAIUsage, startMockProvider, type MockProvider } from '../support/mock-provider.js';
import { startWorkerdGateway, type WorkerdGateway } from '../support/workerd.js';

const PROVIDER_KEY = 'sk-mock';
const PRICING = { input: 1, output: 2 };
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

/** The text the mock answers with (it echoes the last user message). */
function answerText(body: unknown): string {
  const answer = mockAnswerFor('openai', body);
  if (answer.kind !== 'text') throw new Error('expected a text answer');
  return answer.text;
}

interface Api {
  status: number;
  body: any;
}

/** One management API call; the body is parsed when there is one. */
async function api(baseUrl: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Api> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Usage is written through waitUntil after the response, so it may land a moment later. */
async function waitForUsage(baseUrl: string, token: string, projectId: string, count: number): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const usage = await api(baseUrl, 'GET', `/api/usage?projectId=${projectId}`, { token });
    expect(usage.status).toBe(200);
    if (usage.body.records.length >= count || Date.now() > deadline) return usage.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Cloudflare Worker in workerd (wrangler.toml, local KV)', () => {
  let mock: MockProvider;
  let worker: WorkerdGateway;
  let adminToken: string;
  let project: { id: string; token: string; tokenId: string };
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockProvider({ openaiKey: PROVIDER_KEY });
    worker = await startWorkerdGateway();
    console.info(`workerd gateway booted in ${worker.bootMs} ms`);

    const setup = await api(worker.url, 'POST', '/api/setup', { body: ADMIN });
    expect(setup.status, JSON.stringify(setup.body)).toBe(201);
    adminToken = setup.body.token;

    const model = await api(worker.url, 'POST', '/api/models', {
      token: adminToken,
      body: { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: PROVIDER_KEY, pricing: PRICING },
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);

    const created = await api(worker.url, 'POST', '/api/projects', { token: adminToken, body: { name: 'p', models: ['gpt'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    project = created.body;
    client = new OpenAI({ apiKey: project.token, baseURL: `${worker.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await worker?.close();
    await mock?.close();
  });

  it('refuses a second setup (the first, in beforeAll, found the fresh KV empty)', async () => {
    const again = await api(worker.url, 'POST', '/api/setup', { body: ADMIN });
    expect(again.status).toBe(409);
  });

  it('proxies a streamed and a non-streamed chat completion and records their usage and cost', async () => {
    const streamedBody = { model: 'gpt', messages: [{ role: 'user' as const, content: 'hello from a stream' }] };
    const { data: stream, response: streamResponse } = await client.chat.completions.create({ ...streamedBody, stream: true }).withResponse();
    expect(streamResponse.headers.get('x-routerly-model')).toBe('gpt');
    let streamedText = '';
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      streamedText += chunk.choices[0]?.delta.content ?? '';
    }
    expect(streamedText).toBe(answerText(streamedBody));
    // The gateway asked the upstream for usage to bill the call; the client did not, so it must not see it.
    expect(mock.requests.at(-1)?.body.stream_options?.include_usage).toBe(true);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(chunk.usage ?? null).toBeNull();
      expect(chunk.choices.length).toBeGreaterThan(0);
    }

    const plainBody = { model: 'gpt', messages: [{ role: 'user' as const, content: 'hello, no stream' }] };
    const { data: completion, response: plainResponse } = await client.chat.completions.create(plainBody).withResponse();
    expect(plainResponse.headers.get('x-routerly-model')).toBe('gpt');
    expect(completion.choices[0]?.message.content).toBe(answerText(plainBody));

    const usage = await waitForUsage(worker.url, adminToken, project.id, 2);
    expect(usage.records).toHaveLength(2);
    for (const [record, body, stream] of [
      [usage.records.find((r: any) => r.stream), streamedBody, true],
      [usage.records.find((r: any) => !r.stream), plainBody, false],
    ] as const) {
      const expected = mockOpenAIUsage(body);
      expect(record).toMatchObject({
        projectId: project.id,
        tokenId: project.tokenId,
        model: 'gpt',
        provider: 'openai',
        stream,
        status: 200,
        outcome: 'ok',
        inputTokens: expected.prompt_tokens,
        outputTokens: expected.completion_tokens,
        cachedInputTokens: expected.prompt_tokens_details.cached_tokens,
      });
      // Prices are per million tokens; cached tokens fall back to the input price.
      const expectedCost = (expected.prompt_tokens * PRICING.input + expected.completion_tokens * PRICING.output) / 1e6;
      expect(record.costUsd).toBeGreaterThan(0);
      expect(record.costUsd).toBeCloseTo(expectedCost, 9);
    }
    expect(usage.totals.requests).toBe(2);
    expect(usage.totals.costUsd).toBeGreaterThan(0);
  });

  it('rejects a project token once it is revoked', async () => {
    const revoked = await api(worker.url, 'DELETE', `/api/projects/${project.id}/tokens/${project.tokenId}`, { token: adminToken });
    expect(revoked.status).toBe(204);
    const refused = await client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'still there?' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('Cloudflare Worker without ROUTERLY_SECRET', () => {
  let worker: WorkerdGateway;
  beforeAll(async () => {
    worker = await startWorkerdGateway({ secret: null });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('answers 500 with a message that says how to set the secret', async () => {
    const response = await api(worker.url, 'GET', '/health');
    expect(response.status).toBe(500);
    expect(response.body.error.message).toContain('ROUTERLY_SECRET');
    expect(response.body.error.message).toContain('wrangler secret put');
  });
});

// Local workerd runs PBKDF2 with any iteration count; Cloudflare's edge refuses more than 100,000.
// This wrapper reproduces the edge's refusal, so password hashing that only works locally fails here.
describe('Cloudflare Worker under the edge PBKDF2 cap (100,000 iterations)', () => {
  let worker: WorkerdGateway;
  beforeAll(async () => {
    worker = await startWorkerdGateway({ entrypoint: fileURLToPath(new URL('./production-limits.worker.ts', import.meta.url)) });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('can run first-run setup and log in', async () => {
    const setup = await api(worker.url, 'POST', '/api/setup', { body: ADMIN });
    expect(setup.status, JSON.stringify(setup.body)).toBe(201);
    const login = await api(worker.url, 'POST', '/api/auth/login', { body: ADMIN });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
  });
});
