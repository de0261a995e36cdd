/**
 * POST /api/models/{id}/test and POST /api/models/test, through the Node server against the mock
 * provider: a real minimal chat call, its answer or the provider's own error, never a key, never
 * a usage record, and never to an address a model could not be saved with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNodeServer, type NodeServer } from '../../adapters/node/server.js';
import { adminClient, createModel, requestJson, type AdminClient } from '../support/gateway-client.js';
import { mockOpenAIUsage, startMockProvider, type MockProvider } from '../support/mock-provider.js';

const OPENAI_KEY = 'sk-upstream-test-call-SECRET-1234';
const ANTHROPIC_KEY = 'sk-ant-test-call-SECRET-5678';

let mock: MockProvider;
let home: string;
let server: NodeServer;
let admin: AdminClient;
let operator: AdminClient;

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
  home = await mkdtemp(path.join(os.tmpdir(), 'routerly-test-call-'));
  server = await startNodeServer({ home, port: 0, logger: false });
  admin = await adminClient(server.url);
  await createModel(admin, { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: OPENAI_KEY, pricing: { input: 1, output: 2 } });
  await createModel(admin, { id: 'claude', provider: 'anthropic', baseUrl: mock.anthropicBaseUrl, apiKey: ANTHROPIC_KEY });
  await createModel(admin, { id: 'slow', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: OPENAI_KEY, timeouts: { totalMs: 300 } });
  const created = await admin.call('POST', '/api/users', { email: 'op@example.com', password: 'correct horse battery', role: 'operator' });
  expect(created.status).toBe(201);
  operator = await adminClient(server.url, 'op@example.com');
});
beforeEach(() => mock.reset());
afterAll(async () => {
  await server?.close(1000);
  await mock?.close();
  await rm(home, { recursive: true, force: true });
});

describe('testing a stored model', () => {
  it('makes one short, unstreamed chat call and answers the text, usage and cost', async () => {
    const answer = await admin.call('POST', '/api/models/gpt/test');
    expect(answer.status).toBe(200);
    const sent = mock.requests.at(-1)!;
    expect(sent.body).toMatchObject({ model: 'gpt', messages: [{ role: 'user', content: 'Reply with the word ok.' }] });
    expect(sent.body.max_completion_tokens ?? sent.body.max_tokens).toBe(16);
    expect(sent.body.stream).toBeFalsy();
    const usage = mockOpenAIUsage(sent.body);
    expect(answer.body).toEqual({
      ok: true,
      latencyMs: expect.any(Number),
      text: 'echo: Reply with the word ok.',
      usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens },
      costUsd: (usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6,
    });
  });

  it('works through translation too (an Anthropic model)', async () => {
    const answer = await admin.call('POST', '/api/models/claude/test');
    expect([answer.status, answer.body.ok, answer.body.text]).toEqual([200, true, 'echo: Reply with the word ok.']);
    expect(mock.requests.at(-1)!.body.max_tokens).toBe(16);
  });

  it("answers the provider's own error, with its status and code (or type), as a 200", async () => {
    mock.enqueue({ kind: 'error', status: 400, body: { error: { message: 'The model `gpt` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } });
    const answer = await admin.call('POST', '/api/models/gpt/test');
    expect([answer.status, answer.body]).toEqual([
      200,
      { ok: false, latencyMs: expect.any(Number), status: 400, error: { type: 'model_not_found', message: 'The model `gpt` does not exist' } },
    ]);
  });

  it('never shows the key, even when the provider repeats it', async () => {
    mock.enqueue({ kind: 'error', status: 401, body: { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, type: 'invalid_request_error' } } });
    const answer = await admin.call('POST', '/api/models/gpt/test');
    expect([answer.body.ok, answer.body.status, answer.body.error.message]).toEqual([false, 401, 'Incorrect API key provided: [redacted].']);
    expect(JSON.stringify(answer.body)).not.toContain(OPENAI_KEY);
  });

  it("says when the model's timeout cut the call, or the provider could not be reached", async () => {
    mock.enqueue({ kind: 'hang' });
    const slow = await admin.call('POST', '/api/models/slow/test');
    expect(slow.body).toEqual({ ok: false, latencyMs: expect.any(Number), error: { type: 'total_timeout', message: 'the provider did not finish within 300 ms' } });
    mock.enqueue({ kind: 'reset' });
    const reset = await admin.call('POST', '/api/models/gpt/test');
    expect([reset.body.ok, reset.body.error.type]).toEqual([false, 'upstream_unreachable']);
  });

  it('records no usage and answers 404 for a model that does not exist', async () => {
    expect((await admin.call('POST', '/api/models/gpt/test')).body.ok).toBe(true);
    expect((await admin.call('GET', '/api/usage')).body.records).toEqual([]);
    expect((await admin.call('POST', '/api/models/nope/test')).status).toBe(404);
  });
});

describe("testing a form's unsaved values", () => {
  it('calls with the key given, or an existing model\'s stored key when none is', async () => {
    const fresh = await admin.call('POST', '/api/models/test', { id: 'new-one', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: OPENAI_KEY, upstreamModel: 'gpt-x' });
    expect([fresh.status, fresh.body.ok]).toEqual([200, true]);
    expect(mock.requests.at(-1)!.body.model).toBe('gpt-x');
    const stored = await operator.call('POST', '/api/models/test', { id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, upstreamModel: 'gpt-y' });
    expect([stored.status, stored.body.ok]).toEqual([200, true]);
    expect(mock.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const keyless = await admin.call('POST', '/api/models/test', { id: 'other', provider: 'openai', baseUrl: mock.openaiBaseUrl });
    expect([keyless.body.ok, keyless.body.status]).toEqual([false, 401]);
    expect((await admin.call('GET', '/api/models')).body.models.map((m: { id: string }) => m.id).sort()).toEqual(['claude', 'gpt', 'slow']);
  });

  it("refuses to send a stored key anywhere else unless it is given again or the caller is an admin", async () => {
    const elsewhere = { id: 'gpt', provider: 'openai', baseUrl: `${mock.url}/elsewhere/v1` };
    const refused = await operator.call('POST', '/api/models/test', elsewhere);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect(mock.requests).toEqual([]);
    expect((await operator.call('POST', '/api/models/test', { ...elsewhere, apiKey: 'sk-mine' })).status).toBe(200);
    expect((await admin.call('POST', '/api/models/test', elsewhere)).status).toBe(200);
  });

  it('refuses, with a 400, a model that could not be saved: bad base URL, missing base URL, wrong fields', async () => {
    for (const body of [
      { id: 'meta', provider: 'openai', baseUrl: 'http://169.254.169.254/v1', apiKey: 'k' },
      { id: 'q', provider: 'openai', baseUrl: `${mock.openaiBaseUrl}?x=1`, apiKey: 'k' },
      { id: 'c', provider: 'custom', apiKey: 'k' },
      { id: 'p', provider: 'openai', preset: 'groq' },
      { provider: 'openai' },
      { id: 'x', provider: 'nope' },
    ]) {
      const answer = await admin.call('POST', '/api/models/test', body);
      expect([answer.status, answer.body.error?.code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    const notJson = await requestJson(`${server.url}/api/models/test`, 'POST', undefined, admin.token);
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(notJson.status).toBeLessThan(500);
    expect(mock.requests).toEqual([]);
  });

  it('keeps to forbidPrivateAddresses like saving does', async () => {
    expect((await admin.call('PUT', '/api/settings', { forbidPrivateAddresses: true })).status).toBe(200);
    try {
      const answer = await admin.call('POST', '/api/models/test', { id: 'local', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: OPENAI_KEY });
      expect([answer.status, answer.body.error.param ?? answer.body.error.message]).toEqual([400, expect.stringContaining('baseUrl')]);
      // A stored model whose address the setting now forbids is not called, and the answer says why.
      const stored = await admin.call('POST', '/api/models/gpt/test');
      expect([stored.status, stored.body.ok, stored.body.error.type]).toEqual([200, false, 'refused_address']);
      expect(stored.body.error.message).toMatch(/^baseUrl: must not address a loopback, private or link-local address/);
      expect(mock.requests).toEqual([]);
    } finally {
      await admin.call('PUT', '/api/settings', { forbidPrivateAddresses: false });
    }
  });
});
