import { describe, expect, it } from 'vitest';
import { createGateway, type RequestContext } from '../../src/index.js';
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

/**
 * A gateway on a memory store whose provider answers at once (with `completion` unless told
 * otherwise), set up over its own API; proxied calls get `context`.
 */
async function gatewayWith(durableUsage: boolean, options: { context?: RequestContext; answer?: string } = {}) {
  const store = createMemoryStore();
  const upstream = (async (_url: string, init: RequestInit) => {
    const stream = JSON.parse(String(init.body)).stream === true;
    return new Response(stream ? streamed : (options.answer ?? completion), { headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } });
  }) as typeof fetch;
  const gateway = createGateway({ store, secret: 'durable-usage-test-secret-0123456789', fetch: upstream, settings: { durableUsage } });
  const call = async (path: string, body: unknown, token?: string) =>
    gateway.fetch(
      new Request(`http://gw${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }),
      path.startsWith('/v1/') ? options.context : undefined,
    );
  const admin = (await (await call('/api/setup', { email: 'a@example.com', password: 'password password' })).json()).token;
  await call('/api/models', { id: 'gpt', provider: 'openai', baseUrl: 'http://upstream.invalid/v1', apiKey: 'k' }, admin);
  const project = await (await call('/api/projects', { name: 'p', models: ['gpt'] }, admin)).json();
  /** Whether the call's record is in the store right now, without flushing the recorder. */
  const stored = async (requestId: string | null) => {
    const keys = await store.list('data/usage/');
    const texts = await Promise.all(keys.map((key) => store.get(key)));
    return texts.some((text) => text?.includes(`"requestId":"${requestId}"`));
  };
  /** The call's stored record, once every record so far is written. */
  const record = async (requestId: string | null): Promise<Record<string, unknown> | undefined> => {
    await gateway.flush();
    const keys = await store.list('data/usage/');
    const lines = (await Promise.all(keys.map((key) => store.get(key)))).flatMap((text) => (text ?? '').split('\n').filter(Boolean));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.requestId === requestId);
  };
  return { record, chat: (body: Record<string, unknown>) => call('/v1/chat/completions', { model: 'gpt', messages: [{ role: 'user', content: 'hi' }], ...body }, project.token), stored };
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

describe('accounting after the answer (RequestContext.afterResponse)', () => {
  /** A runtime that runs accounting when told to, as Node's server does once the answer is written. */
  function laterQueue() {
    const tasks: Array<() => void> = [];
    return { tasks, context: { afterResponse: (task: () => void) => void tasks.push(task) } satisfies RequestContext, runAll: () => tasks.splice(0).forEach((task) => task()) };
  }

  it('returns a whole answer before its record is made, and makes it when the runtime says', async () => {
    const later = laterQueue();
    const { chat, record } = await gatewayWith(false, { context: later.context });
    const response = await chat({});
    const requestId = response.headers.get('x-routerly-request-id');
    expect(JSON.parse(await response.text()).usage.total_tokens).toBe(4);
    expect(later.tasks).toHaveLength(1);
    expect(await record(requestId)).toBeUndefined();
    later.runAll();
    expect(await record(requestId)).toMatchObject({ outcome: 'ok', inputTokens: 3, outputTokens: 1, usageReported: true });
  });

  it('sends a forwarded answer that is not JSON as it came, and records it as no answer afterwards', async () => {
    const later = laterQueue();
    const { chat, record } = await gatewayWith(false, { context: later.context, answer: 'not json at all' });
    const response = await chat({});
    expect(await response.text()).toBe('not json at all');
    later.runAll();
    expect(await record(response.headers.get('x-routerly-request-id'))).toMatchObject({ outcome: 'invalid_answer', usageReported: false });
  });

  it('makes a stream\'s record once it has ended, not before', async () => {
    const later = laterQueue();
    const { chat, record } = await gatewayWith(false, { context: later.context });
    const response = await chat({ stream: true });
    expect(later.tasks).toHaveLength(0);
    expect(await response.text()).toContain('[DONE]');
    expect(later.tasks).toHaveLength(1);
    later.runAll();
    expect(await record(response.headers.get('x-routerly-request-id'))).toMatchObject({ stream: true, inputTokens: 3, outputTokens: 1 });
  });

  it('never defers a durable record: it is stored before the answer is returned', async () => {
    const later = laterQueue();
    const { chat, stored } = await gatewayWith(true, { context: later.context });
    const response = await chat({});
    expect(await stored(response.headers.get('x-routerly-request-id'))).toBe(true);
    expect(later.tasks).toHaveLength(0);
  });
});
