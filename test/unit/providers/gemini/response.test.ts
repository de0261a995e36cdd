import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import type { ToolCallPart } from '../../../../src/ir/chat.js';
import { geminiChat } from '../../../../src/providers/gemini/index.js';
import { decodeToolCallId } from '../../../../src/providers/gemini/ids.js';
import { chatRequest, thrownGatewayError } from '../../../support/codec-helpers.js';
import { fixtureJson, geminiModel } from './helpers.js';

const FC_SIGNATURE = 'BTeNzABjT1wAyjZgQFjLtFX6yRdD4mrkI5P2zt3kDODLEH75GVlqlvatmAGaK6syEPs=';

describe('Gemini response decoding', () => {
  it('joins text parts and reads usage, id and model', () => {
    const before = Math.floor(Date.now() / 1000);
    const response = geminiChat.decodeResponse(fixtureJson('text-response.json'));
    expect(response).toEqual({
      id: 'Xx5PaJ2KOYaQ1MkPqdmt4Ak',
      model: 'gemini-2.5-flash',
      created: response.created,
      content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 8, outputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
    expect(response.created).toBeGreaterThanOrEqual(before);
  });

  it('turns function calls into tool calls whose ids carry Gemini id and signature', () => {
    const response = geminiChat.decodeResponse(fixtureJson('function-call-response.json'));
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 125, outputTokens: 125, cachedInputTokens: 64, cacheWriteTokens: 0 });
    const [first, second] = response.content as ToolCallPart[];
    expect(response.content).toHaveLength(2);
    expect(first).toEqual({ type: 'tool_call', id: first?.id, name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' });
    expect(decodeToolCallId(first?.id ?? '')).toEqual({ geminiId: 'fc-7f3a', thoughtSignature: FC_SIGNATURE });
    expect(second).toEqual({ type: 'tool_call', id: second?.id, name: 'get_time', arguments: '{"city":"Paris"}' });
    expect(second?.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
  });

  it('round-trips the thought signature through the tool call id into the next request', () => {
    const response = geminiChat.decodeResponse(fixtureJson('function-call-response.json'));
    const calls = response.content as ToolCallPart[];
    const { request } = geminiChat.encodeRequest(
      chatRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
          { role: 'assistant', content: response.content },
          {
            role: 'user',
            content: calls.map((call) => ({ type: 'tool_result' as const, toolCallId: call.id, content: [{ type: 'text' as const, text: 'ok' }] })),
          },
        ],
      }),
      geminiModel(),
      new Headers(),
    );
    const contents = JSON.parse(request.body).contents;
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { name: 'get_weather', args: { location: 'Paris', unit: 'celsius' }, id: 'fc-7f3a' }, thoughtSignature: FC_SIGNATURE },
        { functionCall: { name: 'get_time', args: { city: 'Paris' } } },
      ],
    });
    expect(contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { output: 'ok' }, id: 'fc-7f3a' } },
        { functionResponse: { name: 'get_time', response: { output: 'ok' } } },
      ],
    });
  });

  it('keeps thoughts as thinking with their signature, and a text signature as a text-less thinking part', () => {
    const response = geminiChat.decodeResponse(fixtureJson('thinking-response.json'));
    expect(response.content).toEqual([
      {
        type: 'thinking',
        text: '**Weighing the options**\n\nThe user wants a prime. 7 is prime.',
        signature: 'gemini:cDTHkaG4WtAZA0wv1nd5pnKOGo9UbCjLmcbRn0TIVoyFlOJKJ4s9pw==',
      },
      { type: 'text', text: 'The answer is 7.' },
      { type: 'thinking', text: '', signature: 'gemini:pRNKY5rSg35FV4OSDASdbIjBAjmcR93m1SDnwRCY2GL+jfGloQ==' },
    ]);
    expect(response.usage).toEqual({ inputTokens: 12, outputTokens: 406, cachedInputTokens: 0, cacheWriteTokens: 0 });
    // And back: every signature returns to the part it came on.
    const { request } = geminiChat.encodeRequest(
      chatRequest({ messages: [{ role: 'assistant', content: response.content }] }),
      geminiModel(),
      new Headers(),
    );
    expect(JSON.parse(request.body).contents[0].parts).toEqual([
      {
        text: '**Weighing the options**\n\nThe user wants a prime. 7 is prime.',
        thought: true,
        thoughtSignature: 'cDTHkaG4WtAZA0wv1nd5pnKOGo9UbCjLmcbRn0TIVoyFlOJKJ4s9pw==',
      },
      { text: 'The answer is 7.', thoughtSignature: 'pRNKY5rSg35FV4OSDASdbIjBAjmcR93m1SDnwRCY2GL+jfGloQ==' },
    ]);
  });

  it('reports a blocked prompt as content_filter with no content', () => {
    const response = geminiChat.decodeResponse(fixtureJson('blocked-prompt.json'));
    expect(response.content).toEqual([]);
    expect(response.stopReason).toBe('content_filter');
    expect(response.id).toBe('blocked-1');
    expect(response.usage).toEqual({ inputTokens: 10, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it.each([
    ['MAX_TOKENS', 'max_tokens'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'end_turn'],
    ['OTHER', 'end_turn'],
    ['SOMETHING_NEW', 'end_turn'],
  ])('maps finish reason %s to %s', (finishReason, stopReason) => {
    const body = { candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason }] };
    const response = geminiChat.decodeResponse(body);
    expect(response.stopReason).toBe(stopReason);
    expect(response.id).toMatch(/^gen_[A-Za-z0-9]{24}$/);
    expect(response.model).toBe('');
    expect(response.usage).toBeUndefined();
  });

  it('skips parts it cannot represent and odd part shapes', () => {
    const body = {
      candidates: [
        {
          content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }, 'junk', null, { text: 42 }, { text: 'ok' }] },
          finishReason: 'STOP',
        },
      ],
    };
    expect(geminiChat.decodeResponse(body).content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it.each([[null], ['text'], [[1, 2]], [{ foo: 1 }], [fixtureJson('error.json')]])('refuses %j as an upstream error', (body) => {
    expect(() => geminiChat.decodeResponse(body)).toThrow(GatewayError);
    expect(thrownGatewayError(() => geminiChat.decodeResponse(body)).code).toBe('upstream_error');
  });
});
