import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect, it } from 'vitest';
import type { SuiteContext } from './context.js';
import { UPSTREAM, type RoutingEnv } from './routing-env.js';

const hello = [{ role: 'user' as const, content: 'hello there' }];

/** Fallback across models and formats, streamed and not, retries and the deadline. */
export function routingFallbackTests(ctx: SuiteContext, env: RoutingEnv): void {

  it("serves an Anthropic client from an OpenAI model when its Claude model is overloaded, and records both attempts", async () => {
    const { token } = await env.project(['r-claude', 'r-gpt']);
    ctx.mock.enqueue({ kind: 'error', status: 529 }, { model: UPSTREAM['r-claude'] });
    const { data, response } = await env.anthropic(token).messages.create({ model: 'r-claude', max_tokens: 64, messages: hello }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'echo: hello there' });
    expect(response.headers.get('x-routerly-model')).toBe('r-gpt');
    expect(response.headers.get('x-routerly-attempts')).toBe('r-claude;status=529, r-gpt;status=200');

    const records = await env.recordsOf(response.headers.get('x-routerly-request-id'));
    expect(records.map((r) => [r.attempt, r.model, r.status, r.outcome])).toEqual([
      [1, 'r-claude', 529, 'upstream_error'],
      [2, 'r-gpt', 200, 'ok'],
    ]);
    expect(records[0].costUsd).toBe(0);
    expect(records[0].routing).toBeUndefined();
    expect(records[1].routing).toMatchObject({
      requested: 'r-claude',
      via: 'named',
      candidates: ['r-claude', 'r-gpt'],
      attempts: [
        { model: 'r-claude', attempt: 1, status: 529 },
        { model: 'r-gpt', attempt: 2, status: 200 },
      ],
    });
  });

  it('serves an OpenAI client from the next model when the first cannot be reached', async () => {
    const { token } = await env.project(['r-dead', 'r-gpt']);
    const { data, response } = await env.openai(token).chat.completions.create({ model: 'auto', messages: hello }).withResponse();
    expect(data.choices[0]!.message.content).toBe('echo: hello there');
    expect(response.headers.get('x-routerly-attempts')).toBe('r-dead;cause=upstream_unreachable, r-gpt;status=200');
  });

  it('falls back before the first byte of a stream, when the provider answers 200 and then an error event', async () => {
    const { token } = await env.project(['r-claude', 'r-gpt']);
    ctx.mock.enqueue({ kind: 'midStreamError', afterEvents: 0 }, { model: UPSTREAM['r-claude'] });
    const stream = env.anthropic(token).messages.stream({ model: 'r-claude', max_tokens: 64, messages: hello });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'echo: hello there' });
    const response = await stream.withResponse();
    expect(response.response.headers.get('x-routerly-attempts')).toBe('r-claude;status=529, r-gpt;status=200');
    expect(response.response.headers.get('x-routerly-model')).toBe('r-gpt');
  });

  it('falls back on a streamed call whose provider answers 503 before streaming', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2']);
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt'] });
    const stream = await env.openai(token).chat.completions.create({ model: 'auto', messages: hello, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: hello there');
    expect(env.callsTo('r-gpt')).toBe(1);
    expect(env.callsTo('r-gpt2')).toBe(1);
  });

  it('does not fall back once the first byte has reached the client: the stream ends with an error event', async () => {
    const { token } = await env.project(['r-claude', 'r-gpt']);
    ctx.mock.enqueue({ kind: 'midStreamError', afterEvents: 3 }, { model: UPSTREAM['r-claude'] });
    const stream = env.anthropic(token).messages.stream({ model: 'r-claude', max_tokens: 64, messages: hello });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toMatch(/overloaded/i);
    expect(env.callsTo('r-gpt')).toBe(0);
  });

  it('never falls back on the client\'s own mistakes (400, 404, 413, 422)', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2']);
    for (const status of [400, 404, 413, 422]) {
      ctx.mock.reset();
      ctx.mock.enqueue({ kind: 'error', status }, { model: UPSTREAM['r-gpt'] });
      const response = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-routerly-attempts')).toBe(`r-gpt;status=${status}`);
      expect(env.callsTo('r-gpt2')).toBe(0);
    }
  });

  it('tells the client the last failure in its own format, naming every attempt, when every model fails', async () => {
    const { token } = await env.project(['r-gpt', 'r-claude']);
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt'] });
    ctx.mock.enqueue({ kind: 'error', status: 529 }, { model: UPSTREAM['r-claude'] });
    const error = await env.openai(token).chat.completions.create({ model: 'auto', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(529);
    expect(apiError.message).toMatch(/tried r-gpt: HTTP 503; r-claude: HTTP 529/);
    expect(apiError.headers?.get('x-routerly-attempts')).toBe('r-gpt;status=503, r-claude;status=529');
  });

  it('tries only the named model when the project turns fallback from a named model off', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { fallback: { fromNamedModel: false } } });
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt'] });
    const response = await env.post(token, '/v1/chat/completions', { model: 'r-gpt', messages: hello });
    expect(response.status).toBe(503);
    expect(env.callsTo('r-gpt2')).toBe(0);
  });

  it('retries the same model with backoff before moving on, when the project asks for retries', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { retries: { max: 1, backoffMs: 10 } } });
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt'] });
    const response = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routerly-attempts')).toBe('r-gpt;status=503, r-gpt;status=200');
    expect(env.callsTo('r-gpt2')).toBe(0);
  });

  it('keeps one deadline across all attempts, cutting the attempt that outlives it', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { deadlineMs: 400 } });
    ctx.mock.enqueue({ kind: 'hang' }, { model: UPSTREAM['r-gpt'] });
    const started = Date.now();
    const response = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(504);
    expect((await response.json()).error.message).toMatch(/deadline/);
    expect(response.headers.get('x-routerly-attempts')).toBe('r-gpt;cause=deadline');
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(5000);
    expect(env.callsTo('r-gpt2')).toBe(0);
  });

  it('moves on within the deadline when an attempt fails fast', async () => {
    const { token } = await env.project(['r-dead', 'r-gpt'], { routing: { deadlineMs: 5000 } });
    const response = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routerly-model')).toBe('r-gpt');
  });

  it('steers later calls away from a model that answered 429, until its retry-after', async () => {
    const { id, token } = await env.project(['r-gpt', 'r-gpt2']);
    ctx.mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '30' } }, { model: UPSTREAM['r-gpt'] });
    const first = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect(first.headers.get('x-routerly-attempts')).toBe('r-gpt;status=429, r-gpt2;status=200');
    const second = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect(second.headers.get('x-routerly-attempts')).toBe('r-gpt2;status=200');
    expect(env.callsTo('r-gpt')).toBe(1);

    const preview = await ctx.admin.call('POST', `/api/projects/${id}/route-preview`, { body: { model: 'auto', messages: hello } });
    expect(preview.body.excluded).toEqual([expect.objectContaining({ model: 'r-gpt', policy: 'rate-limit', retryAfterMs: expect.any(Number) })]);
    const stats = await ctx.admin.call('GET', '/api/models/stats');
    expect(stats.body.models.find((m: any) => m.model === 'r-gpt')).toMatchObject({ cooldownUntil: expect.any(String), errors: { rate_limited: 1 } });
  });

  it('answers 429 with the shortest wait when every model is cooling down', async () => {
    const { token } = await env.project(['r-gpt']);
    ctx.mock.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '20' } }, { model: UPSTREAM['r-gpt'] });
    expect((await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello })).status).toBe(429);
    const blocked = await env.post(token, '/v1/messages', { model: 'auto', max_tokens: 16, messages: hello });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await blocked.json()).error.type).toBe('rate_limit_error');
    expect(env.callsTo('r-gpt')).toBe(1);
  });

  it('opens a failing model\'s circuit, keeps it out while open, then lets one call probe it', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], { routing: { policies: [{ type: 'health', weight: 0, failureThreshold: 2, cooldownMs: 400 }] } });
    ctx.mock.enqueue({ kind: 'error', status: 500 }, { model: UPSTREAM['r-gpt'], times: 2 });
    const call = () => env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect((await call()).headers.get('x-routerly-attempts')).toBe('r-gpt;status=500, r-gpt2;status=200');
    expect((await call()).headers.get('x-routerly-attempts')).toBe('r-gpt;status=500, r-gpt2;status=200');
    // Open: r-gpt is not even tried.
    expect((await call()).headers.get('x-routerly-attempts')).toBe('r-gpt2;status=200');
    const stats = await ctx.admin.call('GET', '/api/models/stats');
    expect(stats.body.models.find((m: any) => m.model === 'r-gpt')).toMatchObject({ consecutiveFailures: 2 });
    await new Promise((resolve) => setTimeout(resolve, 450));
    // Half-open: one probe goes to r-gpt, which has recovered; the circuit closes.
    expect((await call()).headers.get('x-routerly-attempts')).toBe('r-gpt;status=200');
    expect((await call()).headers.get('x-routerly-attempts')).toBe('r-gpt;status=200');
  });

  it('still tries the best model when every circuit is open, rather than failing without a call', async () => {
    const { token } = await env.project(['r-gpt'], { routing: { policies: [{ type: 'health', failureThreshold: 1, cooldownMs: 60_000 }] } });
    ctx.mock.enqueue({ kind: 'error', status: 500 }, { model: UPSTREAM['r-gpt'] });
    expect((await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello })).status).toBe(500);
    const response = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello });
    expect(response.status).toBe(200);
    expect(env.callsTo('r-gpt')).toBe(2);
  });

  it('still tries a named model with an open circuit when the project does not fall back from it', async () => {
    const { token } = await env.project(['r-gpt', 'r-gpt2'], {
      routing: { fallback: { fromNamedModel: false }, policies: [{ type: 'health', failureThreshold: 1, cooldownMs: 60_000 }] },
    });
    ctx.mock.enqueue({ kind: 'error', status: 500 }, { model: UPSTREAM['r-gpt'] });
    expect((await env.post(token, '/v1/chat/completions', { model: 'r-gpt', messages: hello })).status).toBe(500);
    const response = await env.post(token, '/v1/chat/completions', { model: 'r-gpt', messages: hello });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routerly-attempts')).toBe('r-gpt;status=200');
  });

  it('passes over a model that cannot take a strict project\'s request, and refuses only when none can', async () => {
    const { token } = await env.project(['r-claude', 'r-gpt'], { rejectUnsupportedParams: true });
    // logprobs has no Anthropic equivalent: the Claude model is ineligible, the OpenAI one takes it as is.
    const served = await env.post(token, '/v1/chat/completions', { model: 'auto', messages: hello, logprobs: true });
    expect(served.status).toBe(200);
    expect(served.headers.get('x-routerly-model')).toBe('r-gpt');
    const onlyClaude = await env.project(['r-claude'], { rejectUnsupportedParams: true });
    const refused = await env.post(onlyClaude.token, '/v1/chat/completions', { model: 'auto', messages: hello, logprobs: true });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/logprobs/);
  });

  it('cancels the call and every further attempt when the client goes away', async () => {
    const { id, token } = await env.project(['r-gpt', 'r-gpt2']);
    ctx.mock.enqueue({ kind: 'hang' }, { model: UPSTREAM['r-gpt'] });
    const controller = new AbortController();
    const pending = fetch(`${ctx.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: hello }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await expect.poll(() => env.callsTo('r-gpt')).toBe(1);
    controller.abort();
    await pending;
    if (!ctx.limits.disconnectBeforeAnswerUnseen) await expect.poll(() => ctx.mock.requests[0]!.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(env.callsTo('r-gpt2')).toBe(0);
    if (ctx.limits.disconnectBeforeAnswerUnseen) return;
    // The client never received a status: the attempt is recorded as 499, not as a 502 it never saw.
    await expect
      .poll(async () => (await ctx.admin.call('GET', `/api/usage?projectId=${id}`)).body.records)
      .toEqual([expect.objectContaining({ status: 499, outcome: 'client_aborted', model: 'r-gpt' })]);
  });
}
