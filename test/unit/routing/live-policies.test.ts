// The policies that read the live per-model stats (rate-limit, health, performance, fairness),
// each over a ModelStatsTable whose clock the test moves by hand.

import { beforeEach, describe, expect, it } from 'vitest';
import { fairnessPolicy } from '../../../src/routing/policies/fairness.js';
import { healthPolicy } from '../../../src/routing/policies/health.js';
import { performancePolicy } from '../../../src/routing/policies/performance.js';
import { DEFAULT_RATE_LIMIT_COOLDOWN, rateLimitPolicy } from '../../../src/routing/policies/rate-limit.js';
import { ModelStatsTable, type AttemptResult, type ErrorClass } from '../../../src/routing/stats.js';
import type { Candidate, RoutingPolicy } from '../../../src/routing/types.js';
import { attempt, candidates, named, policyEnv, request, T0 } from './helpers.js';

let t: number;
let stats: ModelStatsTable;
beforeEach(() => {
  t = T0;
  stats = new ModelStatsTable(() => t);
});

const filter = (policy: RoutingPolicy, pool: Candidate[], req = request()) => policy.filter!(pool, req, policyEnv(stats, t));
const score = (policy: RoutingPolicy, pool: Candidate[], req = request()) => policy.score!(pool, req, policyEnv(stats, t));
const indexes = (exclusions: Array<{ index: number }> | undefined) => exclusions?.map((e) => e.index) ?? [];
const rateLimited = (retryAfterMs?: number): AttemptResult => ({ ok: false, errorClass: 'rate_limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('rate-limit policy: 429 cooldowns', () => {
  it.each(named([
    { why: 'for the retry-after the provider sent', options: {}, retryAfterMs: 5000, cooldown: 5000 },
    { why: 'for the default cooldown when the provider sent no retry-after', options: {}, retryAfterMs: undefined, cooldown: DEFAULT_RATE_LIMIT_COOLDOWN.defaultCooldownMs },
    { why: 'for at most the maximum cooldown', options: {}, retryAfterMs: 3_600_000, cooldown: DEFAULT_RATE_LIMIT_COOLDOWN.maxCooldownMs },
    { why: 'for the project’s default cooldown', options: { defaultCooldownMs: 2000 }, retryAfterMs: undefined, cooldown: 2000 },
    { why: 'for at most the project’s maximum cooldown', options: { maxCooldownMs: 1000 }, retryAfterMs: 5000, cooldown: 1000 },
  ], (r) => `excludes a model that answered 429 ${r.why}, then allows it again`))('%s', (_name, { options, retryAfterMs, cooldown }) => {
    const policy = rateLimitPolicy(0, options);
    const pool = candidates('limited', 'other');
    attempt(stats, 'limited', rateLimited(retryAfterMs));
    expect(filter(policy, pool)).toEqual([{ index: 0, reason: 'the provider answered 429; cooling down', retryAfterMs: cooldown }]);
    t += cooldown - 1;
    expect(filter(policy, pool)).toEqual([{ index: 0, reason: 'the provider answered 429; cooling down', retryAfterMs: 1 }]);
    t += 1;
    expect(indexes(filter(policy, pool))).toEqual([]);
  });

  it('excludes nothing for models it has no stats of', () => {
    expect(filter(rateLimitPolicy(0, {}), candidates('a', 'b'))).toBeUndefined();
  });
});

describe('rate-limit policy: the model’s own limits', () => {
  const policy = rateLimitPolicy(1, {});
  const pool = () => candidates({ id: 'limited', limits: { rpm: 10 } }, 'unlimited');

  it.each(named([
    { used: 0, score: 1, excluded: false },
    { used: 5, score: 1, excluded: false },
    { used: 6, score: 0.8, excluded: false },
    { used: 8, score: 0.4, excluded: false },
    { used: 9, score: 0.2, excluded: false },
    { used: 10, score: 0, excluded: true },
  ], (r) => `after ${r.used} of 10 requests a minute, scores ${r.score}${r.excluded ? ' and is excluded' : ''}`))('%s', (_name, { used, score: expected, excluded }) => {
    attempt(stats, 'limited', { ok: true }, used);
    const [limited, unlimited] = score(policy, pool())!;
    expect(limited).toBeCloseTo(expected, 9);
    expect(unlimited).toBe(1);
    const exclusions = filter(policy, pool());
    expect(indexes(exclusions)).toEqual(excluded ? [0] : []);
    if (excluded) expect(exclusions![0]).toEqual({ index: 0, reason: 'at its limit of 10 requests a minute', retryAfterMs: 1000 });
  });

  it.each(named([
    { tokens: 500, score: 1, excluded: false, why: 'half the tokens used' },
    { tokens: 900, score: 0.2, excluded: false, why: '900 used and the 100-token prompt just fits' },
    { tokens: 901, score: 0.198, excluded: true, why: '901 used and the 100-token prompt overflows' },
  ], (r) => `against 1000 tokens a minute, with ${r.why}: scores ${r.score}${r.excluded ? ' and is excluded' : ''}`))('%s', (_name, { tokens, score: expected, excluded }) => {
    const tpmPool = candidates({ id: 'limited', limits: { tpm: 1000 } }, 'unlimited');
    attempt(stats, 'limited', { ok: true, tokens });
    expect(score(policy, tpmPool)![0]).toBeCloseTo(expected, 9);
    const exclusions = filter(policy, tpmPool, request({ features: { inputTokens: 100 } }));
    expect(indexes(exclusions)).toEqual(excluded ? [0] : []);
    if (excluded) expect(exclusions![0]!.reason).toBe('at its limit of 1000 tokens a minute');
  });

  it('forgets the requests of the one-minute window after 60 seconds', () => {
    attempt(stats, 'limited', { ok: true }, 10);
    t += 59_999;
    expect(indexes(filter(policy, pool()))).toEqual([0]);
    t += 1;
    expect(indexes(filter(policy, pool()))).toEqual([]);
    expect(score(policy, pool())).toEqual([1, 1]);
  });

  it('abstains from scoring when no candidate declares limits', () => {
    attempt(stats, 'a', { ok: true }, 50);
    expect(score(policy, candidates('a', 'b'))).toBeUndefined();
  });
});

describe('health policy: scores', () => {
  it.each(named([
    { why: 'a model never called scores 1', history: [], expected: 1 },
    { why: 'one failure in two calls scores 0.5', history: [[0, false], [0, true]], expected: 0.5 },
    { why: 'a failure a half-life before a success weighs half', history: [[0, false], [60_000, true]], expected: 1 - 0.5 / 1.5 },
    { why: 'a failure two half-lives old weighs a quarter', history: [[0, false], [120_000, true]], expected: 1 - 0.25 / 1.25 },
    { why: 'a 429 does not count as an error', history: [[0, true], [0, 'rate_limited']], expected: 1 },
  ] as Array<{ why: string; history: Array<[number, boolean | ErrorClass]>; expected: number }>, (r) => r.why))('%s', (_name, { history, expected }) => {
    for (const [offset, outcome] of history) {
      t = T0 + offset;
      attempt(stats, 'a', outcome === true ? { ok: true } : { ok: false, errorClass: outcome === false ? 'server' : outcome });
    }
    const [a, b] = score(healthPolicy(1, {}), candidates('a', 'b'))!;
    expect(a).toBeCloseTo(expected, 9);
    expect(b).toBe(1);
  });
});

describe('health policy: circuit breaker', () => {
  const pool = () => candidates('flaky', 'steady');
  const fail = (times = 1) => attempt(stats, 'flaky', { ok: false, errorClass: 'server' }, times);

  it.each(named([
    { options: {}, threshold: 3, cooldown: 30_000 },
    { options: { failureThreshold: 1, cooldownMs: 5000 }, threshold: 1, cooldown: 5000 },
    { options: { failureThreshold: 5, cooldownMs: 1000 }, threshold: 5, cooldown: 1000 },
  ], (r) => `opens after ${r.threshold} consecutive failures for ${r.cooldown} ms, as a soft exclusion`))('%s', (_name, { options, threshold, cooldown }) => {
    const policy = healthPolicy(0, options);
    fail(threshold - 1);
    expect(filter(policy, pool())).toBeUndefined();
    fail();
    expect(filter(policy, pool())).toEqual([
      { index: 0, reason: `circuit open after ${threshold} consecutive failures`, soft: true, retryAfterMs: cooldown },
    ]);
    t += cooldown - 1;
    expect(filter(policy, pool())![0]!.retryAfterMs).toBe(1);
    t += 1;
    expect(filter(policy, pool())).toBeUndefined();
  });

  it('counts only consecutive failures: a success in between closes the count', () => {
    fail(2);
    attempt(stats, 'flaky', { ok: true });
    fail(2);
    expect(filter(healthPolicy(0, {}), pool())).toBeUndefined();
  });

  it.each(['rate_limited', 'client'] as const)('never opens a circuit on %s errors', (errorClass) => {
    attempt(stats, 'flaky', { ok: false, errorClass }, 10);
    expect(filter(healthPolicy(0, {}), pool())).toBeUndefined();
    expect(stats.get('flaky').consecutiveFailures).toBe(0);
  });

  it.each(['server', 'auth', 'timeout', 'unreachable', 'stream'] as const)('opens a circuit on %s errors', (errorClass) => {
    attempt(stats, 'flaky', { ok: false, errorClass }, 3);
    expect(indexes(filter(healthPolicy(0, {}), pool()))).toEqual([0]);
  });

  describe('half-open probing', () => {
    const circuit = { failureThreshold: 3, cooldownMs: 30_000 };
    const policy = healthPolicy(0, circuit);
    const openThenWait = () => {
      fail(3);
      t += circuit.cooldownMs;
    };

    it('lets one probe through after the cooldown: a second concurrent ranking sees the circuit open', () => {
      openThenWait();
      expect(filter(policy, pool())).toBeUndefined();
      stats.begin('flaky', circuit);
      expect(filter(policy, pool())).toEqual([{ index: 0, reason: 'circuit open after 3 consecutive failures', soft: true }]);
    });

    it.each(named([
      { outcome: 'success', result: { ok: true }, open: false, retryAfterMs: undefined },
      { outcome: 'failure', result: { ok: false, errorClass: 'server' }, open: true, retryAfterMs: 30_000 },
      { outcome: '429', result: rateLimited(1), open: false, retryAfterMs: undefined },
    ] as Array<{ outcome: string; result: AttemptResult; open: boolean; retryAfterMs: number | undefined }>, (r) => `after a probe ${r.outcome} the circuit is ${r.open ? 'open again' : 'no longer open'}`))(
      '%s',
      (_name, { result, open, retryAfterMs }) => {
        openThenWait();
        const probe = stats.begin('flaky', circuit);
        t += 500;
        stats.end('flaky', { ...result, probe });
        const exclusions = filter(policy, pool());
        if (open) expect(exclusions).toEqual([{ index: 0, reason: 'circuit open after 4 consecutive failures', soft: true, retryAfterMs }]);
        else expect(exclusions).toBeUndefined();
      },
    );

    it('closes for good after a probe success: later calls are no probes', () => {
      openThenWait();
      const probe = stats.begin('flaky', circuit);
      expect(probe).toBe(true);
      stats.end('flaky', { ok: true, probe });
      expect(stats.begin('flaky', circuit)).toBe(false);
      expect(stats.get('flaky').probeUntil).toBe(0);
      expect(filter(policy, pool())).toBeUndefined();
    });

    // A call sent while the circuit was open (the engine lifts soft exclusions when every circuit
    // is open) that ends during the probe must not release the probe's lease.
    it('keeps the probe’s lease when an earlier call ends with a client error while the probe runs', () => {
      fail(3);
      stats.begin('flaky', circuit);
      t += circuit.cooldownMs;
      stats.begin('flaky', circuit);
      stats.end('flaky', { ok: false, errorClass: 'client' });
      expect(filter(policy, pool())).toEqual([{ index: 0, reason: 'circuit open after 3 consecutive failures', soft: true }]);
    });

    it('lets another probe through when the first was lost for a whole cooldown', () => {
      openThenWait();
      stats.begin('flaky', circuit);
      t += circuit.cooldownMs - 1;
      expect(indexes(filter(policy, pool()))).toEqual([0]);
      t += 1;
      expect(filter(policy, pool())).toBeUndefined();
    });
  });
});

describe('performance policy', () => {
  const measured = (id: string, latencyMs: number, ttftMs: number, samples = 5) => attempt(stats, id, { ok: true, latencyMs, ttftMs }, samples);

  it.each(named([
    { why: 'prefers the lower whole latency for a non-stream request', stream: false, expected: [0.9, 0.45] },
    { why: 'prefers the lower time to first event for a stream request', stream: true, expected: [0.45, 0.9] },
  ], (r) => r.why))('%s', (_name, { stream, expected }) => {
    measured('a', 100, 400);
    measured('b', 200, 200);
    const scores = score(performancePolicy(1, {}), candidates('a', 'b'), request({ stream }))!;
    scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 9));
  });

  it.each(named([
    { why: 'a model below the default 5 samples scores 1, above every measured one', options: {}, expected: [0.9, 1] },
    { why: 'a lower minSamples trusts it sooner', options: { minSamples: 4 }, expected: [0.9, 0.9 * (100 / 1000)] },
  ], (r) => r.why))('%s', (_name, { options, expected }) => {
    measured('a', 100, 100);
    measured('b', 1000, 1000, 4);
    const scores = score(performancePolicy(1, options), candidates('a', 'b'))!;
    scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 9));
  });

  it('scores a model it has never seen 1, to explore it', () => {
    measured('a', 100, 100);
    expect(score(performancePolicy(1, {}), candidates('a', 'new'))).toEqual([0.9, 1]);
  });

  it.each(named([
    { why: 'no model was ever called', setup: () => undefined },
    { why: 'no model has enough samples', setup: () => measured('a', 100, 100, 4) },
    { why: 'a stream request finds only whole-call latencies', setup: () => attempt(stats, 'a', { ok: true, latencyMs: 100 }, 5), stream: true },
  ], (r) => `abstains when ${r.why}`))('%s', (_name, { setup, stream }) => {
    setup();
    expect(score(performancePolicy(1, {}), candidates('a', 'b'), request({ stream: stream ?? false }))).toBeUndefined();
  });
});

describe('fairness policy', () => {
  it.each(named([
    {
      why: 'puts the model with the fewest recent requests first',
      setup: () => {
        attempt(stats, 'a', { ok: true }, 3);
        attempt(stats, 'b', { ok: true }, 1);
      },
      weights: undefined,
      expected: [0, 0.5, 1],
    },
    {
      why: 'counts calls in flight as load, on top of the minute’s requests',
      setup: () => {
        stats.begin('a');
        attempt(stats, 'b', { ok: true });
        attempt(stats, 'c', { ok: true });
      },
      weights: undefined,
      expected: [0, 1, 1],
    },
    {
      why: 'breaks a load tie by putting the least recently used first',
      setup: () => {
        attempt(stats, 'b', { ok: true });
        t += 1000;
        attempt(stats, 'a', { ok: true });
        t += 1000;
        attempt(stats, 'c', { ok: true });
      },
      weights: undefined,
      expected: [0.5, 1, 0],
    },
    {
      why: 'gives equal ranks to models equal in load and recency',
      setup: () => attempt(stats, 'c', { ok: true }),
      weights: undefined,
      expected: [1, 1, 0],
    },
    {
      why: 'tolerates twice the load on a model of weight 2',
      setup: () => {
        attempt(stats, 'a', { ok: true }, 3);
        attempt(stats, 'b', { ok: true }, 2);
        attempt(stats, 'c', { ok: true }, 2);
      },
      weights: { a: 2 },
      expected: [1, 0.5, 0.5],
    },
    {
      why: 'without weights, the same loads put the busier model last',
      setup: () => {
        attempt(stats, 'a', { ok: true }, 3);
        attempt(stats, 'b', { ok: true }, 2);
        attempt(stats, 'c', { ok: true }, 2);
      },
      weights: undefined,
      expected: [0, 1, 1],
    },
    {
      why: 'forgets requests older than a minute',
      setup: () => {
        attempt(stats, 'a', { ok: true }, 5);
        t += 30_000;
        attempt(stats, 'b', { ok: true });
        attempt(stats, 'c', { ok: true });
        t += 31_000;
      },
      weights: undefined,
      expected: [1, 0.5, 0.5],
    },
  ], (r) => r.why))('%s', (_name, { setup, weights, expected }) => {
    setup();
    const policy = fairnessPolicy(1, weights ? { weights } : {});
    expect(score(policy, candidates('a', 'b', 'c'))).toEqual(expected);
  });

  it.each([
    ['no candidate', 0],
    ['a single candidate', 1],
  ])('abstains with %s', (_name, n) => {
    expect(score(fairnessPolicy(1, {}), candidates('a', 'b').slice(0, n))).toBeUndefined();
  });
});
