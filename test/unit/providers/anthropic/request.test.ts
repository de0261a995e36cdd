import { describe, expect, it } from 'vitest';
import type { ChatRequest, ToolDefinition } from '../../../../src/ir/chat.js';
import { anthropicChat } from '../../../../src/providers/anthropic/index.js';
import { chatRequest } from '../../../support/codec-helpers.js';
import { claudeModel, fixtureJson } from './helpers.js';

function encode(request: ChatRequest, model = claudeModel()) {
  const { request: upstream, dropped } = anthropicChat.encodeRequest(request, model, new Headers({ accept: '*/*', authorization: 'Bearer sk-rt-client' }));
  return { upstream, body: JSON.parse(upstream.body) as Record<string, unknown>, dropped };
}

const weatherTool: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const richRequest: ChatRequest = {
  model: 'claude',
  system: [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: '' },
    { type: 'text', text: 'Answer in English.' },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in these?' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
        { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'data:image/jpeg;base64,/9j/4AAQ' } },
        { type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0x' }, title: 'Report' },
        { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf', mediaType: 'application/pdf' } },
        { type: 'document', source: { type: 'text', text: 'plain notes' }, filename: 'notes.txt' },
        { type: 'document', source: { type: 'url', url: 'data:text/plain;base64,aGVsbG8=' } },
        { type: 'document', source: { type: 'file_id', fileId: 'file_011CNha8iCJcU1wXNR6q4V8w' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'Need the weather and the time.', signature: 'sig-1' },
        { type: 'text', text: '' },
        { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: 'not json' },
      ],
    },
    // Three user turns in a row (OpenAI tool messages, then the user): merged, tool results first.
    { role: 'user', content: [{ type: 'text', text: 'Here you go.' }, { type: 'tool_result', toolCallId: 'toolu_1', name: 'get_weather', content: [{ type: 'text', text: '18°C' }] }] },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          toolCallId: 'toolu_2',
          content: [
            { type: 'text', text: 'clock unavailable' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
          ],
          isError: true,
        },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_3', content: [], isError: false }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'A musing from another provider, unsigned.' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'text', text: 'Sunny, 18°C.' },
      ],
    },
    { role: 'user', content: [{ type: 'text', text: 'Thanks. Summarise as JSON.' }] },
  ],
  tools: [weatherTool, { name: 'get_time', parameters: {} }],
  toolChoice: { type: 'auto' },
  parallelToolCalls: false,
  responseFormat: {
    type: 'json_schema',
    name: 'summary',
    strict: true,
    schema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'], additionalProperties: false },
  },
  temperature: 0.2,
  topP: 0.97,
  topK: 40,
  stop: ['END'],
  seed: 7,
  user: 'user-123',
  metadata: { trace: 'abc' },
  reasoning: { enabled: true, effort: 'high' },
  stream: false,
  unsupported: [],
};

describe('anthropicChat.encodeRequest', () => {
  it('encodes a rich request into the exact Messages body, naming what it could not send', () => {
    const { upstream, body, dropped } = encode(richRequest);
    expect(body).toEqual(fixtureJson('request-rich.expected.json'));
    expect(dropped).toEqual(['content:image:detail', 'content:thinking:unsigned', 'temperature', 'topK', 'seed', 'metadata']);
    expect(upstream.url).toBe('https://api.anthropic.example/v1/messages');
  });

  it('sends the key, the API version and JSON headers, never the client credentials', () => {
    const { headers } = encode(chatRequest()).upstream;
    expect(headers.get('x-api-key')).toBe('sk-ant-provider');
    expect(headers.get('anthropic-version')).toBe('2023-06-01');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.get('x-extra')).toBe('1');
    expect(headers.get('authorization')).toBeNull();
    expect(headers.get('anthropic-beta')).toBeNull();
  });

  it('keeps an API version the model pins in its own headers', () => {
    const { headers } = encode(chatRequest(), claudeModel({}, { 'anthropic-version': '2026-10-21' })).upstream;
    expect(headers.get('anthropic-version')).toBe('2026-10-21');
  });

  it('encodes a minimal request with the default max_tokens', () => {
    const { body, dropped } = encode(chatRequest());
    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 4096,
    });
    expect(dropped).toEqual([]);
  });

  it('asks for a stream with an event-stream Accept', () => {
    const { upstream, body } = encode(chatRequest({ stream: true, maxOutputTokens: 300, temperature: 0.3, topK: 5 }));
    expect(body).toMatchObject({ stream: true, max_tokens: 300, temperature: 0.3, top_k: 5 });
    expect(upstream.headers.get('accept')).toBe('text/event-stream');
  });

  it('forces a named tool, one call at a time', () => {
    const { body, dropped } = encode(chatRequest({ tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' }, parallelToolCalls: false }));
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    expect(dropped).toEqual([]);
  });

  it('maps required to any, none to none, and parallel-off alone to auto', () => {
    expect(encode(chatRequest({ tools: [weatherTool], toolChoice: { type: 'required' } })).body.tool_choice).toEqual({ type: 'any' });
    expect(encode(chatRequest({ tools: [weatherTool], toolChoice: { type: 'none' }, parallelToolCalls: false })).body.tool_choice).toEqual({ type: 'none' });
    expect(encode(chatRequest({ tools: [weatherTool], parallelToolCalls: false })).body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(encode(chatRequest({ tools: [weatherTool], parallelToolCalls: true })).body).not.toHaveProperty('tool_choice');
  });

  it('reports a forced tool call without tools, and sends no tool_choice', () => {
    const { body, dropped } = encode(chatRequest({ toolChoice: { type: 'required' } }));
    expect(body).not.toHaveProperty('tool_choice');
    expect(dropped).toEqual(['toolChoice']);
  });

  it('keeps a forced tool call over thinking, which the API cannot combine', () => {
    const { body, dropped } = encode(
      chatRequest({ tools: [weatherTool], toolChoice: { type: 'required' }, reasoning: { enabled: true, effort: 'low' }, temperature: 0.5 }),
    );
    expect(body).not.toHaveProperty('thinking');
    expect(body).toMatchObject({ max_tokens: 4096, temperature: 0.5, tool_choice: { type: 'any' } });
    expect(dropped).toEqual(['reasoning']);
  });

  it('turns an explicit budget into thinking, raised to the minimum and above max_tokens by default', () => {
    expect(encode(chatRequest({ reasoning: { enabled: true, budgetTokens: 500 } })).body).toMatchObject({
      max_tokens: 1024 + 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(encode(chatRequest({ reasoning: { enabled: true } })).body).toMatchObject({
      max_tokens: 8192 + 4096,
      thinking: { type: 'enabled', budget_tokens: 8192 },
    });
  });

  it('shrinks the budget under the client output cap, and gives up thinking below the minimum', () => {
    const fits = encode(chatRequest({ maxOutputTokens: 2000, reasoning: { enabled: true, effort: 'high' } }));
    expect(fits.body).toMatchObject({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1999 } });
    expect(fits.dropped).toEqual([]);
    const tooSmall = encode(chatRequest({ maxOutputTokens: 1024, reasoning: { enabled: true, effort: 'minimal' } }));
    expect(tooSmall.body).not.toHaveProperty('thinking');
    expect(tooSmall.body.max_tokens).toBe(1024);
    expect(tooSmall.dropped).toEqual(['reasoning']);
  });

  it('disables thinking when the client turned reasoning off', () => {
    const { body, dropped } = encode(chatRequest({ reasoning: { enabled: false }, temperature: 0.1, topK: 3 }));
    expect(body).toMatchObject({ thinking: { type: 'disabled' }, temperature: 0.1, top_k: 3 });
    expect(dropped).toEqual([]);
  });

  it('with thinking on keeps temperature 1 and top_p in [0.95, 1] only', () => {
    const { body, dropped } = encode(chatRequest({ reasoning: { enabled: true, effort: 'low' }, temperature: 1, topP: 0.5 }));
    expect(body.temperature).toBe(1);
    expect(body).not.toHaveProperty('top_p');
    expect(dropped).toEqual(['topP']);
  });

  it('reports json_object and a schema description, which have no equivalent', () => {
    expect(encode(chatRequest({ responseFormat: { type: 'json_object' } })).dropped).toEqual(['responseFormat']);
    const described = encode(chatRequest({ responseFormat: { type: 'json_schema', name: 'x', description: 'A thing', schema: { type: 'object' } } }));
    // Anthropic's structured outputs want every object closed (schema.ts).
    expect(described.body.output_config).toEqual({
      format: { type: 'json_schema', schema: { type: 'object', properties: {}, additionalProperties: false } },
    });
    expect(described.dropped).toEqual(['responseFormat.description']);
    expect(encode(chatRequest({ responseFormat: { type: 'text' } })).body).not.toHaveProperty('output_config');
  });

  it('re-encodes percent-encoded data URLs and reports documents and images it cannot send', () => {
    const { body, dropped } = encode(
      chatRequest({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'url', url: 'data:image/png,%3Csvg%3E' } },
              { type: 'image', source: { type: 'url', url: 'data:image/png;base64,%E0%A4%A' } },
              { type: 'document', source: { type: 'base64', mediaType: 'application/msword', data: 'AAAA' } },
              { type: 'document', source: { type: 'base64', mediaType: 'text/markdown; charset=utf-8', data: 'IyBUaXRsZQ==' } },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'PHN2Zz4=' } },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: '# Title' } },
        ],
      },
    ]);
    expect(dropped).toEqual(['content:image', 'content:document']);
  });

  it('leaves out and reports the whitespace-only stop sequences the API refuses', () => {
    const { body, dropped } = encode(chatRequest({ stop: ['\n', 'END', '', ' \t'] }));
    expect(body.stop_sequences).toEqual(['END']);
    expect(dropped).toEqual(['stop']);
    const onlyBlank = encode(chatRequest({ stop: ['\n\n'] }));
    expect(onlyBlank.body).not.toHaveProperty('stop_sequences');
    expect(onlyBlank.dropped).toEqual(['stop']);
  });

  it('leaves out turns with nothing to send, then keeps turns alternating', () => {
    const { body } = encode(
      chatRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'One' }] },
          { role: 'assistant', content: [{ type: 'thinking', text: 'unsigned' }] },
          { role: 'user', content: [{ type: 'text', text: 'Two' }] },
        ],
      }),
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'One' },
          { type: 'text', text: 'Two' },
        ],
      },
    ]);
  });
});

describe('thinking in a tool-use loop', () => {
  const history = (assistantOpening: ChatRequest['messages'][number]['content']): ChatRequest['messages'] => [
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
    { role: 'assistant', content: [...assistantOpening, { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: '18°C' }] }] },
  ];

  it('does not turn thinking on to answer tool calls made without it', () => {
    const { body, dropped } = encode(chatRequest({ tools: [weatherTool], messages: history([]), reasoning: { enabled: true, effort: 'low' } }));
    expect(body).not.toHaveProperty('thinking');
    expect(body.max_tokens).toBe(4096);
    expect(dropped).toEqual(['reasoning']);
  });

  it('keeps thinking on when the tool-calling turn opened with its signed thinking', () => {
    const { body, dropped } = encode(
      chatRequest({ tools: [weatherTool], messages: history([{ type: 'thinking', text: 'Call the tool.', signature: 'sig' }]), reasoning: { enabled: true, effort: 'low' } }),
    );
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(dropped).toEqual([]);
  });
});
