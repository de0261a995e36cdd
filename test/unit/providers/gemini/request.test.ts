import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import type { ChatRequest } from '../../../../src/ir/chat.js';
import { geminiChat } from '../../../../src/providers/gemini/index.js';
import { encodeToolCallId } from '../../../../src/providers/gemini/ids.js';
import { chatRequest, thrownGatewayError } from '../../../support/codec-helpers.js';
import { geminiModel } from './helpers.js';

const encode = (extra: Parameters<typeof chatRequest>[0], model = geminiModel()) =>
  geminiChat.encodeRequest(chatRequest(extra), model, new Headers({ authorization: 'Bearer sk-rt-client', accept: 'application/json' }));

describe('Gemini request encoding', () => {
  it('posts generateContent with the provider key, never the client token', () => {
    const { request, dropped } = encode({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.headers.get('x-goog-api-key')).toBe('AIza-provider-key');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('x-extra')).toBe('1');
    expect(JSON.parse(request.body)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(dropped).toEqual([]);
  });

  it('streams through streamGenerateContent with alt=sse and accepts a models/ resource name', () => {
    const { request } = encode({ stream: true, messages: [] }, geminiModel({ upstreamModel: 'models/gemini-3-pro-preview' }));
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
  });

  it('maps system, sampling, stop, seed, JSON schema output, tools and a named tool choice', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const { request, dropped } = encode({
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in French.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?' }] }],
      tools: [
        { name: 'get_weather', description: 'Current weather', parameters: schema },
        { name: 'ping', parameters: {} },
      ],
      toolChoice: { type: 'tool', name: 'get_weather' },
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 256,
      stop: ['END'],
      seed: 7,
      responseFormat: { type: 'json_schema', name: 'weather', schema },
      user: 'user-42',
      metadata: { team: 'a' },
      parallelToolCalls: false,
    });
    expect(JSON.parse(request.body)).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', description: 'Current weather', parametersJsonSchema: schema },
            { name: 'ping' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        seed: 7,
        responseMimeType: 'application/json',
        responseJsonSchema: schema,
      },
    });
    expect(dropped).toEqual(['user', 'metadata', 'parallelToolCalls']);
  });

  it.each([
    [{ type: 'auto' } as const, { mode: 'AUTO' }],
    [{ type: 'none' } as const, { mode: 'NONE' }],
    [{ type: 'required' } as const, { mode: 'ANY' }],
  ])('maps tool choice %j', (toolChoice, expected) => {
    const { request } = encode({ tools: [{ name: 't', parameters: { type: 'object' } }], toolChoice });
    expect(JSON.parse(request.body).toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it.each([
    [{ enabled: true, effort: 'medium' as const }, { thinkingBudget: 8192, includeThoughts: true }],
    [{ enabled: true, effort: 'high' as const, budgetTokens: 5000 }, { thinkingBudget: 5000, includeThoughts: true }],
    [{ enabled: true }, { includeThoughts: true }],
    [{ enabled: false }, { thinkingBudget: 0 }],
  ])('maps reasoning %j to a thinking config', (reasoning, expected) => {
    const { request } = encode({ reasoning, responseFormat: { type: 'json_object' } });
    expect(JSON.parse(request.body).generationConfig).toEqual({ responseMimeType: 'application/json', thinkingConfig: expected });
  });

  it('maps images and documents to inlineData and fileData, reporting what it cannot send', () => {
    const { request, dropped } = encode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.JPG?size=big' }, detail: 'auto' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/render?id=1' } },
            { type: 'image', source: { type: 'base64', mediaType: 'image/webp', data: 'UklGRg==' }, detail: 'low' },
            { type: 'document', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/doc', mediaType: 'text/plain' } },
            { type: 'document', source: { type: 'url', url: 'data:text/plain,h%C3%A9llo' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/download' } },
            { type: 'document', source: { type: 'text', text: 'Plain notes' } },
            { type: 'document', source: { type: 'file_id', fileId: 'file-abc' } },
          ],
        },
      ],
    });
    expect(JSON.parse(request.body).contents).toEqual([
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=big' } },
          { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/paper.pdf' } },
          { fileData: { mimeType: 'text/plain', fileUri: 'https://example.com/doc' } },
          { inlineData: { mimeType: 'text/plain', data: 'aMOpbGxv' } },
          { text: 'Plain notes' },
        ],
      },
    ]);
    expect(dropped).toEqual(['content:image:url', 'content:image:detail', 'content:document:url', 'content:document:file_id']);
  });

  it('sends tool calls and results with names, args objects, Gemini ids and signatures', () => {
    const signed = encodeToolCallId({ geminiId: 'fc-7f3a', thoughtSignature: 'BTeNzABjT1wAyjZgQFjLtFX6yRdD4mrkI5P2zt3kDODLEH75GVlqlvatmAGaK6syEPs=' });
    const { request } = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'Two lookups.', signature: 'gemini:c2lnLXRob3VnaHQ=' },
            { type: 'tool_call', id: signed, name: 'get_weather', arguments: '{"location":"Paris"}' },
            { type: 'tool_call', id: 'call_openai_1', name: 'get_time', arguments: 'not json' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: signed, content: [{ type: 'text', text: '18°C' }, { type: 'text', text: 'sunny' }] },
            {
              type: 'tool_result',
              toolCallId: 'call_openai_1',
              isError: true,
              content: [
                { type: 'text', text: 'clock offline' },
                { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBO' } },
              ],
            },
            { type: 'tool_result', toolCallId: 'from-elsewhere', name: 'lookup', content: [] },
          ],
        },
      ],
    });
    expect(JSON.parse(request.body).contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Two lookups.', thought: true, thoughtSignature: 'c2lnLXRob3VnaHQ=' },
          {
            functionCall: { name: 'get_weather', args: { location: 'Paris' }, id: 'fc-7f3a' },
            thoughtSignature: 'BTeNzABjT1wAyjZgQFjLtFX6yRdD4mrkI5P2zt3kDODLEH75GVlqlvatmAGaK6syEPs=',
          },
          { functionCall: { name: 'get_time', args: { _raw: 'not json' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: '18°C\nsunny' }, id: 'fc-7f3a' } },
          {
            functionResponse: {
              name: 'get_time',
              response: { error: 'clock offline' },
              parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBO' } }],
            },
          },
          { functionResponse: { name: 'lookup', response: { output: '' } } },
        ],
      },
    ]);
  });

  it('gives Gemini 3 the documented stand-in signature on the first unsigned call of a model step, and older models none', () => {
    const signed = encodeToolCallId({ geminiId: 'fc-1', thoughtSignature: 'c2ln' });
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'toolu_claude_1', name: 'get_weather', arguments: '{}' },
          { type: 'tool_call', id: 'toolu_claude_2', name: 'get_time', arguments: '{}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'toolu_claude_1', content: [{ type: 'text', text: 'sunny' }] },
          { type: 'tool_result', toolCallId: 'toolu_claude_2', content: [{ type: 'text', text: 'noon' }] },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_call', id: signed, name: 'get_weather', arguments: '{}' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: signed, content: [{ type: 'text', text: 'rain' }] }] },
    ];
    const modelParts = (upstreamModel: string) =>
      (JSON.parse(encode({ messages }, geminiModel({ upstreamModel })).request.body) as { contents: Array<{ role: string; parts: unknown[] }> }).contents
        .filter((content) => content.role === 'model')
        .map((content) => content.parts);
    expect(modelParts('gemini-3-pro-preview')).toEqual([
      [
        { text: 'Checking.' },
        { functionCall: { name: 'get_weather', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
        { functionCall: { name: 'get_time', args: {} } },
      ],
      [{ functionCall: { name: 'get_weather', args: {}, id: 'fc-1' }, thoughtSignature: 'c2ln' }],
    ]);
    expect(modelParts('models/gemini-3.1-flash')[0]?.[1]).toHaveProperty('thoughtSignature', 'skip_thought_signature_validator');
    expect(modelParts('gemini-2.5-flash')[0]).toEqual([
      { text: 'Checking.' },
      { functionCall: { name: 'get_weather', args: {} } },
      { functionCall: { name: 'get_time', args: {} } },
    ]);
  });

  it('puts a text-less signature back on the answer text, keeps foreign signatures away, skips empty turns', () => {
    const { request, dropped } = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'Claude thought', signature: 'EqQBanthropic' },
            { type: 'text', text: 'A' },
            { type: 'thinking', text: '', signature: 'gemini:dGV4dA==' },
            { type: 'thinking', text: '', signature: 'gemini:bG9uZQ==' },
          ],
        },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'xyz' }, { type: 'text', text: '' }] },
      ],
    });
    expect(JSON.parse(request.body).contents).toEqual([
      { role: 'user', parts: [{ text: 'Q' }] },
      {
        role: 'model',
        parts: [
          { text: 'Claude thought', thought: true },
          { text: 'A', thoughtSignature: 'dGV4dA==' },
          { text: '', thoughtSignature: 'bG9uZQ==' },
        ],
      },
    ]);
    expect(dropped).toEqual(['content:thinking:signature', 'content:redacted_thinking']);
  });

  it('refuses a tool result whose function name cannot be found', () => {
    const call = () =>
      encode({ messages: [{ role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_x', content: [{ type: 'text', text: 'ok' }] }] }] });
    expect(call).toThrow(GatewayError);
    const error = thrownGatewayError(call);
    expect(error.code).toBe('invalid_request');
    expect(error.options.param).toBe('messages[0]');
  });
});
