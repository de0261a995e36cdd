import { describe, expect, it } from 'vitest';
import { openAICompatibleProvider, OPENAI_COMPATIBLE_VENDORS } from '../../../../src/providers/openai/index.js';
import { buildOpenAIRequest } from '../../../../src/providers/openai/request.js';
import type { ForwardInput } from '../../../../src/providers/types.js';
import { createOpenAIStreamObserver } from '../../../../src/providers/openai/stream.js';
import { SseParser } from '../../../../src/sse/parser.js';
import { model } from './helpers.js';

function input(body: string, extra: Partial<ForwardInput> = {}): ForwardInput {
  return { operation: 'chat', model: model(), body, parsed: JSON.parse(body), clientHeaders: new Headers({ authorization: 'Bearer sk-rt-client' }), search: '', ...extra };
}

describe('same-format forwarding per vendor', () => {
  it('Mistral: renames seed and max_completion_tokens in place, keeps every other byte, adds no stream_options', () => {
    const body = '{"model":"m", "seed":12345678901234567890,"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":1.0e2,"stream":true,"x":{"seed":1}}';
    const { request, injectedUsage } = buildOpenAIRequest(input(body), OPENAI_COMPATIBLE_VENDORS.mistral);
    expect(injectedUsage).toBe(false);
    expect(request.body).toBe('{"max_tokens":1.0e2,"random_seed":12345678901234567890,"model":"upstream-model", "messages":[{"role":"user","content":"hi"}],"stream":true,"x":{"seed":1}}');
    expect(request.headers.get('authorization')).toBe('Bearer sk-provider');
  });

  it('Mistral: a client that already used the vendor name keeps it, and the OpenAI name goes', () => {
    const body = '{"model":"m","seed":1,"random_seed":2,"messages":[]}';
    expect(buildOpenAIRequest(input(body), OPENAI_COMPATIBLE_VENDORS.mistral).request.body).toBe('{"model":"upstream-model","random_seed":2,"messages":[]}');
  });

  it('Azure: api-key header, never the Bearer one', () => {
    const { request } = openAICompatibleProvider(OPENAI_COMPATIBLE_VENDORS.azure).prepare(input('{"model":"m","messages":[]}'));
    expect(request.headers.get('api-key')).toBe('sk-provider');
    expect(request.headers.get('authorization')).toBeNull();
  });

  it('OpenAI stays as before: the usage chunk is asked for on streams', () => {
    const { request, injectedUsage } = buildOpenAIRequest(input('{"model":"m","messages":[],"stream":true}'));
    expect(injectedUsage).toBe(true);
    expect(request.body).toBe('{"stream_options":{"include_usage":true},"model":"upstream-model","messages":[],"stream":true}');
  });

  it('Groq: no stream_options, and usage is read from x_groq', () => {
    const prepared = openAICompatibleProvider(OPENAI_COMPATIBLE_VENDORS.groq).prepare(input('{"model":"m","messages":[],"stream":true}'));
    expect(JSON.parse(prepared.request.body).stream_options).toBeUndefined();
    const observer = prepared.createObserver();
    expect(observer.rewrites).toBe(false);
    const raw = 'data: {"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"r","usage":{"prompt_tokens":4,"completion_tokens":5}}}\n\ndata: [DONE]\n\n';
    for (const event of new SseParser().push(raw)) observer.onEvent(event);
    expect(observer.usage()).toEqual({ inputTokens: 4, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });
});

describe('the Chat Completions stream observer (one pass over each chunk for "error" and "usage")', () => {
  const observe = (hideUsage: boolean, raw: string) => {
    const observer = createOpenAIStreamObserver(hideUsage);
    const out = new SseParser().push(raw).map((event) => observer.onEvent(event));
    return { observer, out };
  };

  it('settles `"usage":null` without reading the chunk, and reads the usage chunk', () => {
    const raw =
      'data: {"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n';
    const { observer, out } = observe(true, raw);
    expect(out).toEqual(['data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n', null, undefined]);
    expect(observer.usage()).toEqual({ inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(observer.failure!()).toBeUndefined();
  });

  it('is not fooled by "usage" or "error" inside the text', () => {
    const raw = 'data: {"choices":[{"index":0,"delta":{"content":"the \\"usage\\" of \\"error\\""}}],"usage":null}\n\ndata: [DONE]\n\n';
    const { observer, out } = observe(true, raw);
    // Two "usage" in the chunk: it is parsed, and only the member is removed.
    expect(out[0]).toBe('data: {"choices":[{"index":0,"delta":{"content":"the \\"usage\\" of \\"error\\""}}]}\n\n');
    expect(observer.usage()).toBeUndefined();
    expect(observer.failure!()).toBeUndefined();
  });

  it('reports a chunk holding an error object as the stream’s failure', () => {
    const { observer } = observe(false, 'data: {"error":{"message":"overloaded","type":"server_error"}}\n\ndata: [DONE]\n\n');
    expect(observer.failure!()).toBe('stream_error');
  });
});
