// Proves the mock provider is faithful: the official SDKs talk to it directly and must parse
// every answer (plain, streamed, tool calls, embeddings, errors) exactly as they parse the real APIs'.
// Failure behaviours are covered in ./mock-provider/behaviours.test.ts, except the queue's model
// targeting and the fault modes routing tests use, at the end of this file; Gemini and Cohere, whose
// SDKs are not project dependencies, byte for byte in ./mock-provider/gemini.test.ts and cohere.test.ts.

import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk';
import OpenAI, { APIError as OpenAIAPIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MOCK_CACHED_TOKENS,
  MOCK_THINKING_SIGNATURE,
  mockAnthropicTokenCount,
  mockAnthropicUsage,
  mockEmbedding,
  mockEmbeddingBase64,
  mockOpenAIUsage,
  startMockProvider,
  type MockProvider,
} from './mock-provider.js';

const OPENAI_KEY = 'sk-mock-openai';
const ANTHROPIC_KEY = 'sk-ant-mock';

let mock: MockProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY });
  openai = new OpenAI({ apiKey: OPENAI_KEY, baseURL: mock.openaiBaseUrl, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: mock.anthropicBaseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const weatherToolOpenAI: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};
const weatherToolAnthropic: Anthropic.Tool = {
  name: 'get_weather',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

describe('OpenAI chat completions', () => {
  const request = { model: 'gpt-test', messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'hello there world' }] };

  it('answers non-streamed with the echo, the request model and deterministic usage with cached tokens', async () => {
    const { data, response } = await openai.chat.completions.create(request).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-test');
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'echo: hello there world', refusal: null });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual(mockOpenAIUsage(request));
    // 'Be brief.\nhello there world' is 27 characters: 7 tokens, plus the cached prefix.
    expect(data.usage?.prompt_tokens).toBe(7 + MOCK_CACHED_TOKENS.openai);
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(MOCK_CACHED_TOKENS.openai);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', api: 'openai', aborted: false, finished: true });
    expect(mock.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(mock.requests[0]?.body).toEqual(request);
  });

  it('streams several deltas without usage fields when include_usage is not asked', async () => {
    const stream = await openai.chat.completions.create({ ...request, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('echo: hello there world');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(2);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => !('usage' in chunk) && chunk.model === 'gpt-test' && chunk.object === 'chat.completion.chunk')).toBe(true);
  });

  it('sends usage: null on every chunk and a final usage chunk with empty choices when include_usage is true', async () => {
    const body = { ...request, stream: true as const, stream_options: { include_usage: true } };
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await openai.chat.completions.create(body)) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(mockOpenAIUsage(body));
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('calls a tool, non-streamed and streamed with argument deltas', async () => {
    const body = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'please call tool for Paris' }], tools: [weatherToolOpenAI] };
    const plain = await openai.chat.completions.create(body);
    const call = plain.choices[0]?.message.tool_calls?.[0];
    expect(plain.choices[0]?.finish_reason).toBe('tool_calls');
    expect(plain.choices[0]?.message.content).toBeNull();
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'please call tool for Paris', days: 42 });

    const stream = openai.chat.completions.stream({ ...body, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(streamedCall?.type === 'function' && streamedCall.function.arguments).toBe(call?.type === 'function' && call.function.arguments);
    expect(final.usage).toEqual(mockOpenAIUsage(body));
  });

  it('lists models', async () => {
    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
  });

  it('rejects a wrong key with a typed 401 in OpenAI format', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: mock.openaiBaseUrl, maxRetries: 0 });
    const error = await wrong.chat.completions.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
  });

  it('surfaces an enqueued 429 as RateLimitError with its retry-after header', async () => {
    mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
    const error = await openai.chat.completions.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((error as OpenAIAPIError).headers?.get('retry-after')).toBe('2');
    expect((error as OpenAIAPIError).requestID).toMatch(/^req_/);
  });

  it('surfaces 500 and a raw HTML 502 as typed server errors', async () => {
    mock.enqueue({ kind: 'error', status: 500 });
    mock.enqueue({ kind: 'raw', status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } });
    await expect(openai.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const error = await openai.chat.completions.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 502 });
  });
});

describe('Anthropic messages', () => {
  const request = {
    model: 'claude-test',
    max_tokens: 256,
    system: 'Be brief.',
    messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello there world' }] }],
  };

  it('answers non-streamed with the echo, the request model and usage with cache tokens', async () => {
    const { data, response } = await anthropic.messages.create(request).withResponse();
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'end_turn', stop_sequence: null });
    expect(data.content).toEqual([{ type: 'text', text: 'echo: hello there world', citations: null }]);
    const expected = mockAnthropicUsage(request);
    expect(data.usage).toMatchObject({
      input_tokens: expected.input_tokens,
      output_tokens: expected.output_tokens,
      cache_read_input_tokens: MOCK_CACHED_TOKENS.anthropicRead,
      cache_creation_input_tokens: MOCK_CACHED_TOKENS.anthropicCreation,
    });
    expect(data.usage.input_tokens).toBe(7);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    // @anthropic-ai/sdk 1.x sends the API key as a bearer token, not as x-api-key.
    expect(mock.requests[0]?.headers.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
    expect(mock.requests[0]?.headers['anthropic-version']).toBeDefined();
  });

  it('streams the documented event sequence', async () => {
    const stream = await anthropic.messages.create({ ...request, stream: true });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_delta').length).toBeGreaterThan(2);
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message.content).toEqual([]);
    expect(start.message.usage.input_tokens).toBe(mockAnthropicUsage(request).input_tokens);
    const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta.stop_reason).toBe('end_turn');
    expect(delta.usage.output_tokens).toBe(mockAnthropicUsage(request).output_tokens);
  });

  it('builds the same message through messages.stream().finalMessage()', async () => {
    const plain = await anthropic.messages.create(request);
    const final = await anthropic.messages.stream(request).finalMessage();
    expect(final.content).toEqual(plain.content);
    expect(final.usage).toEqual(plain.usage);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('streams thinking with its signature when thinking is enabled', async () => {
    const final = await anthropic.messages.stream({ ...request, thinking: { type: 'enabled', budget_tokens: 1024 } }).finalMessage();
    expect(final.content[0]).toEqual({ type: 'thinking', thinking: 'thinking about: hello there world', signature: MOCK_THINKING_SIGNATURE });
    expect(final.content[1]).toMatchObject({ type: 'text', text: 'echo: hello there world' });
  });

  it('calls a tool, non-streamed and streamed with input_json_delta', async () => {
    const body = { model: 'claude-test', max_tokens: 256, tools: [weatherToolAnthropic], messages: [{ role: 'user' as const, content: 'call tool: Rome' }] };
    const plain = await anthropic.messages.create(body);
    expect(plain.stop_reason).toBe('tool_use');
    expect(plain.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'call tool: Rome', days: 42 } });
    const final = await anthropic.messages.stream(body).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'call tool: Rome', days: 42 } });
  });

  it('counts tokens', async () => {
    const counted = await anthropic.messages.countTokens({ model: request.model, system: request.system, messages: request.messages });
    expect(counted).toEqual({ input_tokens: mockAnthropicTokenCount(request) });
  });

  it('lists models', async () => {
    const page = await anthropic.models.list();
    expect(page.data.map((model) => model.id)).toContain('claude-sonnet-4-5');
  });

  it('rejects a wrong key, and a missing anthropic-version, in Anthropic format', async () => {
    const wrong = new Anthropic({ apiKey: 'wrong', baseURL: mock.anthropicBaseUrl, maxRetries: 0 });
    const error = await wrong.messages.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error' });

    const response = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ANTHROPIC_KEY },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });

    // The x-api-key form of the key is accepted too.
    const withVersion = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(request),
    });
    expect(withVersion.status).toBe(200);
  });

  it('surfaces enqueued 429 and 529 as typed errors', async () => {
    mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } });
    mock.enqueue({ kind: 'error', status: 529 });
    const rateLimited = await anthropic.messages.create(request).catch((e: unknown) => e);
    expect(rateLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(rateLimited).toMatchObject({ status: 429, type: 'rate_limit_error' });
    const overloaded = await anthropic.messages.create(request).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect((overloaded as AnthropicAPIError).requestID).toMatch(/^req_/);
  });

  it('rejects a request without max_tokens as invalid_request_error', async () => {
    const error = await anthropic.messages.create({ model: 'claude-test', messages: request.messages } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ type: 'invalid_request_error', apiMessage: 'max_tokens: Field required' });
  });
});

describe('OpenAI embeddings', () => {
  const input = ['alpha', 'beta gamma'];

  it('answers base64 to the SDK by default, which decodes it to exactly mockEmbedding', async () => {
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input });
    expect(mock.requests[0]?.body).toEqual({ model: 'text-embedding-3-small', input, encoding_format: 'base64' });
    expect(result.data.map((item) => [item.index, item.embedding])).toEqual([
      [0, mockEmbedding('alpha', 8)],
      [1, mockEmbedding('beta gamma', 8)],
    ]);
    // 'alpha' is 2 tokens, 'beta gamma' 3.
    expect(result.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect(result.model).toBe('text-embedding-3-small');

    const raw = await fetch(`${mock.openaiBaseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'base64' }),
    });
    expect((await raw.json()).data).toEqual([{ object: 'embedding', index: 0, embedding: mockEmbeddingBase64(mockEmbedding('alpha')) }]);
  });

  it('answers floats when asked, at the requested dimensions', async () => {
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float', dimensions: 3 });
    expect(result.object).toBe('list');
    expect(result.data).toEqual([{ object: 'embedding', index: 0, embedding: mockEmbedding('alpha', 3) }]);
  });

  it('rejects a wrong key and an empty input in OpenAI format', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: mock.openaiBaseUrl, maxRetries: 0 });
    await expect(wrong.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const error = await openai.embeddings.create({ model: 'text-embedding-3-small', input: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
  });
});

// The queue features routing/fallback tests rely on: several gateway models share this mock and
// are told apart by the upstream model the request names.
describe('behaviour queue: model targeting, times and the routing fault modes', () => {
  const KEYS = { authorization: `Bearer ${OPENAI_KEY}`, 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' };
  const call = (path: string, body: unknown) =>
    fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...KEYS }, body: JSON.stringify(body) });
  const chat = (model: string) => call('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
  const messages = (model: string, extra: object = {}) => call('/v1/messages', { model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], ...extra });
  const statuses = async (...responses: Array<Promise<Response>>) => (await Promise.all(responses)).map((r) => r.status);

  it('serves a targeted entry to its own model only; other requests skip it and take the next match', async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { model: 'claude-b' });
    mock.enqueue({ kind: 'error', status: 500 });
    // claude-a passes over the claude-b entry and takes the untargeted one behind it.
    expect(await statuses(messages('claude-a'))).toEqual([500]);
    expect(mock.pending()).toBe(1);
    expect(await statuses(chat('gpt-a'), messages('claude-a'))).toEqual([200, 200]);
    // count_tokens names its model in the body too.
    expect(await statuses(call('/v1/messages/count_tokens', { model: 'claude-b', messages: [{ role: 'user', content: 'hi' }] }))).toEqual([503]);
    expect(mock.pending()).toBe(0);
    expect(await statuses(messages('claude-b'))).toEqual([200]);
  });

  it('fails a model N times then recovers, while other models keep answering', async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { model: 'gpt-x', times: 2 });
    expect(await statuses(chat('gpt-x'))).toEqual([503]);
    expect(await statuses(chat('gpt-y'))).toEqual([200]);
    expect(mock.pending()).toBe(1);
    expect(await statuses(chat('gpt-x'), chat('gpt-x'))).toEqual([503, 200]);
    expect(mock.pending()).toBe(0);
  });

  it('keeps a times: Infinity entry (a persistently slow model) until reset()', async () => {
    mock.enqueue({ kind: 'delay', ms: 80 }, { model: 'slow', times: Infinity });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect((await chat('slow')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    }
    expect(mock.pending()).toBe(1);
    mock.reset();
    expect(mock.pending()).toBe(0);
    const started = performance.now();
    await chat('slow');
    expect(performance.now() - started).toBeLessThan(70);
  });

  it('refuses a times that is not a positive integer or Infinity', () => {
    for (const times of [0, -1, 1.5, Number.NaN]) expect(() => mock.enqueue({ kind: 'hang' }, { times })).toThrow(RangeError);
    expect(mock.pending()).toBe(0);
  });

  it('reset destroys the connection without a byte: fetch and the SDK fail to connect', async () => {
    mock.enqueue({ kind: 'reset' }, { times: 2 });
    await expect(chat('gpt-test')).rejects.toThrow(TypeError);
    const error = await openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(mock.requests.map((r) => [r.aborted, r.finished])).toEqual([[false, false], [false, false]]);
    expect((await chat('gpt-test')).status).toBe(200);
  });

  it('529 answers Anthropic overloaded_error, and each other API its own overload error', async () => {
    mock.enqueue({ kind: 'error', status: 529 }, { times: 4 });
    const anthropicReply = await messages('claude-test');
    expect(anthropicReply.status).toBe(529);
    const requestId = anthropicReply.headers.get('request-id');
    expect(await anthropicReply.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: requestId });
    const openaiReply = await chat('gpt-test');
    expect([openaiReply.status, (await openaiReply.json()).error]).toEqual([529, expect.objectContaining({ type: 'server_error', message: expect.stringMatching(/overloaded/) })]);
    const gemini = await call('/v1beta/models/gemini-test:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect([gemini.status, (await gemini.json()).error]).toEqual([529, { code: 529, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' }]);
    const cohere = await call('/v2/chat', { model: 'command-a', messages: [{ role: 'user', content: 'hi' }] });
    expect([cohere.status, (await cohere.json()).message]).toEqual([529, expect.stringMatching(/overloaded/)]);
  });

  it('midStreamError afterEvents 0 on an Anthropic stream: 200 headers, then event: error before message_start', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 0 }, { times: 2 });
    const response = await messages('claude-test', { stream: true });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames).toEqual(['event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}']);

    const stream = await anthropic.messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'overloaded_error' });
    expect(seen).toEqual([]);
  });

  it('matches Gemini requests by the {model} path segment', async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { model: 'gemini-b', times: 2 });
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    expect(await statuses(call('/v1beta/models/gemini-a:generateContent', body))).toEqual([200]);
    expect(await statuses(call('/v1beta/models/gemini-b:streamGenerateContent?alt=sse', body))).toEqual([503]);
    // The Gemini body names no model; a body-level model field is not what counts.
    expect(await statuses(call('/v1beta/models/gemini-a:generateContent', { ...body, model: 'gemini-b' }))).toEqual([200]);
    expect(await statuses(call('/v1beta/models/gemini-b:embedContent', { content: { parts: [{ text: 'hi' }] } }))).toEqual([503]);
    expect(mock.pending()).toBe(0);
  });
});
