import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import { anthropicChat } from '../../../../src/providers/anthropic/index.js';
import { createAnthropicStreamDecoder } from '../../../../src/providers/anthropic/stream-decoder.js';
import { decodeSse } from '../../../support/codec-helpers.js';
import { fixtureText } from './helpers.js';

const NOW = 1_750_000_000_999;
const CREATED = 1_750_000_000;

/** Replays raw SSE text through a fresh decoder on a fixed clock, in pieces of `chunk` characters. */
const replay = (text: string, chunk?: number): StreamEvent[] => decodeSse(createAnthropicStreamDecoder(() => NOW), text, chunk);

describe('anthropic stream decoder', () => {
  it('decodes thinking with its signature, then text', () => {
    const expected: StreamEvent[] = [
      { type: 'start', id: 'msg_01PKEqeVMYprx1qVzF3EEpXs', model: 'claude-sonnet-4-5-20250929', created: CREATED },
      { type: 'usage', usage: { inputTokens: 105, outputTokens: 1, cachedInputTokens: 20, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147' },
      { type: 'thinking_delta', index: 0, text: '\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21' },
      { type: 'signature_delta', index: 0, signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'The greatest common divisor of 1071 and 462 is **21**.' },
      { type: 'block_stop', index: 1 },
      // message_delta carries only the output count: the running total keeps the prompt's.
      { type: 'usage', usage: { inputTokens: 105, outputTokens: 98, cachedInputTokens: 20, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'end_turn' },
    ];
    const text = fixtureText('stream-thinking-text.txt');
    expect(replay(text)).toEqual(expected);
    expect(replay(text, 7)).toEqual(expected);
  });

  it('decodes a tool call from its input_json_delta pieces', () => {
    expect(replay(fixtureText('stream-tool-use.txt'))).toEqual([
      { type: 'start', id: 'msg_014p7gG3wDgGV9EUtLvnow3U', model: 'claude-sonnet-4-5-20250929', created: CREATED },
      { type: 'usage', usage: { inputTokens: 472, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: "Okay, let's check the weather for San Francisco, CA:" },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' } },
      { type: 'arguments_delta', index: 1, json: '{"location":' },
      { type: 'arguments_delta', index: 1, json: ' "San Francisco, CA"' },
      { type: 'arguments_delta', index: 1, json: ', "unit": "fahrenheit"}' },
      { type: 'block_stop', index: 1 },
      { type: 'usage', usage: { inputTokens: 472, outputTokens: 89, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'tool_use' },
    ]);
  });

  it('gives a tool called without input the arguments {}, as a non-streamed answer has them', () => {
    // The second call is cut off by the end of the body: it is closed the same way.
    expect(replay(fixtureText('stream-tool-use-no-input.txt'))).toEqual([
      { type: 'start', id: 'msg_01NoInputToolCall', model: 'claude-sonnet-4-5-20250929', created: CREATED },
      { type: 'usage', usage: { inputTokens: 310, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'toolu_01NoInput', name: 'get_time' } },
      { type: 'arguments_delta', index: 0, json: '{}' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_01Truncated', name: 'get_date' } },
      { type: 'arguments_delta', index: 1, json: '{}' },
      { type: 'block_stop', index: 1 },
      { type: 'error', status: 502, message: 'Anthropic ended the stream before finishing its answer', errorType: 'truncated_stream' },
    ]);
  });

  it('skips server tool blocks and their deltas, renumbering what follows', () => {
    expect(replay(fixtureText('stream-server-tool.txt'))).toEqual([
      { type: 'start', id: 'msg_01G1GKU8VspbRRm4hbEYFp3Q', model: 'claude-sonnet-4-5-20250929', created: CREATED },
      { type: 'usage', usage: { inputTokens: 2679, outputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'It is sunny in New York today.' },
      { type: 'block_stop', index: 0 },
      { type: 'usage', usage: { inputTokens: 10682, outputTokens: 510, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'end_turn' },
    ]);
  });

  it('turns an in-stream error into an IR error with its status, then says nothing more', () => {
    expect(replay(fixtureText('stream-error.txt'))).toEqual([
      { type: 'start', id: 'msg_01Overloaded', model: 'claude-sonnet-4-5-20250929', created: CREATED },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hello' },
      { type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' },
    ]);
  });

  it('closes open blocks and reports a cut answer when the body ends before a stop reason', () => {
    const text = fixtureText('stream-tool-use.txt');
    const cut = text.slice(0, text.indexOf('event: content_block_stop\ndata: {"type":"content_block_stop","index":1}'));
    const events = replay(cut);
    expect(events.slice(-3)).toEqual([
      { type: 'arguments_delta', index: 1, json: ', "unit": "fahrenheit"}' },
      { type: 'block_stop', index: 1 },
      { type: 'error', status: 502, message: 'Anthropic ended the stream before finishing its answer', errorType: 'truncated_stream' },
    ]);
  });

  it('keeps the stop sequence, and content that came inside content_block_start', () => {
    const decoder = anthropicChat.createStreamDecoder();
    const events = [
      { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}' },
      { event: 'content_block_start', data: '{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"abc"}}' },
      { event: 'content_block_start', data: '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t","name":"f","input":{"a":1}}}' },
      { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"###"},"usage":{"output_tokens":4}}' },
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ].flatMap((event) => decoder.push({ ...event, raw: '' }));
    expect(events.map((event) => (event.type === 'start' ? { ...event, created: 0 } : event))).toEqual([
      { type: 'start', id: '', model: '', created: 0 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'block_start', index: 1, block: { type: 'redacted_thinking', data: 'abc' } },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 't', name: 'f' } },
      { type: 'arguments_delta', index: 2, json: '{"a":1}' },
      { type: 'usage', usage: { inputTokens: 0, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_stop', index: 0 },
      { type: 'block_stop', index: 1 },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'stop_sequence', stopSequence: '###' },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('passes over unknown events and throws upstream_error on a known one that is not JSON', () => {
    const decoder = createAnthropicStreamDecoder(() => NOW);
    expect(decoder.push({ event: 'brand_new_event', data: '{not json', raw: '' })).toEqual([]);
    expect(decoder.push({ event: 'brand_new_event', data: '{"type":"brand_new_event"}', raw: '' })).toEqual([]);
    expect(() => decoder.push({ event: 'content_block_delta', data: '{not json', raw: '' })).toThrow(GatewayError);
  });
});
