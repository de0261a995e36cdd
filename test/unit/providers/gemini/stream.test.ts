import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import { geminiChat } from '../../../../src/providers/gemini/index.js';
import { decodeToolCallId } from '../../../../src/providers/gemini/ids.js';
import { decodeSse, sseData } from '../../../support/codec-helpers.js';
import { fixtureText } from './helpers.js';

/** Feeds raw SSE text in small slices, as a network would, and collects every IR event including end(). */
const decodeStream = (raw: string, sliceSize = 37): StreamEvent[] => decodeSse(geminiChat.createStreamDecoder(), raw, sliceSize);
// Gemini separates its events with CRLF.
const sse = (...chunks: unknown[]) => sseData(chunks, '\r\n\r\n');
const usage = (input: number, output: number) => ({ type: 'usage', usage: { inputTokens: input, outputTokens: output, cachedInputTokens: 0, cacheWriteTokens: 0 } });

describe('Gemini stream decoding', () => {
  it('streams thoughts, their signature, text and a closing text signature in order', () => {
    const events = decodeStream(fixtureText('stream-text.txt'));
    const start = events[0] as Extract<StreamEvent, { type: 'start' }>;
    expect(events).toEqual([
      { type: 'start', id: 'sse-1', model: 'gemini-2.5-flash', created: start.created },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: '**Planning** the poem' },
      usage(9, 20),
      { type: 'thinking_delta', index: 0, text: ' about the sea.' },
      { type: 'signature_delta', index: 0, signature: 'gemini:fDsast1/3Umm/kBeZ8dmDV0cKkE=' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'Waves roll' },
      usage(9, 22),
      { type: 'text_delta', index: 1, text: ' in.' },
      usage(9, 24),
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'thinking' } },
      { type: 'signature_delta', index: 2, signature: 'gemini:tuw/TqjiH0jgAy3bz8phnTCVsLwm0w==' },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'end_turn' },
    ]);
  });

  it('emits each function call as a whole block and finishes with tool_use', () => {
    const events = decodeStream(fixtureText('stream-function-call.txt'), 11);
    const calls = events.filter((event): event is Extract<StreamEvent, { type: 'block_start' }> => event.type === 'block_start' && event.block.type === 'tool_call');
    const [tokyo, osaka] = calls.map((event) => (event.block as { id: string }).id);
    expect(decodeToolCallId(tokyo ?? '')).toEqual({
      thoughtSignature: 'rO8UTderW0g54/nm5GnN94k+QHvIwM0ZPEAiEvOx4yUIKCPkoYyoRmDE5zmjh2vCP0FUODjp44vG48weFA==',
    });
    expect(osaka).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(events.slice(1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Let me check.' },
      usage(40, 3),
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: tokyo, name: 'get_weather' } },
      { type: 'arguments_delta', index: 1, json: '{"location":"Tokyo"}' },
      { type: 'block_stop', index: 1 },
      usage(40, 10),
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: osaka, name: 'get_weather' } },
      { type: 'arguments_delta', index: 2, json: '{"location":"Osaka"}' },
      { type: 'block_stop', index: 2 },
      usage(40, 18),
      { type: 'finish', stopReason: 'tool_use' },
    ]);
    expect(events[0]).toMatchObject({ type: 'start', id: 'sse-2', model: 'gemini-3-flash-preview' });
  });

  it('finishes a blocked prompt with content_filter', () => {
    const events = decodeStream(sse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5 }, responseId: 'b' }));
    expect(events.slice(1)).toEqual([usage(5, 0), { type: 'finish', stopReason: 'content_filter' }]);
  });

  it('maps MAX_TOKENS, closes the open block before finishing, and ignores content after the finish', () => {
    const events = decodeStream(
      sse(
        { candidates: [{ content: { parts: [{ text: 'cut' }] }, finishReason: 'MAX_TOKENS' }], responseId: 'm' },
        { candidates: [{ content: { parts: [{ text: 'late' }] } }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 } },
      ),
    );
    expect(events.slice(1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'max_tokens' },
      usage(3, 1),
    ]);
  });

  it('closes what is open and reports a cut answer when the stream ends without a finish reason', () => {
    const events = decodeStream(sse({ candidates: [{ content: { parts: [{ text: 'partial' }] } }] }));
    expect(events[0]).toMatchObject({ type: 'start', model: '' });
    expect((events[0] as { id: string }).id).toMatch(/^gen_/);
    expect(events.slice(1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'partial' },
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 502, message: 'Gemini ended the stream before finishing its answer', errorType: 'truncated_stream' },
    ]);
    expect(decodeStream('')).toEqual([]);
  });

  it('reports an error Gemini sends inside the stream, and unreadable events', () => {
    const events = decodeStream(sse({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
    expect(events.slice(1, 2)).toEqual([{ type: 'error', status: 503, message: 'The model is overloaded.', errorType: 'UNAVAILABLE' }]);
    const broken = decodeStream('data: {not json\n\n');
    expect(broken.slice(1, 2)).toEqual([{ type: 'error', status: 502, message: 'Gemini sent a stream event that is not JSON' }]);
  });
});
