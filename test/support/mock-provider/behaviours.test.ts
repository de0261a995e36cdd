// The mock's raw wire format (bytes as a proxy sees them) and its failure behaviours.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockProvider, type MockProvider } from '../mock-provider.js';

let mock: MockProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockProvider();
  openai = new OpenAI({ apiKey: 'sk-any', baseURL: mock.openaiBaseUrl, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'any', baseURL: mock.anthropicBaseUrl, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'one two three four' }] }] };
const cohereBody = (extra: object = {}) => ({ model: 'command-a', messages: [{ role: 'user', content: 'one two three four' }], ...extra });
const GEMINI_STREAM = '/v1beta/models/gemini-test:streamGenerateContent?alt=sse';

const openaiBody = (extra: object = {}) => ({ model: 'gpt-test', messages: [{ role: 'user', content: 'one two three four' }], ...extra });
const anthropicBody = (extra: object = {}) => ({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'one two three four' }], ...extra });

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  return fetch(`${mock.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal: signal ?? null });
}

/** Reads a body, noting when each piece arrived (ms since the call). */
async function timedReads(response: Response): Promise<Array<{ at: number; text: string }>> {
  const started = performance.now();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const reads: Array<{ at: number; text: string }> = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return reads;
    reads.push({ at: performance.now() - started, text: value });
  }
}

/** Reads until `count` SSE frames have arrived, and returns them (the stream stays open). */
async function readFrames(reader: ReadableStreamDefaultReader<string>, count: number): Promise<string[]> {
  let text = '';
  while (text.split('\n\n').length - 1 < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  return text.split('\n\n').filter(Boolean);
}

describe('wire format', () => {
  it('OpenAI streams are data-only SSE frames ending with [DONE], padded with obfuscation by default', async () => {
    const response = await post('/v1/chat/completions', openaiBody({ stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames.every((frame) => frame.startsWith('data: ') && !frame.includes('\n'))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(frames.slice(0, -1).every((frame) => 'obfuscation' in JSON.parse(frame.slice(6)))).toBe(true);

    const plain = await post('/v1/chat/completions', openaiBody({ stream: true, stream_options: { include_obfuscation: false } }));
    const plainFrames = (await plain.text()).split('\n\n').filter(Boolean).slice(0, -1);
    expect(plainFrames.some((frame) => 'obfuscation' in JSON.parse(frame.slice(6)))).toBe(false);
  });

  it('Anthropic streams name each event as its data type, with a ping after the first block start', async () => {
    const response = await post('/v1/messages', anthropicBody({ stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    const types = frames.map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const type = eventLine?.replace('event: ', '');
      expect(JSON.parse(dataLine!.replace('data: ', '')).type).toBe(type);
      return type;
    });
    expect(types.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('records method, path, query and headers, and tells APIs apart on shared paths', async () => {
    await fetch(`${mock.url}/v1/models?limit=5`, { headers: { 'anthropic-version': '2023-06-01' } });
    await fetch(`${mock.url}/v1/models`);
    expect(mock.requests.map((r) => [r.method, r.path, r.query, r.api])).toEqual([
      ['GET', '/v1/models', 'limit=5', 'anthropic'],
      ['GET', '/v1/models', '', 'openai'],
    ]);
  });

  it('answers an unknown path with a 404 in the matching format', async () => {
    const response = await post('/v1/nothing', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const gemini = await post('/v1beta/models/gemini-test:nothing', {});
    expect([gemini.status, (await gemini.json()).error]).toEqual([404, expect.objectContaining({ code: 404, status: 'NOT_FOUND' })]);
    const cohere = await post('/v2/nothing', {});
    expect([cohere.status, Object.keys(await cohere.json())]).toEqual([404, ['id', 'message']]);
  });

  it('tells Gemini and Cohere requests apart by their paths', async () => {
    await post(GEMINI_STREAM, geminiBody);
    await post('/v2/chat', cohereBody());
    await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x' });
    expect(mock.requests.map((r) => [r.path, r.query, r.api])).toEqual([
      ['/v1beta/models/gemini-test:streamGenerateContent', 'alt=sse', 'gemini'],
      ['/v2/chat', '', 'cohere'],
      ['/v1/embeddings', '', 'openai'],
    ]);
  });
});

describe('behaviours', () => {
  it('applies queued behaviours in order, then the default answer', async () => {
    mock.enqueue({ kind: 'error', status: 503 });
    mock.enqueue({ kind: 'error', status: 400, body: 'not json at all' });
    expect((await post('/v1/chat/completions', openaiBody())).status).toBe(503);
    const custom = await post('/v1/chat/completions', openaiBody());
    expect([custom.status, await custom.text()]).toEqual([400, 'not json at all']);
    expect((await post('/v1/chat/completions', openaiBody())).status).toBe(200);
  });

  it('raw sends exactly the given bytes and headers', async () => {
    mock.enqueue({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const response = await post('/v1/messages', anthropicBody());
    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([502, 'text/html', '<html>Bad Gateway</html>']);
  });

  it('delay holds the headers back', async () => {
    mock.enqueue({ kind: 'delay', ms: 150 });
    const started = performance.now();
    const response = await post('/v1/chat/completions', openaiBody());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
  });

  it('hang never answers, and records the client abort', async () => {
    mock.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = post('/v1/chat/completions', openaiBody(), controller.signal);
    await vi.waitFor(() => expect(mock.requests).toHaveLength(1));
    expect(mock.requests[0]?.aborted).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(mock.requests[0]?.aborted).toBe(true));
    expect(mock.requests[0]?.finished).toBe(false);
  });

  it('slowStream sends headers at once and each event after the delay', async () => {
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 60, chunks: 3 });
    const started = performance.now();
    const response = await post('/v1/chat/completions', openaiBody({ stream: true }));
    const headersAt = performance.now() - started;
    const reads = await timedReads(response);
    const frames = reads.map((read) => read.text).join('').split('\n\n').filter(Boolean);
    // role chunk + 3 text pieces + finish chunk + [DONE], 6 x 60 ms
    expect(frames).toHaveLength(6);
    const lastAt = headersAt + reads.at(-1)!.at;
    expect(lastAt).toBeGreaterThanOrEqual(350);
    expect(headersAt).toBeLessThan(lastAt - 250);
    // Unbuffered: the events arrive one by one (a buffered stream would come in one read).
    expect(reads.length).toBeGreaterThanOrEqual(4);
  });

  it('stallStream goes silent after N events until the client gives up', async () => {
    mock.enqueue({ kind: 'stallStream', afterEvents: 2 });
    const controller = new AbortController();
    const response = await post('/v1/messages', anthropicBody({ stream: true }), controller.signal);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const frames = await readFrames(reader, 2);
    expect(frames.map((frame) => frame.split('\n')[0])).toEqual(['event: message_start', 'event: content_block_start']);
    const next = reader.read();
    const silence = await Promise.race([next.then(() => 'data'), new Promise((resolve) => setTimeout(resolve, 200, 'silence'))]);
    expect(silence).toBe('silence');
    controller.abort();
    await next.catch(() => undefined);
    await vi.waitFor(() => expect(mock.requests[0]?.aborted).toBe(true));
  });

  it('stallStream on a non-streamed request sends the headers and half the body', async () => {
    mock.enqueue({ kind: 'stallStream', afterEvents: 0 });
    const controller = new AbortController();
    const response = await post('/v1/chat/completions', openaiBody(), controller.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value?.startsWith('{"id":"chatcmpl-')).toBe(true);
    controller.abort();
    await reader.read().catch(() => undefined);
    await vi.waitFor(() => expect(mock.requests[0]?.aborted).toBe(true));
  });

  it('midStreamError sends Anthropic an error event, which the SDK throws as overloaded_error', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 4 });
    const stream = await anthropic.messages.create({ ...anthropicBody(), stream: true } as Anthropic.MessageCreateParamsStreaming);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ type: 'overloaded_error' });
    // 4 events on the wire, one of them the ping the SDK skips.
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(mock.requests[0]?.aborted).toBe(false);
  });

  it('midStreamError cuts an OpenAI stream, which the SDK reports as an error', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 2 });
    const stream = await openai.chat.completions.create({ ...openaiBody(), stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    let chunks = 0;
    const error = await (async () => {
      for await (const chunk of stream) if (chunk) chunks++;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(chunks).toBe(2);
    await vi.waitFor(() => expect(mock.requests[0]?.finished).toBe(false));
    expect(mock.requests[0]?.aborted).toBe(false);
  });

  it('slowStream paces Gemini chunks and Cohere events too', async () => {
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 40, chunks: 2 });
    const started = performance.now();
    const frames = (await (await post(GEMINI_STREAM, geminiBody)).text()).split('\r\n\r\n').filter(Boolean);
    expect(frames.map((frame) => JSON.parse(frame.slice(6)).candidates[0].content.parts[0].text)).toEqual(['echo: one tw', 'o three four']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);

    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 10, chunks: 3 });
    const events = (await (await post('/v2/chat', cohereBody({ stream: true }))).text()).split('\n\n').filter(Boolean);
    // message-start, content-start, 3 deltas, content-end, message-end
    expect(events.map((frame) => frame.split('\n')[0])).toEqual([
      'event: message-start',
      'event: content-start',
      ...Array(3).fill('event: content-delta'),
      'event: content-end',
      'event: message-end',
    ]);
  });

  it('stallStream stalls a Gemini stream after N chunks until the client gives up', async () => {
    mock.enqueue({ kind: 'stallStream', afterEvents: 1 });
    const controller = new AbortController();
    const response = await post(GEMINI_STREAM, geminiBody, controller.signal);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value?.startsWith('data: {"candidates": [{"content": {"parts": [{"text": "echo: "}]')).toBe(true);
    expect(first.value?.endsWith('\r\n\r\n')).toBe(true);
    const next = reader.read();
    expect(await Promise.race([next.then(() => 'data'), new Promise((resolve) => setTimeout(resolve, 150, 'silence'))])).toBe('silence');
    controller.abort();
    await next.catch(() => undefined);
    await vi.waitFor(() => expect(mock.requests[0]?.aborted).toBe(true));
  });

  it('midStreamError ends a Gemini stream with an error chunk, as the API does', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 2 });
    const frames = (await (await post(GEMINI_STREAM, geminiBody)).text()).split('\r\n\r\n').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toBe('data: {"error": {"code": 503,"message": "The model is overloaded. Please try again later.","status": "UNAVAILABLE"}}');
    expect(mock.requests[0]).toMatchObject({ aborted: false, finished: true });
  });

  it('midStreamError ends a Cohere stream with message-end finish_reason ERROR', async () => {
    mock.enqueue({ kind: 'midStreamError', afterEvents: 3 });
    const frames = (await (await post('/v2/chat', cohereBody({ stream: true }))).text()).split('\n\n').filter(Boolean);
    expect(frames.map((frame) => frame.split('\n')[0])).toEqual(['event: message-start', 'event: content-start', 'event: content-delta', 'event: message-end']);
    expect(frames[3]).toBe('event: message-end\ndata: {"type":"message-end","delta":{"error":"internal server error","finish_reason":"ERROR"}}');
  });

  it('raw, delay and hang apply to Gemini and Cohere routes alike', async () => {
    mock.enqueue({ kind: 'raw', status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const raw = await post('/v1beta/models/gemini-test:generateContent', geminiBody);
    expect([raw.status, await raw.text()]).toEqual([502, '<html>Bad Gateway</html>']);

    mock.enqueue({ kind: 'delay', ms: 100 });
    const started = performance.now();
    expect((await post('/v2/embed', { model: 'embed-v4.0', input_type: 'search_query', texts: ['x'] })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);

    mock.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = post('/v2/chat', cohereBody(), controller.signal);
    await vi.waitFor(() => expect(mock.requests).toHaveLength(3));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(mock.requests[2]?.aborted).toBe(true));
  });

  it('close() ends even with hung requests open', async () => {
    const other = await startMockProvider();
    other.enqueue({ kind: 'hang' });
    const pending = fetch(`${other.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(openaiBody()) }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(other.requests).toHaveLength(1));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(other.requests[0]?.aborted).toBe(false);
  });
});
