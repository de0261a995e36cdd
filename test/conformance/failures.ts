import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createModel, createProject, waitForUsage } from '../support/gateway-client.js';
import { MAX_BODY_BYTES, type SuiteContext } from './context.js';

const chatBody = { model: 'gpt', messages: [{ role: 'user', content: 'hi' }] };
const messagesBody = { model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

/** Bad input, provider failures and timeouts: always a clear status in the called API's error format. */
export function failureTests(ctx: SuiteContext): void {
  const post = (path: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${ctx.gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.project.token}`, 'content-type': 'application/json', ...headers },
      body,
      signal,
    });
  const expectOpenAIError = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: expect.any(String) });
    expect(body.error).toHaveProperty('param');
    return body.error;
  };
  const expectAnthropicError = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    return body.error;
  };

  it('answers malformed JSON and invalid bodies with 400 in each API format', async () => {
    expect((await expectOpenAIError(await post('/v1/chat/completions', '{"model": "gpt",'), 400)).code).toBe('invalid_json');
    expect((await expectAnthropicError(await post('/v1/messages', '{oops'), 400)).type).toBe('invalid_request_error');
    expect((await expectOpenAIError(await post('/v1/chat/completions', '[1,2]'), 400)).type).toBe('invalid_request_error');
    expect((await expectOpenAIError(await post('/v1/chat/completions', '{"model":"gpt"}'), 400)).param).toBe('messages');
    expect((await expectAnthropicError(await post('/v1/messages', '{"model":"claude","messages":[]}'), 400)).message).toMatch(/max_tokens/);
    await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody), { 'content-type': 'text/plain' }), 415);
    expect(ctx.mock.requests).toHaveLength(0);
  });

  it('refuses a body with a duplicate top-level key in each API format, before any provider call', async () => {
    const openai = await expectOpenAIError(await post('/v1/chat/completions', '{"model":"gpt","messages":[{"role":"user","content":"hi"}],"model":"claude"}'), 400);
    expect(openai).toMatchObject({ param: 'model', message: expect.stringMatching(/"model" more than once/) });
    await expectAnthropicError(await post('/v1/messages', '{"model":"claude","max_tokens":5,"stream":false,"messages":[],"stream":true}'), 400);
    expect(ctx.mock.requests).toHaveLength(0);
  });

  it('answers a missing or wrong token with 401 in each API format', async () => {
    await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody), { authorization: '' }), 401);
    await expectAnthropicError(await post('/v1/messages', JSON.stringify(messagesBody), { authorization: 'Bearer sk-rt-nope' }), 401);
    const error = await new OpenAI({ apiKey: 'sk-rt-wrong', baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 }).chat.completions.create(chatBody as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers an oversized body with 413', async () => {
    const big = JSON.stringify({ ...chatBody, padding: 'x'.repeat(MAX_BODY_BYTES) });
    await expectOpenAIError(await post('/v1/chat/completions', big), 413);
    expect((await expectAnthropicError(await post('/v1/messages', big), 413)).type).toBe('request_too_large');
  });

  it('keeps a provider 429 a 429, with its body and retry-after', async () => {
    ctx.mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
    const error = await new OpenAI({ apiKey: ctx.project.token, baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 }).chat.completions.create(chatBody as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('7');

    ctx.mock.enqueue({ kind: 'error', status: 529 });
    const overloaded = await post('/v1/messages', JSON.stringify(messagesBody));
    expect((await expectAnthropicError(overloaded, 529)).type).toBe('overloaded_error');
  });

  it('wraps a non-JSON provider error in the client format, keeping its status', async () => {
    ctx.mock.enqueue({ kind: 'raw', status: 503, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } });
    const error = await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody)), 503);
    expect(error.message).toMatch(/HTTP 503/);
  });

  it('turns a provider 401 (the gateway key) into a 502 instead of blaming the client token', async () => {
    ctx.mock.enqueue({ kind: 'error', status: 401 });
    const error = await expectAnthropicError(await post('/v1/messages', JSON.stringify(messagesBody)), 502);
    expect(error.message).toMatch(/credentials/);
  });

  it('answers 502 when the provider cannot be reached, and records it', async () => {
    await createModel(ctx.admin, { id: 'down', provider: 'custom', baseUrl: 'http://127.0.0.1:9/v1' });
    const project = await createProject(ctx.admin, 'down-project', ['down']);
    const response = await post('/v1/chat/completions', JSON.stringify({ ...chatBody, model: 'down' }), { authorization: `Bearer ${project.token}` });
    expect(response.headers.get('x-routerly-request-id')).toMatch(/^req_/);
    await expectOpenAIError(response, 502);
    const usage = await waitForUsage(ctx.admin, project.id, 1);
    expect(usage.records[0]).toMatchObject({ status: 502, outcome: 'upstream_unreachable', costUsd: 0 });
    expect(usage.totals).toMatchObject({ requests: 1, errors: 1 });
  });

  it('puts x-routerly-request-id on the gateway\'s own errors too, so a client can quote it', async () => {
    const refused = [
      await post('/v1/chat/completions', JSON.stringify(chatBody), { authorization: 'Bearer sk-rt-nope' }),
      await post('/v1/messages', '{oops'),
      await post('/v1/chat/completions', JSON.stringify({ ...chatBody, padding: 'x'.repeat(MAX_BODY_BYTES) })),
      await post('/v1/chat/completions', JSON.stringify({ ...chatBody, model: 'claude', n: 2, logprobs: true, model_extra: 1 }).replace('"model_extra":1', '"model":"gpt"')),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 400, 413, 400]);
    for (const response of refused) expect(response.headers.get('x-routerly-request-id')).toMatch(/^req_[0-9a-f-]{36}$/);
  });

  it('labels a relayed provider failure as the provider\'s, not as the gateway\'s own', async () => {
    ctx.mock.enqueue({ kind: 'raw', status: 500, body: '<html>oops</html>', headers: { 'content-type': 'text/html' } });
    expect((await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody)), 500)).code).toBe('upstream_error');
    ctx.mock.enqueue({ kind: 'raw', status: 503, body: 'busy', headers: { 'content-type': 'text/plain' } });
    expect((await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody)), 503)).code).toBe('upstream_error');
    // Overloaded, re-told from an OpenAI-format model to an Anthropic client: still overloaded.
    ctx.mock.enqueue({ kind: 'error', status: 529 });
    expect((await expectAnthropicError(await post('/v1/messages', JSON.stringify({ ...messagesBody, model: 'gpt' })), 529)).type).toBe('overloaded_error');
    // A connection cut in the middle of a 200 body is a broken answer, not an unreachable provider.
    ctx.mock.enqueue({ kind: 'midStreamError', afterEvents: 0 });
    const cut = await expectOpenAIError(await post('/v1/chat/completions', JSON.stringify(chatBody)), 502);
    expect(cut.message).toMatch(/broke while it was answering/);
    expect(cut.message).not.toMatch(/could not be reached/);
  });

  describe('a broken answer is called broken', () => {
    const recordOf = async (response: Response) => {
      const requestId = response.headers.get('x-routerly-request-id');
      let record: any;
      await expect
        .poll(async () => (record = (await waitForUsage(ctx.admin, ctx.project.id, 1)).records.find((r) => r.requestId === requestId)), { timeout: 5000 })
        .toBeDefined();
      return record;
    };
    const sseHeaders = { 'content-type': 'text/event-stream' };
    const anthropicCut = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_cut","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"half an ans"}}\n\n',
    ].join('');
    const openaiChunk = (content: string) => `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;

    it('a translated stream cut before its finish ends with the client format\'s error, recorded truncated_stream', async () => {
      ctx.mock.enqueue({ kind: 'raw', status: 200, body: anthropicCut, headers: sseHeaders });
      const response = await post('/v1/chat/completions', JSON.stringify({ ...chatBody, model: 'claude', stream: true }));
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('half an ans');
      expect(text).toMatch(/"error":\{[^}]*ended the stream before finishing/);
      expect(text).not.toContain('"finish_reason":"stop"');
      expect(await recordOf(response)).toMatchObject({ outcome: 'truncated_stream', status: 200 });
    });

    it('a translated stream with an event that is not JSON ends with an error event, recorded invalid_event', async () => {
      ctx.mock.enqueue({ kind: 'raw', status: 200, body: `${openaiChunk('hel')}data: {not json\n\n${openaiChunk('lo')}data: [DONE]\n\n`, headers: sseHeaders });
      const response = await post('/v1/messages', JSON.stringify({ ...messagesBody, model: 'gpt', stream: true }));
      const text = await response.text();
      expect(text).toMatch(/event: error\ndata: .*not JSON/);
      expect(text).not.toContain('message_stop');
      expect(await recordOf(response)).toMatchObject({ outcome: 'invalid_event' });
    });

    it('a forwarded stream without its last event goes through as it came, recorded truncated_stream', async () => {
      const body = openaiChunk('cut off');
      ctx.mock.enqueue({ kind: 'raw', status: 200, body, headers: sseHeaders });
      const response = await post('/v1/chat/completions', JSON.stringify({ ...chatBody, stream: true }));
      expect(await response.text()).toBe(body);
      expect(await recordOf(response)).toMatchObject({ outcome: 'truncated_stream' });
    });

    it('a forwarded 200 whose body is not JSON, or is an error object, goes through as it came but is not recorded ok', async () => {
      ctx.mock.enqueue({ kind: 'raw', status: 200, body: '{"id": "chatcmpl-broken", "choi', headers: { 'content-type': 'application/json' } });
      const broken = await post('/v1/chat/completions', JSON.stringify(chatBody));
      expect(await broken.text()).toBe('{"id": "chatcmpl-broken", "choi');
      expect(await recordOf(broken)).toMatchObject({ outcome: 'invalid_answer', status: 200 });
      const errorBody = JSON.stringify({ error: { message: 'quota exceeded', type: 'insufficient_quota' } });
      ctx.mock.enqueue({ kind: 'raw', status: 200, body: errorBody, headers: { 'content-type': 'application/json' } });
      const errored = await post('/v1/chat/completions', JSON.stringify(chatBody));
      expect(await errored.text()).toBe(errorBody);
      expect(await recordOf(errored)).toMatchObject({ outcome: 'error_in_answer' });
    });

    it('a forwarded Anthropic stream without message_stop is recorded truncated_stream', async () => {
      ctx.mock.enqueue({ kind: 'raw', status: 200, body: anthropicCut, headers: sseHeaders });
      const response = await post('/v1/messages', JSON.stringify({ ...messagesBody, stream: true }));
      expect(await response.text()).toBe(anthropicCut);
      expect(await recordOf(response)).toMatchObject({ outcome: 'truncated_stream' });
    });
  });

  it('answers 504 when a stream does not start within the connect timeout', async () => {
    ctx.mock.enqueue({ kind: 'hang' });
    const response = await post('/v1/chat/completions', JSON.stringify({ ...chatBody, model: 'gpt-tight', stream: true }));
    expect((await expectOpenAIError(response, 504)).code).toBe('upstream_timeout');
    await expect.poll(() => ctx.mock.requests[0]?.aborted).toBe(true);
  });

  it('ends a silent stream with an error event after the idle timeout', async () => {
    ctx.mock.enqueue({ kind: 'stallStream', afterEvents: 2 });
    const response = await post('/v1/chat/completions', JSON.stringify({ ...chatBody, model: 'gpt-tight', stream: true }));
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2]!.replace(/^data: /, ''))).toMatchObject({ error: { code: 'upstream_timeout' } });
    await expect.poll(() => ctx.mock.requests[0]?.aborted).toBe(true);
  });

  it('passes an Anthropic mid-stream error event through to the SDK', async () => {
    ctx.mock.enqueue({ kind: 'midStreamError', afterEvents: 3 });
    const client = new Anthropic({ apiKey: ctx.project.token, baseURL: ctx.gateway.url, maxRetries: 0 });
    const error = await client.messages.stream(messagesBody as never).finalMessage().catch((e: unknown) => e);
    expect(String(error)).toMatch(/overloaded/i);
  });

  it('aborts the provider request when the client goes away mid-stream, and records it', async () => {
    ctx.mock.enqueue({ kind: 'slowStream', chunkDelayMs: 200, chunks: 20 });
    const controller = new AbortController();
    const response = await post('/v1/messages', JSON.stringify({ ...messagesBody, stream: true }), {}, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => ctx.mock.requests[0]?.aborted, { timeout: 5000 }).toBe(true);
    if (ctx.limits.disconnectRecordMayBeLost) return;
    await expect.poll(async () => (await waitForUsage(ctx.admin, ctx.project.id, 1)).records.some((r) => r.outcome === 'client_aborted'), { timeout: 5000 }).toBe(true);
  });

  it('records a call whose provider reported no usage as unknown, not as free', async () => {
    const completion = { id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop', logprobs: null }] };
    ctx.mock.enqueue({ kind: 'raw', status: 200, body: JSON.stringify(completion), headers: { 'content-type': 'application/json' } });
    const response = await post('/v1/chat/completions', JSON.stringify(chatBody));
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-routerly-request-id');
    await expect
      .poll(async () => (await waitForUsage(ctx.admin, ctx.project.id, 1)).records.find((r) => r.requestId === requestId))
      .toMatchObject({ outcome: 'ok', usageReported: false, inputTokens: 0 });
  });

  it('answers unknown routes with 404 in the right format', async () => {
    await expectOpenAIError(await post('/v1/completions/unknown', '{}'), 404);
    await expectAnthropicError(await post('/v1/messages/batches/x', '{}'), 404);
  });
}
