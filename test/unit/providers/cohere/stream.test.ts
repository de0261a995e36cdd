import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import { cohereChat } from '../../../../src/providers/cohere/index.js';
import { SseParser } from '../../../../src/sse/parser.js';
import { decodeSse, freezeDate, sseData, thrownGatewayError } from '../../../support/codec-helpers.js';
import { fixtureText } from './helpers.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const CREATED = NOW / 1000;

/** Feeds raw SSE text to a fresh decoder in pieces of `chunk` characters, then ends it. */
const decode = (raw: string, chunk?: number): StreamEvent[] => decodeSse(cohereChat.createStreamDecoder(), raw, chunk);
const sse = (...payloads: unknown[]): string => sseData(payloads);

describe('cohere stream decoder', () => {
  freezeDate(NOW);

  it('decodes a text stream', () => {
    expect(decode(fixtureText('stream-text.txt'))).toEqual([
      { type: 'start', id: '29f14a5a-11de-4cae-9800-25e4747408ea', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'LL' },
      { type: 'text_delta', index: 0, text: 'Ms' },
      { type: 'text_delta', index: 0, text: ' stand' },
      { type: 'text_delta', index: 0, text: ' for' },
      { type: 'text_delta', index: 0, text: ' Large Language Models.' },
      { type: 'block_stop', index: 0 },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 26, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'end_turn' },
    ]);
  });

  it('gives the same events whatever the network chunking', () => {
    const raw = fixtureText('stream-tool-call.txt');
    expect(decode(raw, 7)).toEqual(decode(raw));
  });

  it('decodes a tool plan and two tool calls into dense blocks', () => {
    expect(decode(fixtureText('stream-tool-call.txt'))).toEqual([
      { type: 'start', id: '2edfdf70-019c-4f7a-be20-3cdbfaa3dca6', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'I' },
      { type: 'text_delta', index: 0, text: ' will' },
      { type: 'text_delta', index: 0, text: ' look' },
      { type: 'text_delta', index: 0, text: ' it' },
      { type: 'text_delta', index: 0, text: ' up.' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'query_daily_sales_report_j3f0adww9pmr', name: 'query_daily_sales_report' } },
      { type: 'arguments_delta', index: 1, json: '{"' },
      { type: 'arguments_delta', index: 1, json: 'day' },
      { type: 'arguments_delta', index: 1, json: '": "2023-09-29"}' },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'query_product_catalog_c66nf11r6s8g', name: 'query_product_catalog' } },
      { type: 'arguments_delta', index: 2, json: '{"category": "Electronics"}' },
      { type: 'block_stop', index: 2 },
      { type: 'usage', usage: { inputTokens: 126, outputTokens: 84, cachedInputTokens: 126, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'tool_use' },
    ]);
  });

  it('decodes a thinking block, then text, and MAX_TOKENS', () => {
    expect(decode(fixtureText('stream-thinking.txt'))).toEqual([
      { type: 'start', id: '7d0c6b1e-3a8f-4e0b-b1a4-0f4c2d9e8a77', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'The user greets me.' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Hello!' },
      { type: 'block_stop', index: 1 },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'max_tokens' },
    ]);
  });

  it('reads content events that carry no index, and ignores citations and debug events', () => {
    const raw = sse(
      { type: 'message-start', id: 'm1', delta: { message: { role: 'assistant' } } },
      { type: 'content-start', delta: { message: { content: { type: 'text', text: '' } } } },
      { type: 'content-delta', delta: { message: { content: { text: 'Both' } } } },
      { type: 'citation-start', index: 0, delta: { message: { citations: { start: 0, end: 4, text: 'Both', sources: [] } } } },
      { type: 'citation-end', index: 0 },
      { type: 'debug', prompt: 'internal' },
      { type: 'content-delta', delta: { message: { content: { text: ' bands' } } } },
      { type: 'content-end' },
      { type: 'message-end', delta: { finish_reason: 'STOP_SEQUENCE' } },
    );
    expect(decode(raw)).toEqual([
      { type: 'start', id: 'm1', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Both' },
      { type: 'text_delta', index: 0, text: ' bands' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'stop_sequence' },
    ]);
  });

  it('turns finish_reason ERROR into an error event, with nothing after it', () => {
    const raw = sse(
      { type: 'message-start', id: 'm1' },
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: 'Hal' } } } },
      { type: 'message-end', delta: { finish_reason: 'ERROR', error: 'internal failure' } },
      { type: 'content-delta', index: 0, delta: { message: { content: { text: 'late' } } } },
    );
    expect(decode(raw)).toEqual([
      { type: 'start', id: 'm1', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hal' },
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 502, message: 'Cohere reported that the generation failed: internal failure', errorType: 'upstream_error' },
    ]);
  });

  it('closes what is open and reports a cut answer when the body ends without message-end', () => {
    const raw = sse(
      { type: 'message-start', id: 'm1' },
      { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":' } } } } },
    );
    expect(decode(raw)).toEqual([
      { type: 'start', id: 'm1', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'c1', name: 'f' } },
      { type: 'arguments_delta', index: 0, json: '{"a":' },
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 502, message: 'Cohere ended the stream before finishing its answer', errorType: 'truncated_stream' },
    ]);
  });

  it('starts a stream that lacks message-start, and opens a block for a delta without its start', () => {
    const raw = sse(
      { type: 'content-delta', index: 0, delta: { message: { content: { thinking: 'hmm' } } } },
      { type: 'tool-call-delta', index: 4, delta: { message: { tool_calls: { function: { arguments: 'lost' } } } } },
      { type: 'message-end', delta: {} },
      '[DONE]',
    );
    expect(decode(raw)).toEqual([
      { type: 'start', id: '', model: '', created: CREATED },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'hmm' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'end_turn' },
    ]);
  });

  it('throws an upstream error on an event that is not JSON', () => {
    const decoder = cohereChat.createStreamDecoder();
    const [event] = new SseParser().push('event: content-delta\ndata: {oops\n\n');
    expect(thrownGatewayError(() => decoder.push(event!)).code).toBe('upstream_error');
  });
});
