import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { openAICompatibleChat, OPENAI_COMPATIBLE_VENDORS } from '../../../../src/providers/openai/index.js';
import { model } from './helpers.js';

const WEATHER_SCHEMA = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };

/** A request using nearly everything the IR can say. */
function richRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gw-model',
    system: [
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Answer in English.' },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather where this photo was taken?' },
          { type: 'image', source: { type: 'url', url: 'https://img.example/a.png' }, detail: 'high' },
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjQ=' }, filename: 'a.pdf' },
          { type: 'document', source: { type: 'file_id', fileId: 'file-abc' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'They want weather.', signature: 'sig' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Boston"}' },
          { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: '12C' }] },
          {
            type: 'tool_result',
            toolCallId: 'call_2',
            content: [
              { type: 'text', text: '18C' },
              { type: 'image', source: { type: 'url', url: 'https://img.example/map.png' } },
            ],
          },
          { type: 'text', text: 'Thanks!' },
        ],
      },
    ],
    tools: [{ name: 'get_weather', description: 'Current weather', parameters: WEATHER_SCHEMA, strict: true }],
    toolChoice: { type: 'tool', name: 'get_weather' },
    parallelToolCalls: true,
    responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'The answer' },
    maxOutputTokens: 500,
    temperature: 0.2,
    topP: 0.9,
    topK: 40,
    stop: ['END'],
    seed: 7,
    user: 'user-1',
    metadata: { team: 'a' },
    reasoning: { enabled: true, budgetTokens: 5000 },
    stream: false,
    unsupported: [],
    ...extra,
  };
}

const EXPECTED_MESSAGES = [
  { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Weather where this photo was taken?' },
      { type: 'image_url', image_url: { url: 'https://img.example/a.png', detail: 'high' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } },
      { type: 'file', file: { file_id: 'file-abc' } },
    ],
  },
  {
    role: 'assistant',
    content: 'Checking.',
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Boston"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '12C' },
  { role: 'tool', tool_call_id: 'call_2', content: '18C' },
  { role: 'user', content: 'Thanks!' },
];

describe('IR -> OpenAI Chat Completions request', () => {
  it('encodes a rich request exactly, reporting what OpenAI cannot take', () => {
    const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai).encodeRequest(richRequest(), model(), new Headers());
    expect(request.url).toBe('https://up.example/v1/chat/completions');
    expect(request.headers.get('authorization')).toBe('Bearer sk-provider');
    expect(request.headers.get('x-extra')).toBe('1');
    expect(request.headers.get('accept')).toBe('application/json');
    expect(request.body).toBe(
      JSON.stringify({
        model: 'upstream-model',
        messages: EXPECTED_MESSAGES,
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_SCHEMA, strict: true } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: true,
        response_format: { type: 'json_schema', json_schema: { name: 'answer', description: 'The answer', schema: { type: 'object' }, strict: true } },
        max_completion_tokens: 500,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
        seed: 7,
        user: 'user-1',
        reasoning_effort: 'medium',
      }),
    );
    expect(dropped).toEqual(['content:tool_result:image', 'topK', 'metadata']);
  });

  it('asks a stream for its usage chunk, and takes an effort as given', () => {
    const ir = richRequest({ stream: true, reasoning: { enabled: true, effort: 'minimal' }, topK: undefined, metadata: undefined });
    const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai).encodeRequest(ir, model(), new Headers());
    const body = JSON.parse(request.body);
    expect(body.reasoning_effort).toBe('minimal');
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(request.headers.get('accept')).toBe('text/event-stream');
    expect(dropped).toEqual(['content:tool_result:image']);
  });

  it('sends nothing for reasoning turned off, and plain choices as strings', () => {
    const ir = richRequest({ reasoning: { enabled: false }, toolChoice: { type: 'required' }, responseFormat: { type: 'json_object' } });
    const body = JSON.parse(openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai).encodeRequest(ir, model(), new Headers()).request.body);
    expect(body.reasoning_effort).toBeUndefined();
    expect(body.tool_choice).toBe('required');
    expect(body.response_format).toEqual({ type: 'json_object' });
  });

  it('reports the error flag, URL documents and assistant images, and decodes text documents', () => {
    const ir = richRequest({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'url', url: 'https://doc.example/a.pdf' } },
            { type: 'document', source: { type: 'base64', mediaType: 'text/plain', data: btoa('caf\u00c3\u00a9') } },
            { type: 'document', source: { type: 'text', text: 'inline' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: 'https://img.example/x.png' } }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c', content: [], isError: true }] },
      ],
      tools: [],
      toolChoice: undefined,
      topK: undefined,
      metadata: undefined,
    });
    const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai).encodeRequest(ir, model(), new Headers());
    expect(JSON.parse(request.body).messages.slice(1)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'café' }, { type: 'text', text: 'inline' }] },
      { role: 'tool', tool_call_id: 'c', content: '' },
    ]);
    expect(dropped).toEqual(['content:document:url', 'content:image:assistant', 'content:tool_result:is_error']);
  });
});

describe('vendor differences', () => {
  it('Mistral: max_tokens, random_seed, metadata allowed, no user, no stream_options, no file parts', () => {
    const ir = richRequest({ stream: true });
    const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.mistral).encodeRequest(ir, model({ baseUrl: 'https://api.mistral.ai/v1' }), new Headers());
    const body = JSON.parse(request.body);
    expect(request.url).toBe('https://api.mistral.ai/v1/chat/completions');
    expect(body.max_tokens).toBe(500);
    expect(body.max_completion_tokens).toBeUndefined();
    expect(body.random_seed).toBe(7);
    expect(body.seed).toBeUndefined();
    expect(body.user).toBeUndefined();
    expect(body.metadata).toEqual({ team: 'a' });
    expect(body.stream).toBe(true);
    expect('stream_options' in body).toBe(false);
    expect(body.reasoning_effort).toBe('medium');
    expect(body.messages[1].content.map((part: { type: string }) => part.type)).toEqual(['text', 'image_url', 'image_url']);
    expect(dropped).toEqual(['content:document:base64', 'content:document:file_id', 'content:tool_result:image', 'topK', 'user']);
  });

  it('Mistral: tool call ids of other providers become 9 letters or digits, the same for a call and its result', () => {
    const ir = richRequest({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{}' },
            { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq8', name: 'get_weather', arguments: '{}' },
            { type: 'tool_call', id: 'D681PevKs', name: 'get_weather', arguments: '{}' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: 'toolu_01A09q90qw90lq917835lq9', content: [{ type: 'text', text: 'a' }] },
            { type: 'tool_result', toolCallId: 'toolu_01A09q90qw90lq917835lq8', content: [{ type: 'text', text: 'b' }] },
            { type: 'tool_result', toolCallId: 'D681PevKs', content: [{ type: 'text', text: 'c' }] },
          ],
        },
      ],
    });
    const encode = (vendor: 'mistral' | 'openai') => JSON.parse(openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS[vendor]).encodeRequest(ir, model(), new Headers()).request.body);
    const messages = encode('mistral').messages;
    const callIds: string[] = messages[2].tool_calls.map((call: { id: string }) => call.id);
    const resultIds = messages.slice(3, 6).map((message: { tool_call_id: string }) => message.tool_call_id);
    for (const id of callIds) expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(new Set(callIds).size).toBe(3);
    expect(callIds[2]).toBe('D681PevKs');
    expect(resultIds).toEqual(callIds);
    // Deterministic: the next turn maps the same history to the same ids.
    expect(encode('mistral').messages[2].tool_calls.map((call: { id: string }) => call.id)).toEqual(callIds);
    expect(encode('openai').messages[2].tool_calls[0].id).toBe('toolu_01A09q90qw90lq917835lq9');
  });

  it('Azure: api-key header instead of Bearer, otherwise OpenAI', () => {
    const azureModel = model({ baseUrl: 'https://res.openai.azure.com/openai/v1', upstreamModel: 'my-deployment' });
    const { request } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.azure).encodeRequest(richRequest(), azureModel, new Headers());
    expect(request.url).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
    expect(request.headers.get('api-key')).toBe('sk-provider');
    expect(request.headers.get('authorization')).toBeNull();
    expect(JSON.parse(request.body).model).toBe('my-deployment');
    expect(JSON.parse(request.body).max_completion_tokens).toBe(500);
  });

  it('Ollama: no key, no authorization header', () => {
    const { request } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.ollama).encodeRequest(richRequest(), model({ apiKey: undefined }), new Headers());
    expect(request.headers.get('authorization')).toBeNull();
    expect(JSON.parse(request.body).max_tokens).toBe(500);
  });

  it('DeepSeek: no reasoning_effort, json_schema, seed or user', () => {
    const { request, dropped } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.deepseek).encodeRequest(richRequest(), model(), new Headers());
    const body = JSON.parse(request.body);
    for (const key of ['reasoning_effort', 'response_format', 'seed', 'user', 'parallel_tool_calls', 'metadata']) expect(body[key]).toBeUndefined();
    expect(dropped).toEqual([
      'content:document:base64',
      'content:document:file_id',
      'content:tool_result:image',
      'parallelToolCalls',
      'responseFormat',
      'topK',
      'seed',
      'user',
      'metadata',
      'reasoning',
    ]);
  });

  it('OpenRouter: reasoning object with the budget, and thinking history as reasoning_details', () => {
    const { request } = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openrouter).encodeRequest(richRequest(), model(), new Headers());
    const body = JSON.parse(request.body);
    expect(body.reasoning).toEqual({ max_tokens: 5000 });
    expect(body.reasoning_effort).toBeUndefined();
    expect(body.messages[2].reasoning_details).toEqual([{ type: 'reasoning.text', text: 'They want weather.', signature: 'sig' }]);
  });

  it('xAI: an effort it lacks becomes the nearest stronger one', () => {
    const ir = richRequest({ reasoning: { enabled: true, effort: 'medium' } });
    const body = JSON.parse(openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.xai).encodeRequest(ir, model(), new Headers()).request.body);
    expect(body.reasoning_effort).toBe('high');
  });
});
