import { describe, expect, it } from 'vitest';
import { openAIChatFormat } from '../../../../src/formats/openai-chat/index.js';
import type { ChatResponse, StopReason } from '../../../../src/ir/chat.js';
import { fixtureReader } from '../../../support/codec-helpers.js';

const { fixtureJson } = fixtureReader('formats/openai-chat');

const encode = (response: ChatResponse) => openAIChatFormat.encodeResponse(response, { model: 'gw-model', messages: [] });

describe('Chat Completions response encoding', () => {
  it('encodes a text answer exactly as OpenAI sends one', () => {
    const response: ChatResponse = {
      id: 'msg_01',
      model: 'claude-haiku-4-5',
      created: 1760000000,
      content: [{ type: 'text', text: 'Bonjour.' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0 },
    };
    expect(JSON.stringify(encode(response))).toBe(
      '{"id":"msg_01","object":"chat.completion","created":1760000000,"model":"claude-haiku-4-5","choices":[{"index":0,' +
        '"message":{"role":"assistant","content":"Bonjour.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],' +
        '"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
        '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}',
    );
  });

  it('encodes thinking, redacted thinking and parallel tool calls', () => {
    expect(encode(fixtureJson<ChatResponse>('response-tools.ir.json'))).toEqual(fixtureJson('response-tools.json'));
  });

  it('gives null content beside tool calls only, an empty string for an empty answer, and no usage when unknown', () => {
    const toolsOnly = encode({
      id: 'x',
      model: 'm',
      created: 1,
      content: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }],
      stopReason: 'tool_use',
    }) as { choices: Array<{ message: Record<string, unknown> }>; usage?: unknown };
    expect(toolsOnly.choices[0]!.message.content).toBeNull();
    expect(toolsOnly).not.toHaveProperty('usage');
    const empty = encode({ id: 'x', model: 'm', created: 1, content: [], stopReason: 'end_turn' }) as typeof toolsOnly;
    expect(empty.choices[0]!.message).toEqual({ role: 'assistant', content: '', refusal: null, annotations: [] });
  });

  it('gives {} as the arguments of a call without arguments', () => {
    const out = encode({
      id: 'x',
      model: 'm',
      created: 1,
      content: [{ type: 'tool_call', id: 'c1', name: 'now', arguments: '' }],
      stopReason: 'tool_use',
    }) as { choices: Array<{ message: { tool_calls: unknown } }> };
    expect(out.choices[0]!.message.tool_calls).toEqual([{ id: 'c1', type: 'function', function: { name: 'now', arguments: '{}' } }]);
  });

  it('maps every stop reason', () => {
    const reasons: Record<StopReason, string> = {
      end_turn: 'stop',
      stop_sequence: 'stop',
      pause_turn: 'stop',
      max_tokens: 'length',
      tool_use: 'tool_calls',
      refusal: 'content_filter',
      content_filter: 'content_filter',
    };
    for (const [stopReason, finish] of Object.entries(reasons)) {
      const out = encode({ id: 'x', model: 'm', created: 1, content: [], stopReason: stopReason as StopReason }) as {
        choices: Array<{ finish_reason: string }>;
      };
      expect(out.choices[0]!.finish_reason).toBe(finish);
    }
  });

  it('round-trips thinking signatures through reasoning_details into the next request', () => {
    const answer = encode(fixtureJson<ChatResponse>('response-tools.ir.json')) as { choices: Array<{ message: Record<string, unknown> }> };
    const next = openAIChatFormat.decodeRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }, answer.choices[0]!.message],
    });
    const original = (fixtureJson<ChatResponse>('response-tools.ir.json')).content;
    expect(next.messages[1]).toEqual({
      role: 'assistant',
      content: [original[0], original[1], { type: 'text', text: 'Let me check both.' }, original[4], original[5]],
    });
    expect(next.unsupported).toEqual([]);
  });

  it('joins streamed reasoning_details pieces sent back as they came, so the signature covers the whole thinking', () => {
    const request = openAIChatFormat.decodeRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: 'A',
          reasoning_details: [
            { type: 'reasoning.text', text: 'Hm', format: 'unknown', index: 0 },
            { type: 'reasoning.text', text: 'm.', format: 'unknown', index: 0 },
            { type: 'reasoning.text', signature: 'sig', format: 'unknown', index: 0 },
            { type: 'reasoning.encrypted', data: 'ENC', format: 'unknown', index: 1 },
            { type: 'reasoning.text', text: 'Then.', format: 'unknown', index: 2 },
            { type: 'reasoning.text', text: 'Again.', format: 'unknown' },
          ],
        },
      ],
    });
    expect(request.messages[1]!.content).toEqual([
      { type: 'thinking', text: 'Hmm.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'ENC' },
      { type: 'thinking', text: 'Then.' },
      { type: 'thinking', text: 'Again.' },
      { type: 'text', text: 'A' },
    ]);
  });
});
