// The LLM judge: reading its answer, the prompt it is given, and Judge.choose through the real
// OpenAI codec with a fake fetch and an injected clock.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JudgeSettings } from '../../../src/routing/compile.js';
import { Judge, judgePrompt, parseJudgeAnswer, type JudgeCallReport } from '../../../src/routing/judge.js';
import { candidates, fakeModel, features, named, silentLogger, T0 } from './helpers.js';

const IDS = new Set(['gpt-4o', 'claude-sonnet', 'org/llama-3:8b']);

describe('parseJudgeAnswer', () => {
  it.each(named([
    { why: 'bare JSON', text: '{"model": "gpt-4o", "reason": "cheap"}', expected: 'gpt-4o' },
    { why: 'JSON in ```json fences', text: '```json\n{"model": "claude-sonnet", "reason": "writing"}\n```', expected: 'claude-sonnet' },
    { why: 'JSON inside prose', text: 'I would go with {"model":"claude-sonnet"} because it writes well.', expected: 'claude-sonnet' },
    { why: 'an id with slashes and colons', text: '{"model": "org/llama-3:8b"}', expected: 'org/llama-3:8b' },
    { why: 'padding around the id', text: '{"model": "  gpt-4o "}', expected: 'gpt-4o' },
    { why: 'a loose "model": "x" in broken JSON', text: '{"model": "gpt-4o", "reason": unquoted}', expected: 'gpt-4o' },
    { why: 'a loose match inside a nested object', text: '{"pick": {"model": "claude-sonnet", "why": {"a": 1}}}', expected: 'claude-sonnet' },
    { why: 'a later object when the first names no candidate', text: '{"model": "gpt-5"} no wait: {"model": "gpt-4o"}', expected: 'gpt-4o' },
    { why: 'an id that is not a candidate', text: '{"model": "gpt-5"}', expected: undefined },
    { why: 'a loose id that is not a candidate', text: 'answer: "model": "mistral-large"', expected: undefined },
    { why: 'a bare id without JSON', text: 'gpt-4o', expected: undefined },
    { why: 'a non-string model', text: '{"model": 3}', expected: undefined },
    { why: 'an empty answer', text: '', expected: undefined },
  ], (r) => `reads ${r.why} as ${r.expected ?? 'no choice'}`))('%s', (_name, { text, expected }) => {
    expect(parseJudgeAnswer(text, IDS)).toBe(expected);
  });
});

describe('judgePrompt', () => {
  const pool = candidates(
    { id: 'writer', provider: 'anthropic', description: 'careful long-form writing', pricing: { input: 3, output: 15 }, contextWindow: 200_000 },
    { id: 'cheap', pricing: { input: 0.1, output: 0.4 }, capabilities: { vision: false, tools: false, json: true } },
    { id: 'bare' },
  );

  it('lists every candidate with its provider, description, pricing, context window and what it lacks', () => {
    const prompt = judgePrompt(pool, features({ inputTokens: 42, digest: 'user: write me a poem' }));
    expect(prompt.split('\n')).toEqual([
      'Candidates:',
      '- id: writer; provider: anthropic; good at: careful long-form writing; price per million tokens: $3 in, $15 out; context window: 200000 tokens',
      '- id: cheap; provider: openai; price per million tokens: $0.1 in, $0.4 out; lacks: vision, tools',
      '- id: bare; provider: openai',
      '',
      'Request (about 42 prompt tokens):',
      'user: write me a poem',
    ]);
  });

  it('names what the request uses and appends the routing instructions', () => {
    const prompt = judgePrompt(pool, features({ images: true, json: true, digest: 'user: ?' }), 'prefer cheap models');
    expect(prompt).toContain('Request (about 100 prompt tokens; uses images, json):');
    expect(prompt.endsWith('\n\nRouting instructions: prefer cheap models')).toBe(true);
  });
});

/** A Chat Completion as OpenAI sends it. */
function completion(text: string) {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 180, completion_tokens: 14, total_tokens: 194, prompt_tokens_details: { cached_tokens: 0 } },
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('Judge.choose', () => {
  const judgeModel = fakeModel({ id: 'judge', upstreamModel: 'gpt-4o-mini', baseUrl: 'https://judge.test/v1' });
  const pool = candidates('fast', 'smart');
  const settings: JudgeSettings = { model: 'judge', timeoutMs: 3000, cacheTtlMs: 60_000 };
  let t: number;
  let fetch: ReturnType<typeof vi.fn<typeof globalThis.fetch>>;
  let logger: ReturnType<typeof silentLogger>;
  let reports: JudgeCallReport[];
  let judge: Judge;
  const report = (call: JudgeCallReport) => void reports.push(call);
  const choose = (overrides: { settings?: Partial<JudgeSettings>; project?: string; digest?: string } = {}) =>
    judge.choose({ ...settings, ...overrides.settings }, judgeModel, overrides.project ?? 'prj', pool, features({ digest: overrides.digest ?? 'user: hi' }), report);

  beforeEach(() => {
    t = T0;
    reports = [];
    logger = silentLogger();
    fetch = vi.fn<typeof globalThis.fetch>(async () => {
      t += 250;
      return json(completion('{"model": "smart", "reason": "needs reasoning"}'));
    });
    judge = new Judge({ fetch, now: () => t, logger });
  });

  it('returns the candidate the judge named and reports the call with its usage', async () => {
    expect(await choose()).toEqual({ choice: 'smart', cached: false });
    expect(reports).toEqual([
      { model: judgeModel, status: 200, outcome: 'ok', usage: { inputTokens: 180, outputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0 }, latencyMs: 250 },
    ]);
  });

  it('sends a Chat Completions request through the judge model’s own codec', async () => {
    await choose({ settings: { instructions: 'favour smart' } });
    expect(fetch).toHaveBeenCalledOnce();
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('https://judge.test/v1/chat/completions');
    expect(init).toMatchObject({ method: 'POST', redirect: 'manual' });
    expect(init!.signal).toBeInstanceOf(AbortSignal);
    expect(new Headers(init!.headers).get('authorization')).toBe('Bearer sk-test');
    const body = JSON.parse(init!.body as string);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 200, temperature: 0 });
    expect(body.messages[0]).toMatchObject({ role: 'system' });
    expect(body.messages[1].role).toBe('user');
    expect(JSON.stringify(body.messages[1].content)).toContain('id: fast');
    expect(JSON.stringify(body.messages[1].content)).toContain('Routing instructions: favour smart');
  });

  it('reuses its choice for the same project and digest until the TTL passes', async () => {
    await choose();
    t += 59_000;
    expect(await choose()).toEqual({ choice: 'smart', cached: true });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(reports).toHaveLength(1);
    t = T0 + 250 + 60_000;
    expect(await choose()).toEqual({ choice: 'smart', cached: false });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(reports).toHaveLength(2);
  });

  it.each(named([
    { why: 'another project', first: {}, second: { project: 'other' } },
    { why: 'another digest', first: {}, second: { digest: 'user: something else' } },
    { why: 'the same request when the cache TTL is 0', first: { settings: { cacheTtlMs: 0 } }, second: { settings: { cacheTtlMs: 0 } } },
  ], (r) => `asks again for ${r.why}`))('%s', async (_name, { first, second }) => {
    await choose(first);
    expect(await choose(second)).toEqual({ choice: 'smart', cached: false });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(reports).toHaveLength(2);
  });

  it('keeps at most 1000 cached picks, forgetting the oldest first', async () => {
    // An hour's TTL: the 1001 calls below move the clock 250 ms each.
    const ask = (i: number) => choose({ digest: `user: question ${i}`, settings: { cacheTtlMs: 3_600_000 } });
    for (let i = 0; i <= 1000; i++) await ask(i);
    expect(fetch).toHaveBeenCalledTimes(1001);
    expect(await ask(1000)).toMatchObject({ cached: true });
    expect(await ask(1)).toMatchObject({ cached: true });
    expect(await ask(0)).toMatchObject({ cached: false });
    expect(fetch).toHaveBeenCalledTimes(1002);
  });

  it('shares one judge call between identical requests in flight', async () => {
    const [first, second] = await Promise.all([choose(), choose()]);
    expect(first).toEqual({ choice: 'smart', cached: false });
    expect(second).toEqual({ choice: 'smart', cached: true });
    expect(fetch).toHaveBeenCalledOnce();
    expect(reports).toHaveLength(1);
  });

  it.each(named([
    {
      why: 'the fetch fails',
      respond: async (): Promise<Response> => {
        throw new TypeError('fetch failed');
      },
      error: 'the judge call failed',
      status: 502,
      outcome: 'upstream_error',
      usage: undefined,
    },
    { why: 'the judge answers HTTP 503', respond: async () => json({ error: { message: 'overloaded' } }, 503), error: 'the judge answered HTTP 503', status: 503, outcome: 'upstream_error', usage: undefined },
    { why: 'the judge answers something that is no completion', respond: async () => json({ nope: true }), error: 'the judge call failed', status: 200, outcome: 'upstream_error', usage: undefined },
    {
      why: 'the judge names no candidate',
      respond: async () => json(completion('{"model": "gpt-5"}')),
      error: 'the judge named no candidate',
      status: 200,
      outcome: 'no_choice',
      usage: { inputTokens: 180, outputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0 },
    },
  ], (r) => `gives a verdict without a choice, does not throw, and asks again next time when ${r.why}`))('%s', async (_name, { respond, error, status, outcome, usage }) => {
    fetch.mockImplementation(respond);
    expect(await choose()).toEqual({ cached: false, error });
    expect(reports).toEqual([{ model: judgeModel, status, outcome, ...(usage ? { usage } : {}), latencyMs: 0 }]);
    await choose();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('logs a failed judge call', async () => {
    fetch.mockRejectedValue(new TypeError('fetch failed'));
    await choose();
    expect(logger.warn).toHaveBeenCalledWith('routing judge failed', { model: 'judge', error: 'TypeError: fetch failed' });
  });

  it('gives up after timeoutMs, aborting the fetch, with a timeout verdict', async () => {
    let signal: AbortSignal | undefined;
    fetch.mockImplementation(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          signal = init!.signal!;
          signal.addEventListener('abort', () => reject(signal!.reason));
        }),
    );
    expect(await choose({ settings: { timeoutMs: 20 } })).toEqual({ cached: false, error: 'the judge did not answer within 20 ms' });
    expect(signal!.aborted).toBe(true);
    expect(reports).toEqual([{ model: judgeModel, status: 504, outcome: 'timeout', latencyMs: 0 }]);
  });

  it('answers at once, without a call or report, when the judge model is not configured', async () => {
    const verdict = await judge.choose(settings, undefined, 'prj', pool, features(), report);
    expect(verdict).toEqual({ cached: false, error: 'the judge model "judge" is not configured' });
    expect(fetch).not.toHaveBeenCalled();
    expect(reports).toEqual([]);
  });
});
