// The mock's OpenAI Responses API (POST /v1/responses), proved with the official SDK: plain and
// streamed answers, the SDK's strict stream accumulator, function-call round trips (stateless and
// with previous_response_id), validation errors and the failure behaviours.

import OpenAI, { APIError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MOCK_CACHED_TOKENS,
  MOCK_ENCRYPTED_REASONING,
  mockResponsesPromptText,
  mockResponsesUsage,
  responsesLastUserText,
  startMockProvider,
  type MockProvider,
} from '../mock-provider.js';

const KEY = 'sk-mock-responses';
let mock: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: mock.openaiBaseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  strict: false,
};

function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }): Promise<Response> {
  return fetch(`${mock.openaiBaseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** `event: <type>` / `data: <json>` frames; each data's type must be its event name. */
function parseFrames(text: string): Array<{ event: string; data: Record<string, any> }> {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      const event = eventLine!.replace(/^event: /, '');
      const data = JSON.parse(dataLine!.replace(/^data: /, '')) as Record<string, any>;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

const TEXT_EVENTS = [
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
];

describe('POST /v1/responses, not streamed', () => {
  it('answers with a Response the SDK reads, echoing the settings, with usage from the formula', async () => {
    const body = { model: 'gpt-test', instructions: 'Be brief.', input: 'hello there world' };
    const response = await client.responses.create(body);
    expect(response.output_text).toBe('echo: hello there world');
    // 'Be brief.\nhello there world' is 27 characters (7 tokens) plus the cached prefix; the echo is 23 (6 tokens).
    const usage = {
      input_tokens: 7 + MOCK_CACHED_TOKENS.openai,
      input_tokens_details: { cached_tokens: MOCK_CACHED_TOKENS.openai },
      output_tokens: 6,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 29,
    };
    expect(mockResponsesUsage(body)).toEqual(usage);
    const { output_text: _derived, ...wire } = response;
    expect(wire).toEqual({
      id: expect.stringMatching(/^resp_[0-9a-f]{48}$/),
      object: 'response',
      created_at: expect.any(Number),
      status: 'completed',
      background: false,
      completed_at: response.created_at,
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: null,
      max_tool_calls: null,
      model: 'gpt-test',
      output: [
        {
          id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'echo: hello there world' }],
          role: 'assistant',
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      prompt_cache_key: null,
      prompt_cache_retention: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: 'default',
      store: true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage,
      user: null,
      metadata: {},
    });
    expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses', api: 'openai', finished: true });
  });

  it('reads message items: the last user message is the text, every message and the instructions are the prompt', async () => {
    const body = {
      model: 'gpt-test',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'echo: first' }] },
        { role: 'user', content: [{ type: 'input_text', text: 'second' }, { type: 'input_text', text: 'part' }] },
      ],
    };
    expect(responsesLastUserText(body)).toBe('second\npart');
    expect(mockResponsesPromptText(body)).toBe('Be brief.\nfirst\necho: first\nsecond\npart');
    const response = await client.responses.create(body as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(response.output_text).toBe('echo: second\npart');
    expect(response.usage).toEqual(mockResponsesUsage(body));
  });

  it('puts a reasoning item first when reasoning is asked, and bills its summary as reasoning tokens', async () => {
    const body = { model: 'o-test', input: 'hello there world', reasoning: { effort: 'low' as const }, include: ['reasoning.encrypted_content' as const] };
    const response = await client.responses.create(body);
    expect(response.output[0]).toEqual({
      id: expect.stringMatching(/^rs_[0-9a-f]{48}$/),
      type: 'reasoning',
      encrypted_content: MOCK_ENCRYPTED_REASONING,
      summary: [{ type: 'summary_text', text: 'thinking about: hello there world' }],
    });
    expect(response.output_text).toBe('echo: hello there world');
    expect(response.reasoning).toEqual({ effort: 'low', summary: null });
    // The summary is 33 characters: 9 reasoning tokens on top of the echo's 6.
    expect(response.usage).toMatchObject({ output_tokens: 15, output_tokens_details: { reasoning_tokens: 9 } });
    expect(response.usage).toEqual(mockResponsesUsage(body));
  });

  it('accepts built-in tools and ignores them, echoing them back', async () => {
    const response = await client.responses.create({ model: 'gpt-test', input: 'search this', tools: [{ type: 'web_search' }] });
    expect(response.output_text).toBe('echo: search this');
    expect(response.tools).toEqual([{ type: 'web_search' }]);
  });
});

describe('POST /v1/responses, streamed', () => {
  it('sends named events numbered from 0 without gaps, ending with response.completed', async () => {
    const body = { model: 'gpt-test', input: 'one two three four', stream: true };
    const response = await post(body);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const frames = parseFrames(await response.text());
    expect(frames.map((frame) => frame.event)).toEqual(TEXT_EVENTS);
    expect(frames.map((frame) => frame.data.sequence_number)).toEqual(frames.map((_, index) => index));
    const deltas = frames.filter((frame) => frame.event === 'response.output_text.delta').map((frame) => frame.data);
    expect(deltas.map((delta) => delta.delta)).toEqual(['echo: ', 'one ', 'two ', 'three ', 'four']);
    expect(deltas.every((delta) => typeof delta.obfuscation === 'string' && delta.logprobs.length === 0)).toBe(true);
    expect(frames[0]!.data.response).toMatchObject({ status: 'in_progress', output: [], usage: null, service_tier: 'auto', completed_at: null });
    const completed = frames.at(-1)!.data.response;
    expect(completed).toMatchObject({ status: 'completed', service_tier: 'default', usage: mockResponsesUsage(body) });
    expect(completed.output[0].content[0].text).toBe('echo: one two three four');
  });

  it('iterates with the SDK: the event types in order and sequence numbers 0.. without gaps', async () => {
    const stream = await client.responses.create({ model: 'gpt-test', input: 'one two three four', stream: true, stream_options: { include_obfuscation: false } });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual(TEXT_EVENTS);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const text = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join('');
    expect(text).toBe('echo: one two three four');
    expect(events.some((event) => 'obfuscation' in event)).toBe(false);
  });

  it("satisfies the SDK's strict accumulator: responses.stream().finalResponse()", async () => {
    const body = { model: 'o-test', instructions: 'Be brief.', input: 'hello there world', reasoning: { effort: 'medium' as const, summary: 'auto' as const } };
    const stream = client.responses.stream(body);
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('echo: hello there world');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: 'thinking about: hello there world' }] });
    expect(final.usage).toEqual(mockResponsesUsage(body));
    expect(types.slice(0, 8)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
    ]);
    expect(types).toContain('response.reasoning_summary_text.done');
    expect(types).toContain('response.reasoning_summary_part.done');
  });
});

describe('function calls', () => {
  it('round trip with previous_response_id: function_call, then function_call_output answered with its output', async () => {
    const first = await client.responses.create({ model: 'gpt-test', input: 'please call tool now', tools: [weatherTool] });
    expect(first.output).toEqual([
      {
        id: expect.stringMatching(/^fc_[0-9a-f]{48}$/),
        type: 'function_call',
        status: 'completed',
        arguments: JSON.stringify({ city: 'please call tool now', days: 42 }),
        call_id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        name: 'get_weather',
      },
    ]);
    expect(first.tools).toEqual([{ type: 'function', description: null, name: 'get_weather', parameters: weatherTool.parameters, strict: false }]);
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    const followUp = { model: 'gpt-test', previous_response_id: first.id, input: [{ type: 'function_call_output' as const, call_id: call.call_id, output: 'sunny, 21 C' }], tools: [weatherTool] };
    const second = await client.responses.create(followUp);
    expect(second.output_text).toBe('echo: sunny, 21 C');
    expect(second.previous_response_id).toBe(first.id);
    expect(second.usage).toEqual(mockResponsesUsage(followUp));

    // The call was answered once; a follow-up that leaves it unanswered is refused, as the API does.
    const unanswered = client.responses.create({ model: 'gpt-test', previous_response_id: first.id, input: 'hello' });
    await expect(unanswered).rejects.toMatchObject({ status: 400, param: 'input', message: `400 No tool output found for function call ${call.call_id}.` });
  });

  it('round trip without state: the function_call item and its output in the input', async () => {
    const input: OpenAI.Responses.ResponseInput = [
      { role: 'user', content: 'please call tool now' },
      { type: 'function_call', call_id: 'call_client1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_client1', output: [{ type: 'input_text', text: 'rain' }] },
    ];
    const response = await client.responses.create({ model: 'gpt-test', input, tools: [weatherTool], store: false });
    expect(response.output_text).toBe('echo: rain');
    expect(mockResponsesPromptText({ input })).toBe('please call tool now\nrain');

    const orphan = client.responses.create({ model: 'gpt-test', input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }] });
    await expect(orphan).rejects.toMatchObject({ status: 400, message: '400 No tool call found for function call output with call_id call_nowhere.' });
  });

  it('streams a call as output_item.added with empty arguments, argument deltas, done events', async () => {
    const stream = client.responses.stream({ model: 'gpt-test', input: 'call tool', tools: [weatherTool] });
    const types: string[] = [];
    const argumentDeltas: string[] = [];
    stream.on('event', (event) => {
      types.push(event.type);
      if (event.type === 'response.output_item.added') expect(event.item).toMatchObject({ type: 'function_call', status: 'in_progress', arguments: '' });
      if (event.type === 'response.function_call_arguments.delta') argumentDeltas.push(event.delta);
      if (event.type === 'response.function_call_arguments.done') expect(event.arguments).toBe('{"city":"call tool","days":42}');
    });
    const final = await stream.finalResponse();
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(argumentDeltas.join('')).toBe('{"city":"call tool","days":42}');
    expect(types[2]).toBe('response.output_item.added');
    expect(types.slice(-3)).toEqual(['response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    expect(final.output[0]).toMatchObject({ type: 'function_call', status: 'completed', name: 'get_weather', arguments: '{"city":"call tool","days":42}' });
  });
});

describe('errors', () => {
  it('validates like the API: model, input, tools, previous_response_id, key', async () => {
    const cases: Array<[unknown, number, Record<string, unknown>]> = [
      [{ input: 'hi' }, 400, { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' }],
      [{ model: 'm', input: { text: 'hi' } }, 400, { param: 'input', code: 'invalid_type', message: "Invalid type for 'input': expected one of a string or array of input items, but got an object instead." }],
      [{ model: 'm', input: 'hi', tools: [{ type: 'function', function: { name: 'f' } }] }, 400, { param: 'tools[0].name', code: 'missing_required_parameter' }],
      [{ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 400, { param: 'input[0].role', code: 'invalid_value' }],
      [{ model: 'm', input: 'hi', previous_response_id: 'resp_unknown' }, 400, { message: "Previous response with id 'resp_unknown' not found.", param: 'previous_response_id', code: 'previous_response_not_found' }],
    ];
    for (const [body, status, error] of cases) {
      const response = await post(body);
      expect(response.status).toBe(status);
      expect((await response.json()).error).toMatchObject(error);
    }
    const unauthorized = await post({ model: 'm', input: 'hi' }, {});
    expect(unauthorized.status).toBe(401);
  });

  it('does not keep responses stored with store: false', async () => {
    const unstored = await client.responses.create({ model: 'gpt-test', input: 'hi', store: false });
    const next = client.responses.create({ model: 'gpt-test', input: 'again', previous_response_id: unstored.id });
    await expect(next).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  it('error behaviour: OpenAI error bodies, which the SDK throws as its typed errors', async () => {
    mock.enqueue({ kind: 'error', status: 429 });
    const failure = client.responses.create({ model: 'gpt-test', input: 'hi' });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(failure).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('midStreamError: an error event then response.failed, numbered on; the SDK throws it', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 5 });
    const frames = parseFrames(await (await post({ model: 'gpt-test', input: 'one two three four', stream: true })).text());
    expect(frames.map((frame) => frame.event)).toEqual([...TEXT_EVENTS.slice(0, 5), 'error', 'response.failed']);
    expect(frames.map((frame) => frame.data.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(frames[5]!.data.error).toMatchObject({ type: 'server_error', code: 'server_error', param: null });
    expect(frames[6]!.data.response).toMatchObject({ status: 'failed', error: { code: 'server_error' }, output: [], usage: null });

    mock.enqueue({ kind: 'midStreamError', afterEvents: 4 });
    const stream = client.responses.stream({ model: 'gpt-test', input: 'one two three four' });
    await expect(stream.finalResponse()).rejects.toSatisfy((error) => error instanceof APIError && error.code === 'server_error');
  });

  it('slowStream and stallStream pace and stall a Responses stream', async () => {
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 1, chunks: 2 });
    const frames = parseFrames(await (await post({ model: 'gpt-test', input: 'one two three four', stream: true })).text());
    expect(frames.filter((frame) => frame.event === 'response.output_text.delta')).toHaveLength(2);

    mock.enqueue({ kind: 'stallStream', afterEvents: 2 });
    const controller = new AbortController();
    const stalled = await fetch(`${mock.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'gpt-test', input: 'hi', stream: true }),
      signal: controller.signal,
    });
    const reader = stalled.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (text.split('\n\n').length - 1 < 2) text += (await reader.read()).value ?? '';
    expect(parseFrames(text).map((frame) => frame.event)).toEqual(['response.created', 'response.in_progress']);
    controller.abort();
  });
});
