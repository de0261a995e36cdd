import { describe, expect, it } from 'vitest';
import { openAICompatibleChat, OPENAI_COMPATIBLE_VENDORS } from '../../../../src/providers/openai/index.js';
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

  it('closes blocks and finishes when the stream ends without finish_reason or [DONE]', () => {
    const raw = sse({ id: 'c', model: 'm', created: 2, choices: [{ index: 0, delta: { content: 'cut' } }] }, 'not json', [1, 2]);
    expect(replay(raw)).toEqual([
      { type: 'start', id: 'c', model: 'm', created: 2 },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'cut' },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'end_turn' },
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
