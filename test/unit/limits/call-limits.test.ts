// Budgets and rate limits of one call, from admission to settling, on the in-memory counters
// with an injected clock: the exact guarantees the gateway's proxy path relies on.

import { describe, expect, it, vi } from 'vitest';
import type { StoredProject, StoredToken } from '../../../src/config/schemas.js';
import { memoryCounters } from '../../../src/counters/memory.js';
import type { Counters } from '../../../src/counters/port.js';
import { GatewayError } from '../../../src/errors.js';
import type { SpendHistory } from '../../../src/limits/budgets.js';
import { Limits, UNLIMITED, type AttemptHold } from '../../../src/limits/call-limits.js';
import { DEFAULT_OUTPUT_RESERVE_TOKENS } from '../../../src/limits/reservation.js';
import type { Candidate, RequestFeatures } from '../../../src/routing/types.js';
import { fakeModel, request, silentLogger } from '../routing/helpers.js';

const T = Date.parse('2026-12-01T23:59:30.000Z');
const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0 });

function project(extra: Partial<StoredProject> = {}): StoredProject {
  return { id: 'prj_1', name: 'team-a', models: [], tokens: [], createdAt: '', updatedAt: '', ...extra };
}
function token(extra: Partial<StoredToken> = {}): StoredToken {
  return { id: 'tok_1', name: 'ci', hash: '0'.repeat(64), hint: 'x', createdAt: '', ...extra };
}

function setUp(options: { counters?: Counters; history?: SpendHistory } = {}) {
  let now = T;
  const counters = options.counters ?? memoryCounters();
  const limits = new Limits(counters, options.history, silentLogger(), () => now);
  return { limits, counters, advance: (ms: number) => (now += ms), at: (t: number) => (now = t), now: () => now };
}

// $10 per million tokens in and out: 400 prompt bytes + 500 output = 900 tokens = $0.009 reserved.
const priced = fakeModel({ id: 'priced', pricing: { input: 10, output: 10 } });
const free = fakeModel({ id: 'free' });
const POOL: Candidate[] = [
  { model: priced, order: 0 },
  { model: free, order: 1 },
];
const req = (features: Partial<RequestFeatures> = {}) => request({ features: { inputTokens: 100, inputTokensBound: 400, maxOutputTokens: 500, ...features } });

async function reserved(call: Awaited<ReturnType<Limits['begin']>>, model = priced): Promise<AttemptHold> {
  const admission = await call.reserve(model);
  if (!admission.ok) throw new Error(`refused: ${admission.reason}`);
  return admission.hold;
}

async function refusal(promise: unknown): Promise<GatewayError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('a call with no budget and no limit', () => {
  it('counts nothing and carries no headers', async () => {
    const counters = memoryCounters();
    const spy = vi.spyOn(counters, 'reserve');
    const { limits } = setUp({ counters });
    expect(await limits.begin(project(), token(), req(), POOL, 'openai')).toBe(UNLIMITED);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('when the counters fail', () => {
  it('refuses the call with a 503 rather than letting it through unchecked', async () => {
    const broken: Counters = { ...memoryCounters(), reserve: () => Promise.reject(new Error('object unreachable')), read: () => Promise.reject(new Error('object unreachable')) };
    const logger = silentLogger();
    const limits = new Limits(broken, undefined, logger, () => T);
    const error = await refusal(limits.begin(project({ limits: { rpm: 5 } }), token(), req(), POOL, 'openai'));
    expect([error.code, error.status, error.options.headers?.['retry-after']]).toEqual(['not_ready', 503, '1']);
    expect((await refusal(limits.begin(project({ budgets: [{ period: 'day', limitUsd: 1 }] }), token(), req(), POOL, 'openai'))).status).toBe(503);
    // Said once for the outage, not once per refused call.
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith('the counters failed: budgets and limits cannot be checked, limited calls are refused until they answer', { error: 'Error: object unreachable' });
  });

  it('says once when the counters answer again, and is ready to say the next outage', async () => {
    let down = true;
    const memory = memoryCounters();
    const flaky: Counters = { ...memory, reserve: (entries, now) => (down ? Promise.reject(new Error('object unreachable')) : memory.reserve(entries, now)) };
    const logger = silentLogger();
    const limits = new Limits(flaky, undefined, logger, () => T);
    const limited = () => limits.begin(project({ limits: { rpm: 100 } }), token(), req(), POOL, 'openai');
    await refusal(limited());
    await refusal(limited());
    down = false;
    await limited();
    await limited();
    expect(logger.info).toHaveBeenCalledTimes(1);
    down = true;
    await refusal(limited());
    expect(logger.error).toHaveBeenCalledTimes(2);
  });
});

describe('rate limits', () => {
  it('admits rpm calls a minute, then answers 429 with retry-after and OpenAI’s headers until the minute ends', async () => {
    const { limits, at } = setUp();
    at(Date.parse('2026-12-01T10:00:15.000Z'));
    const p = project({ limits: { rpm: 2 } });
    const first = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(first.headers).toEqual({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '45s' });
    await limits.begin(p, token(), req(), POOL, 'openai');
    const error = await refusal(limits.begin(p, token(), req(), POOL, 'openai'));
    expect(error.code).toBe('rate_limited');
    expect(error.message).toBe('project "team-a" is at its limit of 2 requests a minute');
    expect(error.options.headers).toMatchObject({ 'retry-after': '45', 'x-ratelimit-remaining-requests': '0' });
    at(Date.parse('2026-12-01T10:01:00.000Z'));
    expect((await limits.begin(p, token(), req(), POOL, 'openai')).headers?.['x-ratelimit-remaining-requests']).toBe('1');
  });

  it('speaks Anthropic’s headers to an Anthropic client, resets as RFC 3339 instants', async () => {
    const { limits, at } = setUp();
    at(Date.parse('2026-12-01T10:00:15.000Z'));
    const call = await limits.begin(project({ limits: { rpm: 5, tpm: 10_000 } }), token(), req(), POOL, 'anthropic');
    expect(call.headers).toEqual({
      'anthropic-ratelimit-requests-limit': '5',
      'anthropic-ratelimit-requests-remaining': '4',
      'anthropic-ratelimit-requests-reset': '2026-12-01T10:01:00Z',
      'anthropic-ratelimit-tokens-limit': '10000',
      // Admitted on the estimate: 100 prompt tokens + the 500-token cap.
      'anthropic-ratelimit-tokens-remaining': '9400',
      'anthropic-ratelimit-tokens-reset': '2026-12-01T10:01:00Z',
    });
  });

  it('admits tpm on the estimate and settles on the actual count when the call ends', async () => {
    const { limits } = setUp();
    const p = project({ limits: { tpm: 1000 } });
    const call = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(call.headers?.['x-ratelimit-remaining-tokens']).toBe('400');
    call.end(50);
    call.end(999); // idempotent
    await Promise.resolve();
    const next = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(next.headers?.['x-ratelimit-remaining-tokens']).toBe(String(1000 - 50 - 600));
  });

  it('refuses a call whose own estimate is beyond the tpm limit, saying so', async () => {
    const { limits } = setUp();
    const error = await refusal(limits.begin(project({ limits: { tpm: 300 } }), token(), req(), POOL, 'openai'));
    expect(error.message).toBe(`this call's estimated 600 tokens exceed project "team-a"'s limit of 300 tokens a minute`);
  });

  it('holds a concurrency slot until the call ends', async () => {
    const { limits } = setUp();
    const p = project({ limits: { concurrency: 1 } });
    const first = await limits.begin(p, token(), req(), POOL, 'openai');
    const error = await refusal(limits.begin(p, token(), req(), POOL, 'openai'));
    expect([error.message, error.options.headers?.['retry-after']]).toEqual(['project "team-a" is at its limit of 1 calls at once', '1']);
    first.end(undefined);
    await Promise.resolve();
    (await limits.begin(p, token(), req(), POOL, 'openai')).end(undefined);
  });

  it('applies a token’s limits on top of its project’s, and reports the tighter', async () => {
    const { limits } = setUp();
    const p = project({ limits: { rpm: 100 } });
    const t = token({ limits: { rpm: 1 } });
    expect((await limits.begin(p, t, req(), POOL, 'openai')).headers?.['x-ratelimit-remaining-requests']).toBe('0');
    expect((await refusal(limits.begin(p, t, req(), POOL, 'openai'))).message).toBe('token "ci" is at its limit of 1 requests a minute');
    // Another token of the project is not held back by it.
    expect((await limits.begin(p, token({ id: 'tok_2' }), req(), POOL, 'openai')).headers?.['x-ratelimit-remaining-requests']).toBe('98');
  });

  it('counts a model’s own limits across calls and refuses the attempt once they are reached', async () => {
    const { limits } = setUp();
    const limited = fakeModel({ id: 'limited', limits: { rpm: 2 } });
    const pool = [{ model: limited, order: 0 }];
    for (let i = 0; i < 2; i++) await reserved(await limits.begin(project(), token(), req(), pool, 'openai'), limited);
    const third = await limits.begin(project(), token(), req(), pool, 'openai');
    expect(third.modelMinute?.('limited')).toEqual({ requests: 2, tokens: 0 });
    expect(await third.reserve(limited)).toMatchObject({ ok: false, kind: 'rate_limit', reason: 'at its limit of 2 requests a minute' });
  });
});

describe('budgets', () => {
  const dayBudget = (limitUsd: number) => project({ budgets: [{ period: 'day', limitUsd }] });

  it('reserves the most a call can cost, then replaces it by the actual cost', async () => {
    const { limits } = setUp();
    const p = dayBudget(0.02);
    const call = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(call.budget.fit(priced, req())).toEqual({ fits: true, headroom: expect.closeTo(0.55, 9) });
    const hold = await reserved(call);
    // Reserved: $0.009 of $0.02; a second reservation would not fit beside it and another.
    const other = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(other.budget.fit(priced, req())).toEqual({ fits: true, headroom: expect.closeTo(0.1, 9) });
    expect(hold.settle(usage(100, 100), true).charged).toBeUndefined();
    await Promise.resolve();
    const after = await limits.begin(p, token(), req(), POOL, 'openai');
    // $0.002 spent now.
    expect(after.budget.fit(priced, req())).toEqual({ fits: true, headroom: expect.closeTo((0.02 - 0.002 - 0.009) / 0.02, 9) });
  });

  it('measures each model against the budgets once per request: the policy filters and then scores the same candidates', async () => {
    const { limits } = setUp();
    const call = await limits.begin(dayBudget(0.02), token(), req(), POOL, 'openai');
    const asked = req();
    const first = call.budget.fit(priced, asked);
    expect(first).toEqual({ fits: true, headroom: expect.closeTo(0.55, 9) });
    // The same answer, not measured again; a model no budget applies to stays undefined.
    expect(call.budget.fit(priced, asked)).toBe(first);
    expect(call.budget.fit(free, asked)).toBeUndefined();
    expect(call.budget.fit(free, asked)).toBeUndefined();
    // Another request is measured for itself: 4,000 prompt bytes + 500 output = $0.045, over $0.02.
    expect(call.budget.fit(priced, req({ inputTokensBound: 4000 }))).toMatchObject({ fits: false });
    expect(call.budget.fit(priced, asked)).toEqual(first);
  });

  it('counts through the memory driver without a promise once a window is warm, and through any other driver with one', async () => {
    const history: SpendHistory = { chargedBetween: async () => ({ nanoUsd: 0, tokens: 0 }) };
    const p = dayBudget(0.02);
    const { limits } = setUp({ history });
    // The first call of a window waits for its warm-up from the history.
    expect(limits.begin(p, token(), req(), POOL, 'openai')).toBeInstanceOf(Promise);
    await limits.begin(p, token(), req(), POOL, 'openai');
    const call = limits.begin(p, token(), req(), POOL, 'openai');
    expect(call).not.toBeInstanceOf(Promise);
    const admission = (call as Exclude<typeof call, Promise<unknown>>).reserve(priced);
    expect(admission).not.toBeInstanceOf(Promise);
    const settled = (admission as { ok: true; hold: AttemptHold }).hold.settle(usage(100, 100), true);
    // Counted already: the next call sees $0.002 spent.
    const after = limits.begin(p, token(), req(), POOL, 'openai') as Exclude<typeof call, Promise<unknown>>;
    expect(after.budget.fit(priced, req())).toEqual({ fits: true, headroom: expect.closeTo((0.02 - 0.002 - 0.009) / 0.02, 9) });
    await settled.done;

    // A copy of the driver is another driver: its own methods, so promises.
    const copied = setUp({ counters: { ...memoryCounters() } }).limits;
    await copied.begin(p, token(), req(), POOL, 'openai');
    const other = copied.begin(p, token(), req(), POOL, 'openai');
    expect(other).toBeInstanceOf(Promise);
    expect((await other).reserve(priced)).toBeInstanceOf(Promise);
  });

  it('releases a failed attempt’s reservation and keeps an unreported answer’s whole', async () => {
    const { limits } = setUp();
    const p = dayBudget(0.01);
    const call = await limits.begin(p, token(), req(), POOL, 'openai');
    (await reserved(call)).settle(undefined, false);
    await Promise.resolve();
    const unreported = (await reserved(call)).settle(undefined, true);
    expect(unreported.charged).toEqual({ chargedUsd: 0.009, chargedTokens: 900 });
    expect(await call.reserve(priced)).toMatchObject({ ok: false, kind: 'budget' });
  });

  it('refuses a reservation that does not fit, naming the budget, its limit, what is spent and its reset', async () => {
    const { limits } = setUp();
    const call = await limits.begin(dayBudget(0.01), token(), req(), POOL, 'openai');
    await reserved(call);
    const refused = await call.reserve(priced);
    expect(refused).toEqual({
      ok: false,
      kind: 'budget',
      reason: 'the day budget of project "team-a" ($0.01) does not fit this call: $0.009 spent, this call could cost up to $0.009; it resets at 2026-12-02T00:00:00.000Z',
    });
  });

  it('never charges a free model to a USD budget, however spent, but counts it in a token budget', async () => {
    const { limits } = setUp();
    const p = project({ budgets: [{ period: 'day', limitUsd: 0.001 }, { period: 'month', limitTokens: 1000 }] });
    const call = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(call.budget.fit(priced, req())).toMatchObject({ fits: false });
    const hold = await reserved(call, free);
    hold.settle(usage(300, 300), true);
    await Promise.resolve();
    const next = await limits.begin(p, token(), req(), POOL, 'openai');
    // 600 of 1000 tokens used: a 900-token reservation no longer fits, free or not.
    expect(next.budget.fit(free, req())).toMatchObject({ fits: false, reason: expect.stringContaining('the month budget of project "team-a" (1000 tokens)') });
  });

  it('applies a token’s budgets on top of its project’s', async () => {
    const { limits } = setUp();
    const p = dayBudget(100);
    const t = token({ budgets: [{ period: 'hour', limitUsd: 0.01 }] });
    const call = await limits.begin(p, t, req(), POOL, 'openai');
    await reserved(call);
    expect(await call.reserve(priced)).toMatchObject({ ok: false, reason: expect.stringContaining('the hour budget of token "ci" ($0.01)') });
    // The project's other tokens still have the project's envelope.
    await reserved(await limits.begin(p, token({ id: 'tok_2' }), req(), POOL, 'openai'));
  });

  it('starts each period anew at its UTC boundary', async () => {
    const { limits, at } = setUp();
    const p = dayBudget(0.01);
    at(Date.parse('2026-12-01T23:59:59.000Z'));
    const late = await limits.begin(p, token(), req(), POOL, 'openai');
    (await reserved(late)).settle(usage(400, 500), true);
    await Promise.resolve();
    expect((await limits.begin(p, token(), req(), POOL, 'openai')).budget.fit(priced, req())).toMatchObject({ fits: false });
    at(Date.parse('2026-12-02T00:00:00.000Z'));
    expect((await limits.begin(p, token(), req(), POOL, 'openai')).budget.fit(priced, req())).toMatchObject({ fits: true });
  });

  it('with 200 concurrent calls, admits exactly what fits and never settles beyond the limit', async () => {
    const { limits } = setUp();
    const p = dayBudget(1);
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const call = await limits.begin(p, token(), req(), POOL, 'openai');
        const admission = await call.reserve(priced);
        if (!admission.ok) return false;
        // Each answer costs what its cap allowed at most: 400 in, 500 out.
        await admission.hold.settle(usage(400, 500), true).done;
        return true;
      }),
    );
    // $1 / $0.009 per call: 111 fit, the 112th would pass the limit.
    expect(results.filter(Boolean)).toHaveLength(111);
    const call = await limits.begin(p, token(), req(), POOL, 'openai');
    expect(call.budget.fit(free, req())).toBeUndefined();
    expect(call.budget.fit(priced, req())).toMatchObject({ fits: false, reason: expect.stringContaining('$0.999 spent') });
  });

  it('reserves the model’s maxOutputTokens, else the default, when the request sets no cap', async () => {
    const { limits } = setUp();
    const capped = fakeModel({ id: 'capped', pricing: { input: 10, output: 10 }, maxOutputTokens: 100 });
    const call = await limits.begin(project({ budgets: [{ period: 'total', limitTokens: 1_000_000 }] }), token(), req({ maxOutputTokens: undefined }), POOL, 'openai');
    expect(call.budget.fit(capped, req({ maxOutputTokens: undefined }))).toEqual({ fits: true, headroom: 1 - 500 / 1e6 });
    expect(call.budget.fit(priced, req({ maxOutputTokens: undefined }))).toEqual({ fits: true, headroom: 1 - (400 + DEFAULT_OUTPUT_RESERVE_TOKENS) / 1e6 });
  });

  it('warms a window once from the stored history when the counters do not outlive the process', async () => {
    const history: SpendHistory = { chargedBetween: vi.fn(() => Promise.resolve({ nanoUsd: 5_000_000, tokens: 10 })) };
    const { limits } = setUp({ history });
    const p = dayBudget(0.01);
    const calls = await Promise.all([1, 2, 3].map(() => limits.begin(p, token(), req(), POOL, 'openai')));
    expect(calls[0]!.budget.fit(priced, req())).toMatchObject({ fits: false, reason: expect.stringContaining('$0.005 spent') });
    expect(history.chargedBetween).toHaveBeenCalledTimes(1);
    expect(history.chargedBetween).toHaveBeenCalledWith({ projectId: 'prj_1' }, Date.parse('2026-12-01T00:00:00Z'));
  });

  it('does not warm counters that outlive the process', async () => {
    const history: SpendHistory = { chargedBetween: vi.fn(() => Promise.resolve({ nanoUsd: 5e9, tokens: 0 })) };
    const { limits } = setUp({ counters: { ...memoryCounters(), durable: true }, history });
    await limits.begin(dayBudget(0.01), token(), req(), POOL, 'openai');
    expect(history.chargedBetween).not.toHaveBeenCalled();
  });
});
