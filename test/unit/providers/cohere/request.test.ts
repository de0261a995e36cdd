import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { cohereChat } from '../../../../src/providers/cohere/index.js';
import { chatRequest, thrownGatewayError } from '../../../support/codec-helpers.js';
import { cohereModel } from './helpers.js';

function encode(extra: Parameters<typeof chatRequest>[0] = {}) {
  const { request, dropped } = cohereChat.encodeRequest(chatRequest(extra), cohereModel(), new Headers({ accept: 'application/x-ndjson' }));
  return { request, dropped, body: JSON.parse(request.body) as Record<string, unknown> };
}

describe('cohere chat request', () => {
  it('posts to /v2/chat with Bearer auth, the model headers and the answer kind it reads', () => {
    const { request, body, dropped } = encode();
    expect(request.url).toBe('https://api.cohere.com/v2/chat');
    expect(request.headers.get('authorization')).toBe('Bearer co-key');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('accept')).toBe('application/json');
    expect(request.headers.get('x-extra')).toBe('1');
    expect(body).toEqual({ model: 'command-a-03-2025', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false });
    expect(dropped).toEqual([]);
  });

  it('asks for an event stream when streaming, and sends no auth without a key', () => {
    const { request, body } = (() => {
      const encoded = cohereChat.encodeRequest(chatRequest({ stream: true }), cohereModel({ apiKey: undefined }), new Headers());
      return { request: encoded.request, body: JSON.parse(encoded.request.body) as Record<string, unknown> };
    })();
    expect(body.stream).toBe(true);
    expect(request.headers.get('accept')).toBe('text/event-stream');
    expect(request.headers.has('authorization')).toBe(false);
  });

  it('maps sampling parameters to their v2 names', () => {
    const { body, dropped } = encode({
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      seed: 7,
    });
    expect(body).toMatchObject({ max_tokens: 300, temperature: 0.2, p: 0.9, k: 40, stop_sequences: ['END'], seed: 7 });
    expect(dropped).toEqual([]);
  });

  it('brings top_p into the 0.01..0.99 range v2 accepts for p (clients commonly send 1)', () => {
    expect(encode({ topP: 1 }).body.p).toBe(0.99);
    expect(encode({ topP: 0 }).body.p).toBe(0.01);
    expect(encode({ topP: 0.5 }).body.p).toBe(0.5);
  });

  it('encodes a whole conversation: system, images, tool calls with their plan, tool results', () => {
    const { body, dropped } = encode({
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture, and the weather?' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'Need the weather.', signature: 'sig' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_call', id: 'get_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: 'get_weather_1', content: [{ type: 'text', text: '18C' }] },
            { type: 'text', text: 'Thanks' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat; 18C in Paris.' }] },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'Be brief.' },
          { type: 'text', text: 'Answer in English.' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and the weather?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'thinking', thinking: 'Need the weather.' }],
        tool_plan: 'Let me check.',
        tool_calls: [{ id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'get_weather_1', content: [{ type: 'text', text: '18C' }] },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A cat; 18C in Paris.' }] },
    ]);
    expect(dropped).toEqual([]);
  });

  it('inlines text documents and reports what v2 cannot carry', () => {
    const { body, dropped } = encode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'text', text: 'Plain notes' } },
            { type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            {
              type: 'tool_result',
              toolCallId: 't1',
              isError: true,
              content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } }],
            },
          ],
        },
        { role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/y.png' } }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Plain notes' }] },
      { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: '' }] },
    ]);
    expect(dropped.sort()).toEqual([
      'content:document:base64',
      'content:document:url',
      'content:image:assistant',
      'content:tool_result:image',
      'content:tool_result:is_error',
    ]);
  });

  it('decodes UTF-8 text documents sent as base64', () => {
    const utf8 = btoa(String.fromCharCode(...new TextEncoder().encode('héllo')));
    const { body } = encode({
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', mediaType: 'text/markdown', data: utf8 } }] }],
    });
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'héllo' }] }]);
  });

  describe('tools', () => {
    const tools = [
      { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', parameters: { type: 'object', properties: {} } },
    ];

    it('sends function tools and leaves tool_choice out for auto', () => {
      const { body, dropped } = encode({ tools, toolChoice: { type: 'auto' } });
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ]);
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('strict_tools');
      expect(dropped).toEqual([]);
    });

    it('maps none and required to NONE and REQUIRED', () => {
      expect(encode({ tools, toolChoice: { type: 'none' } }).body.tool_choice).toBe('NONE');
      expect(encode({ tools, toolChoice: { type: 'required' } }).body.tool_choice).toBe('REQUIRED');
    });

    it('forces a named tool as REQUIRED with only that tool offered', () => {
      const { body, dropped } = encode({ tools, toolChoice: { type: 'tool', name: 'get_time' } });
      expect(body.tool_choice).toBe('REQUIRED');
      expect(body.tools).toEqual([{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }]);
      expect(dropped).toEqual([]);
    });

    it('refuses a named tool that is not among the tools', () => {
      expect(() => encode({ tools, toolChoice: { type: 'tool', name: 'nope' } })).toThrow(GatewayError);
      const error = thrownGatewayError(() => encode({ tools, toolChoice: { type: 'tool', name: 'nope' } }));
      expect(error.code).toBe('invalid_request');
      expect(error.options.param).toBe('tool_choice');
    });

    it('sets strict_tools when every tool is strict and reports a mix', () => {
      const strict = tools.map((tool) => ({ ...tool, strict: true }));
      expect(encode({ tools: strict }).body.strict_tools).toBe(true);
      const mixed = encode({ tools: [strict[0]!, tools[1]!] });
      expect(mixed.body).not.toHaveProperty('strict_tools');
      expect(mixed.dropped).toEqual(['tools.strict']);
    });

    it('reports parallelToolCalls false, which v2 cannot express', () => {
      expect(encode({ tools, parallelToolCalls: false }).dropped).toEqual(['parallelToolCalls']);
      expect(encode({ tools, parallelToolCalls: true }).dropped).toEqual([]);
    });
  });

  it('maps response formats to json_object, with the schema when there is one', () => {
    expect(encode({ responseFormat: { type: 'text' } }).body).not.toHaveProperty('response_format');
    expect(encode({ responseFormat: { type: 'json_object' } }).body.response_format).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    const named = encode({ responseFormat: { type: 'json_schema', name: 'thing', schema, strict: true } });
    expect(named.body.response_format).toEqual({ type: 'json_object', json_schema: schema });
    expect(named.dropped).toEqual([]);
    const described = encode({ responseFormat: { type: 'json_schema', name: 'thing', schema, description: 'A thing' } });
    expect(described.dropped).toEqual(['responseFormat.description']);
  });

  it('maps reasoning to thinking with a token budget', () => {
    expect(encode({ reasoning: { enabled: true, budgetTokens: 5000 } }).body.thinking).toEqual({ type: 'enabled', token_budget: 5000 });
    expect(encode({ reasoning: { enabled: true, effort: 'medium' } }).body.thinking).toEqual({ type: 'enabled', token_budget: 8192 });
    expect(encode({ reasoning: { enabled: true } }).body.thinking).toEqual({ type: 'enabled' });
    expect(encode({ reasoning: { enabled: false } }).body.thinking).toEqual({ type: 'disabled' });
    expect(encode().body).not.toHaveProperty('thinking');
  });

  it('reports user and metadata, which v2 has no place for', () => {
    const { body, dropped } = encode({ user: 'u-1', metadata: { a: 'b' } });
    expect(body).not.toHaveProperty('user');
    expect(body).not.toHaveProperty('metadata');
    expect(dropped).toEqual(['user', 'metadata']);
    expect(encode({ metadata: {} }).dropped).toEqual([]);
  });
});
