import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, expect, it } from 'vitest';
import { createModel } from '../support/gateway-client.js';
import type { SuiteContext } from './context.js';
import { UPSTREAM, type RoutingEnv } from './routing-env.js';

/**
 * What the budgets reserve, worked out by hand from the README's rules, for `hi` with
 * max_tokens 1000: the prompt is bounded by its bytes plus 3 tokens a message (5 tokens), at
 * the input price, plus the whole cap at the output price ($ per million tokens).
 */
const RESERVE = {
  'r-gpt2': (5 * 0.1 + 1000 * 0.4) / 1e6, // $0.0004005
  'r-gpt': (5 * 2 + 1000 * 8) / 1e6, // $0.00801
  'r-claude': (5 * 3 + 1000 * 15) / 1e6, // $0.015015
};
const hi = [{ role: 'user' as const, content: 'hi' }];
const chat = (extra: object = {}) => ({ model: 'auto', max_tokens: 1000, messages: hi, ...extra });

/** A chat completion without `usage`: the provider did not say what it cost. */
const UNREPORTED = {
  kind: 'raw' as const,
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    id: 'chatcmpl-nousage',
    object: 'chat.completion',
    created: 1,
    model: UPSTREAM['r-gpt2'],
    choices: [{ index: 0, message: { role: 'assistant', content: 'no usage here', refusal: null }, finish_reason: 'stop', logprobs: null }],
  }),
};

async function errorOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Budgets, reservations and rate limits, over HTTP with the official clients. */
export function tenancyTests(ctx: SuiteContext, env: RoutingEnv): void {
  beforeAll(async () => {
    // No pricing: free.
    await createModel(ctx.admin, { id: 'r-free', provider: 'openai', baseUrl: ctx.mock.openaiBaseUrl, apiKey: 'sk-upstream-openai-SECRET', upstreamModel: 'gpt-free' });
  });
  const callsToFree = () => ctx.mock.requests.filter((r) => r.body?.model === 'gpt-free').length;

  it('refuses an OpenAI client with insufficient_quota once no model fits the budget, before any provider is called', async () => {
    const { token } = await env.project(['r-gpt', 'r-claude'], { budgets: [{ period: 'day', limitUsd: 0.005 }] });
    const error = await errorOf(env.openai(token).chat.completions.create(chat()));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(error.error.message).toMatch(/the day budget of project "routing-\d+" \(\$0\.005\) does not fit this call: \$0 spent, this call could cost up to \$0\.00801; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ctx.mock.requests).toHaveLength(0);
  });

  it('refuses an Anthropic client in its own format, and lets a free model through a spent USD budget', async () => {
    const { token } = await env.project(['r-claude'], { budgets: [{ period: 'month', limitUsd: 0.001 }] });
    const error = await errorOf(env.anthropic(token).messages.create({ model: 'r-claude', max_tokens: 1000, messages: hi }));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('the month budget of project') } });

    const withFree = await env.project(['r-claude', 'r-free'], { budgets: [{ period: 'month', limitUsd: 0.001 }] });
    const { response } = await env.anthropic(withFree.token).messages.create({ model: 'auto', max_tokens: 1000, messages: hi }).withResponse();
    expect(response.headers.get('x-routerly-model')).toBe('r-free');
    expect(callsToFree()).toBe(1);
  });

  it('steers to a cheaper model when the dearer one could overrun the budget', async () => {
    const { token } = await env.project(['r-claude', 'r-gpt2'], { budgets: [{ period: 'week', limitUsd: 0.01 }] });
    const { response } = await env.openai(token).chat.completions.create(chat()).withResponse();
    expect(response.headers.get('x-routerly-model')).toBe('r-gpt2');
    const [record] = (await env.recordsOf(response.headers.get('x-routerly-request-id'))).slice(-1);
    expect(record.routing.excluded).toEqual([expect.objectContaining({ model: 'r-claude', policy: 'budget-remaining' })]);
    expect(env.callsTo('r-claude')).toBe(0);
  });

  it('releases a failed attempt’s reservation, so the next model fits the budget', async () => {
    // $0.0082: either reservation fits alone, not both together.
    expect(RESERVE['r-gpt2'] + RESERVE['r-gpt']).toBeGreaterThan(0.0082);
    const { token } = await env.project(['r-gpt2', 'r-gpt'], { budgets: [{ period: 'day', limitUsd: 0.0082 }] });
    ctx.mock.enqueue({ kind: 'error', status: 503 }, { model: UPSTREAM['r-gpt2'] });
    const { response } = await env.openai(token).chat.completions.create(chat()).withResponse();
    expect(response.headers.get('x-routerly-attempts')).toBe('r-gpt2;status=503, r-gpt;status=200');
  });

  it('keeps the whole reservation of an answer whose usage was not reported, and starts anew the next period', async () => {
    if (!ctx.gateway.setClock) throw new Error('this runtime’s harness must inject a clock');
    // An hour budget that one reservation fits and two do not.
    const { id, token } = await env.project(['r-gpt2'], { budgets: [{ period: 'hour', limitUsd: 0.0006 }] });
    const client = env.openai(token);
    ctx.mock.enqueue(UNREPORTED, { model: UPSTREAM['r-gpt2'] });
    const { response } = await client.chat.completions.create(chat()).withResponse();
    const [record] = await env.recordsOf(response.headers.get('x-routerly-request-id'));
    expect(record).toMatchObject({ usageReported: false, costUsd: 0, chargedUsd: RESERVE['r-gpt2'] });
    const status = await ctx.admin.call('GET', `/api/projects/${id}/budgets`);
    expect(status.body.budgets).toEqual([expect.objectContaining({ scope: 'project', period: 'hour', limitUsd: 0.0006, spentUsd: RESERVE['r-gpt2'] })]);
    expect((await errorOf(client.chat.completions.create(chat()))).error.code).toBe('budget_exceeded');

    // The next hour, by the gateway's clock.
    const now = Date.now();
    await ctx.gateway.setClock(3_600_000 - (now % 3_600_000) + 1000);
    try {
      const next = await client.chat.completions.create(chat()).withResponse();
      expect(next.response.status).toBe(200);
    } finally {
      await ctx.gateway.setClock(0);
    }
  });

  it('holds a budget under 200 concurrent calls: what settles stays within the limit, and refused calls reach no provider', async () => {
    const limitUsd = 0.01;
    const { id, token } = await env.project(['r-gpt2'], { budgets: [{ period: 'day', limitUsd }] });
    // Slow answers: every call is in flight (reserved, not yet settled) at once.
    ctx.mock.enqueue({ kind: 'delay', ms: 1000 }, { model: UPSTREAM['r-gpt2'], times: Infinity });
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const response = await env.post(token, '/v1/chat/completions', chat());
        const body = await response.json();
        return response.status === 200 ? 200 : `${response.status} ${body.error?.code}`;
      }),
    );
    const served = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200).every((s) => s === '429 budget_exceeded')).toBe(true);
    expect(served).toBeGreaterThanOrEqual(Math.floor(limitUsd / RESERVE['r-gpt2']));
    expect(served).toBeLessThan(200);
    expect(env.callsTo('r-gpt2')).toBe(served);
    const usage = await ctx.admin.call('GET', `/api/usage?projectId=${id}`);
    expect(usage.body.totals.requests).toBe(served);
    expect(usage.body.totals.costUsd).toBeLessThanOrEqual(limitUsd);
  });

  it('limits requests a minute with 429, retry-after and the x-ratelimit headers on every answer', async () => {
    const { token } = await env.project(['r-gpt2'], { limits: { rpm: 2 } });
    const client = env.openai(token);
    const first = await client.chat.completions.create(chat()).withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|(\d+m)?\d+s)$/);
    await client.chat.completions.create(chat());
    const error = await errorOf(client.chat.completions.create(chat()));
    // Unless the minute turned between the calls.
    if (error.status === 429) {
      expect(error.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
      expect(error.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('puts the rate-limit headers on a streamed answer, on a provider error passed on and on an estimated count', async () => {
    const { token } = await env.project(['r-gpt2'], { limits: { rpm: 100 } });
    const stream = await env.openai(token).chat.completions.create({ model: 'auto', max_tokens: 1000, messages: hi, stream: true }).withResponse();
    expect(stream.response.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(Number(stream.response.headers.get('x-ratelimit-remaining-requests'))).toBe(99);
    for await (const chunk of stream.data) expect(chunk.object).toBe('chat.completion.chunk');

    ctx.mock.enqueue({ kind: 'error', status: 400 }, { model: UPSTREAM['r-gpt2'] });
    const refused = await env.post(token, '/v1/chat/completions', chat());
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(refused.headers.get('x-routerly-attempts')).toMatch(/^r-gpt2;status=400/);

    // OpenAI has no token counting API: the gateway's estimate, in Anthropic's headers.
    const counted = await env.post(token, '/v1/messages/count_tokens', { model: 'auto', messages: hi });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('x-routerly-warnings')).toContain('estimated:input_tokens');
    expect(counted.headers.get('anthropic-ratelimit-requests-limit')).toBe('100');
  });

  it('speaks Anthropic’s rate-limit headers to an Anthropic client, and settles tokens a minute on the actual count', async () => {
    const { token } = await env.project(['r-claude'], { limits: { tpm: 100_000 } });
    const first = await env.anthropic(token).messages.create({ model: 'r-claude', max_tokens: 1000, messages: hi }).withResponse();
    expect(first.response.headers.get('anthropic-ratelimit-tokens-limit')).toBe('100000');
    const remaining = Number(first.response.headers.get('anthropic-ratelimit-tokens-remaining'));
    // Admitted on the estimate: the prompt's and the 1000-token cap.
    expect(remaining).toBeLessThanOrEqual(100_000 - 1000);
    expect(first.response.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const second = await env.anthropic(token).messages.create({ model: 'r-claude', max_tokens: 1000, messages: hi }).withResponse();
    // The first call settled on what it used (a few tokens), not its cap: far more is left than two caps' worth.
    expect(Number(second.response.headers.get('anthropic-ratelimit-tokens-remaining'))).toBeGreaterThan(100_000 - 1100 - 100);
  });

  it('refuses a call whose estimate exceeds a token limit of the project’s token', async () => {
    const { id } = await env.project(['r-gpt2']);
    const created = await ctx.admin.call('POST', `/api/projects/${id}/tokens`, { name: 'tight', limits: { tpm: 50 } });
    expect(created.status).toBe(201);
    const error = await errorOf(env.openai(created.body.token).chat.completions.create(chat()));
    expect(error.status).toBe(429);
    expect(error.error.message).toContain(`exceed token "tight"'s limit of 50 tokens a minute`);
  });

  it('holds a concurrency slot until the call ends', async () => {
    const { token } = await env.project(['r-gpt2'], { limits: { concurrency: 1 } });
    ctx.mock.enqueue({ kind: 'delay', ms: 400 }, { model: UPSTREAM['r-gpt2'] });
    const slow = env.post(token, '/v1/chat/completions', chat());
    await new Promise((resolve) => setTimeout(resolve, 150));
    const refused = await env.post(token, '/v1/chat/completions', chat());
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.message).toContain('at its limit of 1 calls at once');
    expect((await slow).status).toBe(200);
    expect((await env.post(token, '/v1/chat/completions', chat())).status).toBe(200);
  });
}
