import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../src/config/state.js';
import { anthropicProvider } from '../../src/providers/anthropic/index.js';
import { openAIProvider } from '../../src/providers/openai/index.js';
import { PROVIDER_REGISTRY } from '../../src/providers/registry.js';
import type { ForwardInput, StreamObserver } from '../../src/providers/types.js';
import { SseParser } from '../../src/sse/parser.js';

function model(provider: 'openai' | 'anthropic', extra: Partial<ResolvedModel> = {}): ResolvedModel {
  return {
    config: { id: 'gw-model', provider, createdAt: '', updatedAt: '', headers: { 'x-extra': '1' } },
    provider: PROVIDER_REGISTRY[provider],
    baseUrl: provider === 'openai' ? 'https://up.example/v1' : 'https://up.example',
    upstreamModel: 'upstream-model',
    apiKey: 'sk-provider',
    timeouts: DEFAULT_TIMEOUTS,
    ...extra,
  };
}

function input(provider: 'openai' | 'anthropic', body: string, headers: Record<string, string> = {}, operation: ForwardInput['operation'] = 'chat'): ForwardInput {
  return {
    operation,
    model: model(provider),
    body,
    parsed: JSON.parse(body),
    clientHeaders: new Headers({ authorization: 'Bearer sk-rt-client', 'x-api-key': 'sk-rt-client', ...headers }),
    search: '?trace=1',
  };
}

/** Runs raw SSE text through an observer the way relaySse does, returning what the client would see. */
function observe(observer: StreamObserver, raw: string): string {
  const parser = new SseParser();
  let out = '';
  for (const event of parser.push(raw)) {
    const replaced = observer.onEvent(event);
    out += observer.rewrites ? (replaced === undefined ? event.raw : (replaced ?? '')) : event.raw;
  }
  return out;
}

describe('OpenAI request mapping', () => {
  it('swaps only the model, keeps unknown fields, and never sends the client token', () => {
    const body = '{"model":"auto","messages":[{"role":"user","content":"hi"}],"seed":12345678901234567890,"x_unknown":{"a":[1.0]}}';
    const { request } = openAIProvider.prepare(input('openai', body));
    expect(request.url).toBe('https://up.example/v1/chat/completions?trace=1');
    expect(request.body).toBe(body.replace('"auto"', '"upstream-model"'));
    expect(request.headers.get('authorization')).toBe('Bearer sk-provider');
    expect(request.headers.get('x-api-key')).toBeNull();
    expect(request.headers.get('x-extra')).toBe('1');
  });

  it('asks for the usage chunk on streams, keeping other stream_options', () => {
    const body = '{"model":"m","messages":[],"stream":true,"stream_options":{"include_obfuscation":false}}';
    const { request, stream } = openAIProvider.prepare(input('openai', body));
    expect(stream).toBe(true);
    expect(JSON.parse(request.body).stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('leaves the body alone when the client asked for usage itself', () => {
    const body = '{"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}';
    expect(openAIProvider.prepare(input('openai', body)).request.body).toBe(body.replace('"m"', '"upstream-model"'));
  });
});

const openAIChunk = (fields: string) =>
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"upstream-model","system_fingerprint":null,${fields}}\n\n`;
const OPENAI_STREAM_WITH_USAGE =
  openAIChunk('"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null') +
  openAIChunk('"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":"stop"}],"usage":null') +
  openAIChunk('"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":8,"audio_tokens":0}}') +
  'data: [DONE]\n\n';

describe('OpenAI stream mapping', () => {
  it('reads usage and hides what the gateway added when the client did not ask', () => {
    const observer = openAIProvider.prepare(input('openai', '{"model":"m","messages":[],"stream":true}')).createObserver();
    const seen = observe(observer, OPENAI_STREAM_WITH_USAGE);
    expect(seen).not.toContain('"usage"');
    expect(seen).not.toContain('"choices":[]');
    expect(seen).toContain('"delta":{"content":"Hi"}');
    expect(seen.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(observer.usage()).toEqual({ inputTokens: 20, outputTokens: 5, cachedInputTokens: 8, cacheWriteTokens: 0 });
  });

  it('forwards everything untouched when the client asked for usage', () => {
    const observer = openAIProvider.prepare(input('openai', '{"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}}')).createObserver();
    expect(observer.rewrites).toBe(false);
    expect(observe(observer, OPENAI_STREAM_WITH_USAGE)).toBe(OPENAI_STREAM_WITH_USAGE);
    expect(observer.usage()?.inputTokens).toBe(20);
  });

  it('reads usage from a non-streamed completion', () => {
    const body = { id: 'x', object: 'chat.completion', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
    expect(openAIProvider.usageFromBody(body)).toEqual({ inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(openAIProvider.usageFromBody({ usage: { prompt_tokens: -1, completion_tokens: 'x' } })).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });
});

describe('Anthropic request mapping', () => {
  it('keeps version and beta headers, sends the provider key, and swaps only the model', () => {
    const body = '{"model":"auto","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],"thinking":{"type":"enabled","budget_tokens":1024}}';
    const { request } = anthropicProvider.prepare(input('anthropic', body, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' }));
    expect(request.url).toBe('https://up.example/v1/messages?trace=1');
    expect(request.body).toBe(body.replace('"auto"', '"upstream-model"'));
    expect(request.headers.get('x-api-key')).toBe('sk-provider');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(request.headers.get('anthropic-beta')).toBe('interleaved-thinking-2025-05-14');
  });

  it('routes count_tokens to its own path and defaults the version', () => {
    const { request, stream } = anthropicProvider.prepare(input('anthropic', '{"model":"m","messages":[]}', {}, 'count_tokens'));
    expect(request.url).toBe('https://up.example/v1/messages/count_tokens?trace=1');
    expect(request.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(stream).toBe(false);
  });
});

describe('Anthropic stream mapping', () => {
  const stream = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":300,"output_tokens":1}}}\n\n',
    'event: ping\ndata: {"type": "ping"}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('');

  it('never alters the stream and adds cache reads and writes into input tokens', () => {
    const observer = anthropicProvider.prepare(input('anthropic', '{"model":"m","max_tokens":5,"messages":[],"stream":true}')).createObserver();
    expect(observer.rewrites).toBe(false);
    expect(observe(observer, stream)).toBe(stream);
    expect(observer.usage()).toEqual({ inputTokens: 425, outputTokens: 15, cachedInputTokens: 300, cacheWriteTokens: 100 });
  });

  it('reads usage from a non-streamed message', () => {
    const body = { type: 'message', usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5, cache_creation_input_tokens: null } };
    expect(anthropicProvider.usageFromBody(body)).toEqual({ inputTokens: 15, outputTokens: 2, cachedInputTokens: 5, cacheWriteTokens: 0 });
  });

  it('recognises its error shape and writes stream errors as error events', () => {
    expect(anthropicProvider.isErrorBody({ type: 'error', error: { type: 'overloaded_error', message: 'x' } })).toBe(true);
    expect(anthropicProvider.isErrorBody({ error: { message: 'x' } })).toBe(false);
    expect(openAIProvider.isErrorBody({ error: { message: 'x', type: 'y' } })).toBe(true);
  });
});

describe('OpenAI stream mapping: usage keys that are not the usage', () => {
  it('finds the top-level usage even when a nested "usage" comes first', () => {
    const observer = openAIProvider.prepare(input('openai', '{"model":"m","messages":[],"stream":true}')).createObserver();
    const raw = 'data: {"id":"c","x_vendor":{"usage":null},"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n';
    expect(observe(observer, raw)).toBe('');
    expect(observer.usage()).toEqual({ inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });
});
