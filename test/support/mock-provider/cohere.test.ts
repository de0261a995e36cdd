// The mock's Cohere v2 API on the wire. cohere-ai is not a project dependency, so these tests pin
// the bytes: compact snake_case JSON bodies, and named SSE events
// (`event: <type>\ndata: {"type":"<type>",...}\n\n`) as the v2 chat stream sends them.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MOCK_COHERE_TEMPLATE_TOKENS, mockCohereUsage, mockEmbedding, mockEmbeddingBase64, startMockProvider, type MockProvider } from '../mock-provider.js';

const KEY = 'cohere-mock-key';
let mock: MockProvider;

beforeAll(async () => {
  mock = await startMockProvider({ cohereKey: KEY });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function post(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }): Promise<Response> {
  return fetch(`${mock.cohereBaseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const request = {
  model: 'command-a-03-2025',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'hello there world' }] },
  ],
};
const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
};

/** [event name, parsed data] of each frame; every frame is `event: X\ndata: {"type":"X",...}`. */
function events(text: string): Array<[string, Record<string, unknown>]> {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      const data = JSON.parse(dataLine!.replace(/^data: /, ''));
      expect(eventLine).toBe(`event: ${data.type}`);
      return [data.type, data];
    });
}

describe('/v2/chat', () => {
  it('answers with the echo and usage from the request, as compact JSON', async () => {
    const response = await post('/v2/chat', request);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('\n');
    // 'Be brief.\nhello there world' is 27 characters (7 tokens); the echo is 23 (6 tokens).
    const usage = { billed_units: { input_tokens: 7, output_tokens: 6 }, tokens: { input_tokens: 7 + MOCK_COHERE_TEMPLATE_TOKENS, output_tokens: 6 } };
    expect(JSON.parse(text)).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/),
      message: { role: 'assistant', content: [{ type: 'text', text: 'echo: hello there world' }] },
      finish_reason: 'COMPLETE',
      usage,
    });
    expect(mockCohereUsage(request)).toEqual(usage);
    expect(mock.requests[0]).toMatchObject({ path: '/v2/chat', api: 'cohere', headers: { authorization: `Bearer ${KEY}` } });
  });

  it('streams the documented event sequence, byte for byte', async () => {
    const body = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }], stream: true };
    const response = await post('/v2/chat', body);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    const id = /"id":"([^"]+)"/.exec(text)?.[1];
    expect(text).toBe(
      `event: message-start\ndata: {"id":"${id}","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}\n\n` +
        'event: content-start\ndata: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}\n\n' +
        'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"echo: "}}}}\n\n' +
        'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"hi"}}}}\n\n' +
        'event: content-end\ndata: {"type":"content-end","index":0}\n\n' +
        'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":1,"output_tokens":2},"tokens":{"input_tokens":11,"output_tokens":2}}}}\n\n',
    );
  });

  it('answers thinking first when thinking is enabled, non-streamed and streamed', async () => {
    const body = { ...request, thinking: { type: 'enabled', token_budget: 512 } };
    const plain = await (await post('/v2/chat', body)).json();
    expect(plain.message.content).toEqual([
      { type: 'thinking', thinking: 'thinking about: hello there world' },
      { type: 'text', text: 'echo: hello there world' },
    ]);
    expect(plain.usage.billed_units.output_tokens).toBe(6 + 9);

    const streamed = events(await (await post('/v2/chat', { ...body, stream: true })).text());
    const starts = streamed.filter(([type]) => type === 'content-start').map(([, data]) => data);
    expect(starts).toEqual([
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } },
      { type: 'content-start', index: 1, delta: { message: { content: { type: 'text', text: '' } } } },
    ]);
    const deltas = (index: number, key: string) =>
      streamed
        .filter(([type, data]) => type === 'content-delta' && data.index === index)
        .map(([, data]) => (data as { delta: { message: { content: Record<string, string> } } }).delta.message.content[key])
        .join('');
    expect([deltas(0, 'thinking'), deltas(1, 'text')]).toEqual(['thinking about: hello there world', 'echo: hello there world']);
    expect(streamed.at(-1)?.[1]).toEqual({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: mockCohereUsage(body) } });
  });

  it('calls the first tool with a tool plan, non-streamed and streamed', async () => {
    const body = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'call tool: Rome' }], tools: [weatherTool] };
    const plain = await (await post('/v2/chat', body)).json();
    expect(plain.finish_reason).toBe('TOOL_CALL');
    expect(plain.message).toEqual({
      role: 'assistant',
      tool_plan: 'I will call get_weather.',
      tool_calls: [{ id: expect.stringMatching(/^get_weather_mock\d{8}$/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"call tool: Rome","days":42}' } }],
    });
    // tokens of 'get_weather' + arguments (47 characters) + of the tool plan (24 characters).
    expect(plain.usage.billed_units.output_tokens).toBe(12 + 6);

    const streamed = events(await (await post('/v2/chat', { ...body, stream: true })).text());
    const types = [...new Set(streamed.map(([type]) => type))];
    expect(types).toEqual(['message-start', 'tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end', 'message-end']);
    const start = streamed.find(([type]) => type === 'tool-call-start')?.[1];
    expect(start).toEqual({
      type: 'tool-call-start',
      index: 0,
      delta: { message: { tool_calls: { id: expect.stringMatching(/^get_weather_mock/), type: 'function', function: { name: 'get_weather', arguments: '' } } } },
    });
    const args = streamed
      .filter(([type]) => type === 'tool-call-delta')
      .map(([, data]) => (data as { delta: { message: { tool_calls: { function: { arguments: string } } } } }).delta.message.tool_calls.function.arguments)
      .join('');
    expect(args).toBe('{"city":"call tool: Rome","days":42}');
    expect(streamed.at(-1)?.[1]).toEqual({ type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: mockCohereUsage(body) } });
  });

  it('cuts the answer at max_tokens (to max_tokens * 4 characters) with finish_reason MAX_TOKENS', async () => {
    const answer = await (await post('/v2/chat', { ...request, max_tokens: 2 })).json();
    expect([answer.finish_reason, answer.message.content[0].text, answer.usage.billed_units.output_tokens]).toEqual(['MAX_TOKENS', 'echo: he', 2]);
  });

  it('rejects missing or wrong keys and unusable bodies as {id, message}', async () => {
    const missing = await post('/v2/chat', request, {});
    expect([missing.status, (await missing.json()).message]).toEqual([401, 'no api key supplied']);
    const wrong = await post('/v2/chat', request, { authorization: 'Bearer nope' });
    expect([wrong.status, await wrong.json()]).toEqual([401, { id: expect.any(String), message: 'invalid api token' }]);
    for (const body of [{ model: 'x', messages: [] }, { model: 'x', messages: [{ role: 'tool', content: '{}' }] }, { messages: request.messages }]) {
      const response = await post('/v2/chat', body);
      expect([response.status, Object.keys(await response.json())]).toEqual([400, ['id', 'message']]);
    }
  });

  it('sends an enqueued error as {id, message}', async () => {
    mock.enqueue({ kind: 'error', status: 429 });
    const response = await post('/v2/chat', request);
    expect([response.status, await response.json()]).toEqual([429, { id: expect.any(String), message: expect.stringContaining('limit') }]);
  });
});

describe('/v2/embed', () => {
  it('answers every asked embedding type for each text, with billed input tokens', async () => {
    const body = { model: 'embed-v4.0', input_type: 'search_document', texts: ['alpha', 'beta gamma'], embedding_types: ['float', 'base64', 'int8'], output_dimension: 4 };
    const answer = await (await post('/v2/embed', body)).json();
    const vectors = [mockEmbedding('alpha', 4), mockEmbedding('beta gamma', 4)];
    expect(answer).toEqual({
      id: expect.any(String),
      texts: ['alpha', 'beta gamma'],
      embeddings: {
        float: vectors,
        base64: vectors.map(mockEmbeddingBase64),
        int8: vectors.map((vector) => vector.map((value) => Math.round(value * 127))),
      },
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: 2 + 3 } },
      response_type: 'embeddings_by_type',
    });
  });

  it('defaults to float at 8 dimensions, and requires input_type', async () => {
    const answer = await (await post('/v2/embed', { model: 'embed-v4.0', input_type: 'search_query', texts: ['q'] })).json();
    expect(answer.embeddings).toEqual({ float: [mockEmbedding('q', 8)] });
    const invalid = await post('/v2/embed', { model: 'embed-v4.0', texts: ['q'] });
    expect(invalid.status).toBe(400);
  });
});
