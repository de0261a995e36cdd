import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect, it } from 'vitest';
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
