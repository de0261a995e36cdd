import { describe, expect, it } from 'vitest';
import { openAICompatibleChat, OPENAI_COMPATIBLE_VENDORS } from '../../../../src/providers/openai/index.js';
import type { SseEvent } from '../../../../src/sse/parser.js';
import { decodeSse, sseData } from '../../../support/codec-helpers.js';
import { fixtureText } from './helpers.js';

/** Feeds raw SSE text through a fresh OpenAI decoder in small slices (as a network would), end() included. */
const replay = (raw: string, sliceSize = 37) => decodeSse(openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai).createStreamDecoder(), raw, sliceSize);
const sse = (...chunks: unknown[]) => sseData(chunks);

describe('OpenAI stream -> IR events', () => {
  it('decodes a text stream with its trailing usage chunk', () => {
    expect(replay(fixtureText('stream-text.txt'))).toEqual([
      { type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hello' },
      { type: 'text_delta', index: 0, text: '! How can I help?' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'end_turn' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 7, cachedInputTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it('keeps two streamed parallel tool calls distinct', () => {
    expect(replay(fixtureText('stream-parallel-tools.txt'), 11)).toEqual([
      { type: 'start', id: 'chatcmpl-456', model: 'gpt-4o-mini', created: 1694268200 },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_abc123', name: 'get_current_weather' } },
      { type: 'arguments_delta', index: 0, json: '{"location"' },
      { type: 'arguments_delta', index: 0, json: ': "Boston, MA"}' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_def456', name: 'get_current_weather' } },
      { type: 'arguments_delta', index: 1, json: '{"location": "Paris, FR"}' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 82, outputTokens: 47, cachedInputTokens: 64, cacheWriteTokens: 0 } },
    ]);
  });

  it('decodes DeepSeek reasoning_content as a thinking block before the text', () => {
    expect(replay(fixtureText('stream-deepseek-reasoning.txt'))).toEqual([
      { type: 'start', id: '0d9f1c9e-7c1e-4c54-9c2a-1f0b0b4a1e11', model: 'deepseek-reasoner', created: 1737000000 },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: '9.11 vs 9.8: ' },
      { type: 'thinking_delta', index: 0, text: '0.80 > 0.11.' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: '9.8 is greater.' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'max_tokens' },
      { type: 'usage', usage: { inputTokens: 20, outputTokens: 30, cachedInputTokens: 16, cacheWriteTokens: 0 } },
    ]);
  });

  it('decodes OpenRouter reasoning_details (signature, encrypted) and ignores its duplicate reasoning text', () => {
    const raw = sse(
      { id: 'gen-1', model: 'a/b', created: 5, choices: [{ index: 0, delta: { role: 'assistant', content: '', reasoning: 'Hmm', reasoning_details: [{ type: 'reasoning.text', text: 'Hmm', index: 0 }] } }] },
      { id: 'gen-1', model: 'a/b', created: 5, choices: [{ index: 0, delta: { content: '', reasoning: null, reasoning_details: [{ type: 'reasoning.text', signature: 'SIG', index: 0 }] } }] },
      { id: 'gen-1', model: 'a/b', created: 5, choices: [{ index: 0, delta: { content: '', reasoning_details: [{ type: 'reasoning.encrypted', data: 'ENC', index: 1 }] } }] },
      { id: 'gen-1', model: 'a/b', created: 5, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4 } },
      '[DONE]',
    );
    expect(replay(raw)).toEqual([
      { type: 'start', id: 'gen-1', model: 'a/b', created: 5 },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'Hmm' },
      { type: 'signature_delta', index: 0, signature: 'SIG' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'redacted_thinking', data: 'ENC' } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'text' } },
      { type: 'text_delta', index: 2, text: 'Hi' },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'end_turn' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it('reads Groq usage from x_groq, and tells apart calls a vendor numbers all 0', () => {
    const raw = sse(
      { id: 'g', model: 'm', created: 1, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] } }] },
      { id: 'g', model: 'm', created: 1, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'g', arguments: '{"x":1}' } }] } }] },
      { id: 'g', model: 'm', created: 1, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], x_groq: { id: 'req', usage: { prompt_tokens: 5, completion_tokens: 6 } } },
      '[DONE]',
    );
    expect(replay(raw)).toEqual([
      { type: 'start', id: 'g', model: 'm', created: 1 },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'a', name: 'f' } },
      { type: 'arguments_delta', index: 0, json: '{}' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'b', name: 'g' } },
      { type: 'arguments_delta', index: 1, json: '{"x":1}' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 6, cachedInputTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it('closes blocks and reports a cut answer when the stream ends without finish_reason or [DONE]', () => {
    const raw = sse({ id: 'c', model: 'm', created: 2, choices: [{ index: 0, delta: { content: 'cut' } }] }, [1, 2]);
    expect(replay(raw)).toEqual([
      { type: 'start', id: 'c', model: 'm', created: 2 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 502, message: 'the provider ended the stream before finishing its answer', errorType: 'truncated_stream' },
    ]);
  });

  it('forgives a missing [DONE] after a finish reason, and calls an event that is not JSON broken', () => {
    const finished = sse({ id: 'c', model: 'm', created: 2, choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] });
    expect(replay(finished).at(-1)).toEqual({ type: 'finish', stopReason: 'end_turn' });
    const garbled = sse({ id: 'c', model: 'm', created: 2, choices: [{ index: 0, delta: { content: 'cut' } }] }, 'not json');
    expect(replay(garbled).slice(-2)).toEqual([
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 502, message: 'the provider sent a stream event that is not JSON', errorType: 'invalid_event' },
    ]);
  });

  it('marks a streamed refusal, and turns an error chunk into an error event', () => {
    const refusal = sse({ id: 'r', model: 'm', created: 3, choices: [{ index: 0, delta: { refusal: 'No.' }, finish_reason: null }] }, { id: 'r', model: 'm', created: 3, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    expect(replay(refusal).at(-1)).toEqual({ type: 'finish', stopReason: 'refusal' });

    const failure = sse({ id: 'e', model: 'm', created: 4, choices: [{ index: 0, delta: { content: 'a' } }] }, { error: { message: 'overloaded', type: 'server_error', code: null } }, { id: 'e', choices: [{ index: 0, delta: { content: 'late' } }] });
    expect(replay(failure)).toEqual([
      { type: 'start', id: 'e', model: 'm', created: 4 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'a' },
      { type: 'block_stop', index: 0 },
      { type: 'error', status: 500, message: 'overloaded', errorType: 'server_error' },
    ]);
  });

  it('decodes Mistral content chunks with thinking, and usage on the finishing chunk', () => {
    const raw = sse(
      { id: 'mi', model: 'magistral', created: 6, choices: [{ index: 0, delta: { role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Think' }] }] } }] },
      { id: 'mi', model: 'magistral', created: 6, choices: [{ index: 0, delta: { content: 'Done' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
      '[DONE]',
    );
    expect(replay(raw).map((event) => event.type)).toEqual([
      'start', 'block_start', 'thinking_delta', 'block_stop', 'block_start', 'text_delta', 'block_stop', 'finish', 'usage',
    ]);
  });
});

describe('OpenAI stream -> IR events: tool call and chunk shapes vendors send', () => {
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 't', model: 'm', created: 9, choices: [{ index: 0, delta, finish_reason: null }], ...extra });
  const call = (index: number, fields: Record<string, unknown>) => ({ tool_calls: [{ index, ...fields }] });

  it('keeps every argument of parallel calls whose pieces are interleaved by index', () => {
    const raw = sse(
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'read', arguments: '' } }, { index: 1, id: 'call_b', type: 'function', function: { name: 'grep', arguments: '{"q"' } }] }),
      chunk(call(0, { function: { arguments: '{"path"' } })),
      chunk(call(1, { function: { arguments: ':"x"}' } })),
      chunk(call(0, { function: { arguments: ':"a.ts"}' } })),
      { id: 't', model: 'm', created: 9, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 1, completion_tokens: 2 } },
      '[DONE]',
    );
    expect(replay(raw, 19)).toEqual([
      { type: 'start', id: 't', model: 'm', created: 9 },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_a', name: 'read' } },
      { type: 'arguments_delta', index: 0, json: '{"path"' },
      { type: 'arguments_delta', index: 0, json: ':"a.ts"}' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_b', name: 'grep' } },
      { type: 'arguments_delta', index: 1, json: '{"q":"x"}' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it('streams text, then a call with its arguments in its first piece and the finish on its last', () => {
    const raw = sse(
      chunk({ content: 'Looking.' }),
      chunk(call(0, { id: 'c1', type: 'function', function: { name: 'ls', arguments: '{"dir":' } })),
      { id: 't', model: 'm', created: 9, choices: [{ index: 0, delta: call(0, { function: { arguments: '"."}' } }), finish_reason: 'tool_calls' }] },
    );
    expect(replay(raw)).toEqual([
      { type: 'start', id: 't', model: 'm', created: 9 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Looking.' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'c1', name: 'ls' } },
      { type: 'arguments_delta', index: 1, json: '{"dir":' },
      { type: 'arguments_delta', index: 1, json: '"."}' },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'tool_use' },
    ]);
  });

  it('gives calls sent without an id distinct ids, and takes a late id for a held-back call', () => {
    const raw = sse(
      chunk(call(0, { function: { name: 'f', arguments: '{}' } })),
      chunk(call(1, { function: { name: 'g', arguments: '{' } })),
      chunk(call(1, { id: 'late', function: { arguments: '}' } })),
      chunk(call(2, { function: { name: 'h', arguments: '{}' } })),
      '[DONE]',
    );
    const starts = replay(raw).flatMap((event) => (event.type === 'block_start' && event.block.type === 'tool_call' ? [event.block] : []));
    expect(starts.map((block) => block.name)).toEqual(['f', 'g', 'h']);
    expect(starts[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(starts[1]?.id).toBe('late');
    expect(starts[2]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(starts[2]?.id).not.toBe(starts[0]?.id);
  });

  it('ignores an empty finish_reason on chunks before the real one', () => {
    const raw = sse(
      { id: 't', model: 'm', created: 9, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: '' }] },
      { id: 't', model: 'm', created: 9, choices: [{ index: 0, delta: { content: 'b' }, finish_reason: 'stop' }] },
    );
    expect(replay(raw).filter((event) => event.type === 'text_delta' || event.type === 'finish')).toEqual([
      { type: 'text_delta', index: 0, text: 'a' },
      { type: 'text_delta', index: 0, text: 'b' },
      { type: 'finish', stopReason: 'end_turn' },
    ]);
  });

  it('takes id and model from the answer, not from Azure\'s opening prompt-filter chunk', () => {
    const raw = sse(
      { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] },
      { id: 'chatcmpl-az', model: 'gpt-4o-2024-08-06', created: 77, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop', content_filter_results: {} }] },
      '[DONE]',
    );
    expect(replay(raw)[0]).toEqual({ type: 'start', id: 'chatcmpl-az', model: 'gpt-4o-2024-08-06', created: 77 });
  });
});

describe('OpenAI stream: judging its first event', () => {
  const codec = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai);
  /** What a fresh decoder's first push reports as an error: what firstEventError said before the codec had streamStartError. */
  const eventOf = (data: string): SseEvent => ({ data, raw: `data: ${data}\n\n` });
  const byDecoder = (data: string) => {
    const error = codec.createStreamDecoder().push(eventOf(data)).find((e) => e.type === 'error');
    return error?.type === 'error' ? { status: error.status, message: error.message } : undefined;
  };
  const firsts = [
    JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null }),
    JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{' } }] } }] }),
    JSON.stringify({ id: '', choices: [], prompt_filter_results: [] }),
    JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }),
    JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_exceeded', code: 429 } }),
    JSON.stringify({ error: 'a plain string' }),
    JSON.stringify({ error: null, choices: [] }),
    '{"id":"c","choices":[', // cut off
    'not json at all',
    '[DONE]',
    ' [DONE] ',
    '',
    '[1, 2]',
    '"a string"',
    'null',
    '42',
  ];

  it.each(firsts)('says what a fresh decoder says of %j', (data) => {
    expect(codec.streamStartError!(eventOf(data))).toEqual(byDecoder(data));
  });

  it('refuses an error chunk and one that is not JSON, and lets a real first chunk start the stream', () => {
    const judge = (data: string) => codec.streamStartError!(eventOf(data));
    expect(judge(firsts[0]!)).toBeUndefined();
    expect(judge(firsts[3]!)).toMatchObject({ message: 'overloaded' });
    expect(judge('not json at all')).toEqual({ status: 502, message: 'the provider sent a stream event that is not JSON' });
  });
});
