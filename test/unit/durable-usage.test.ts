import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';
import { createMemoryStore } from '../../storage/memory.js';

const completion = JSON.stringify({
  id: 'c',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});
const streamed = [
  'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n',
  'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
  'data: [DONE]\n\n',
].join('');

/** A gateway on a memory store whose provider answers at once, set up over its own API. */
async function gatewayWith(durableUsage: boolean) {
  const store = createMemoryStore();
  const upstream = (async (_url: string, init: RequestInit) => {
    const stream = JSON.parse(String(init.body)).stream === true;
    return new Response(stream ? streamed : completion, { headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } });
  }) as typeof fetch;
  const gateway = createGateway({ store, secret: 'durable-usage-test-secret-0123456789', fetch: upstream, settings: { durableUsage } });
  const call = async (path: string, body: unknown, token?: string) =>
    gateway.fetch(new Request(`http://gw${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }));
  const admin = (await (await call('/api/setup', { email: 'a@example.com', password: 'password password' })).json()).token;
  await call('/api/models', { id: 'gpt', provider: 'openai', baseUrl: 'http://upstream.invalid/v1', apiKey: 'k' }, admin);
  const project = await (await call('/api/projects', { name: 'p', models: ['gpt'] }, admin)).json();
  /** Whether the call's record is in the store right now, without flushing the recorder. */
  const stored = async (requestId: string | null) => {
    const keys = await store.list('data/usage/');
    const texts = await Promise.all(keys.map((key) => store.get(key)));
    return texts.some((text) => text?.includes(`"requestId":"${requestId}"`));
  };
  return { chat: (body: Record<string, unknown>) => call('/v1/chat/completions', { model: 'gpt', messages: [{ role: 'user', content: 'hi' }], ...body }, project.token), stored };
}

describe('durable usage', () => {
  it('stores a whole answer\'s record before the answer is returned', async () => {
    const { chat, stored } = await gatewayWith(true);
    const response = await chat({});
    expect(await stored(response.headers.get('x-routerly-request-id'))).toBe(true);
    await response.text();
  });

  it('stores a stream\'s record before its last bytes reach the client', async () => {
    const { chat, stored } = await gatewayWith(true);
    const response = await chat({ stream: true });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      // The moment the last event is in the client's hands, the record must already be stored.
      if (text.includes('[DONE]')) expect(await stored(response.headers.get('x-routerly-request-id'))).toBe(true);
    }
    expect(text).toContain('[DONE]');
  });

  it('by default answers first and stores the batch a moment later (the documented loss window)', async () => {
    const { chat, stored } = await gatewayWith(false);
    const response = await chat({});
    const requestId = response.headers.get('x-routerly-request-id');
    expect(await stored(requestId)).toBe(false);
    await expect.poll(() => stored(requestId), { timeout: 2000, interval: 10 }).toBe(true);
  });
});
