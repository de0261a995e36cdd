// engine.rank: how filters and scorers combine into one ranking, with stub policies for the
// arithmetic and the real compiled policies for the end-to-end cases.

import { describe, expect, it, vi } from 'vitest';
import type { PolicyType } from '../../../src/config/routing.js';
import { compileRouting } from '../../../src/routing/compile.js';
import { rank } from '../../../src/routing/engine.js';
import { ModelStatsTable } from '../../../src/routing/stats.js';
import type { Candidate, Exclusion, RoutingPolicy } from '../../../src/routing/types.js';
import { attempt, candidates, named, policyEnv, request, silentLogger, T0 } from './helpers.js';

const stats = new ModelStatsTable(() => T0);
const env = policyEnv(stats, T0);

/** A policy that scores by candidate id (missing ids score 0). */
function scorer(type: PolicyType, weight: number, byId: Record<string, number> | undefined): RoutingPolicy {
  return { type, weight, score: (list) => (byId ? list.map((c) => byId[c.model.config.id] ?? 0) : undefined) };
}

/** A policy that excludes by candidate id. */
function excluder(type: PolicyType, byId: Record<string, Omit<Exclusion, 'index'>>): RoutingPolicy {
  return {
    type,
    weight: 0,
    filter: (list) => list.flatMap((c, index) => (byId[c.model.config.id] ? [{ index, ...byId[c.model.config.id]! }] : [])),
  };
}

const rankedIds = (ranking: ReturnType<typeof rank>) => ranking.ranked.map((r) => r.candidate.model.config.id);
const run = (pool: Candidate[], policies: RoutingPolicy[], logger = silentLogger()) => rank(pool, request(), env, policies, logger);

describe('rank: combining scores', () => {
  it.each(named([
    { weights: [3, 1], expected: { a: 0.75, b: 0.25 }, order: ['a', 'b'] },
    { weights: [1, 3], expected: { a: 0.25, b: 0.75 }, order: ['b', 'a'] },
    { weights: [1, 1], expected: { a: 0.5, b: 0.5 }, order: ['a', 'b'] },
  ], (r) => `combines policy scores as a weighted mean (weights ${r.weights.join(' and ')})`))('%s', (_name, { weights, expected, order }) => {
    const ranking = run(candidates('a', 'b'), [scorer('cheapest', weights[0]!, { a: 1, b: 0 }), scorer('performance', weights[1]!, { a: 0, b: 1 })]);
    expect(rankedIds(ranking)).toEqual(order);
    expect(Object.fromEntries(ranking.ranked.map((r) => [r.candidate.model.config.id, r.score]))).toEqual(expected);
  });

  it('keeps each policy’s own score per candidate', () => {
    const ranking = run(candidates('a', 'b'), [scorer('cheapest', 2, { a: 1, b: 0.5 }), scorer('health', 1, { a: 0.25, b: 1 })]);
    expect(ranking.ranked.map((r) => r.scores)).toEqual([
      { cheapest: 1, health: 0.25 },
      { cheapest: 0.5, health: 1 },
    ]);
    expect(ranking.ranked[0]!.score).toBeCloseTo(2.25 / 3, 6);
  });

  it.each(named([
    { why: 'scores all equal', scores: { a: 0.4, b: 0.4 } },
    { why: 'no scores (undefined)', scores: undefined },
  ], (r) => `lists a policy with ${r.why} in abstained and leaves it out of the mean`))('%s', (_name, { scores }) => {
    const ranking = run(candidates('a', 'b'), [scorer('fairness', 10, scores), scorer('cheapest', 1, { a: 0.2, b: 1 })]);
    expect(ranking.abstained).toEqual(['fairness']);
    expect(ranking.ranked.map((r) => [r.candidate.model.config.id, r.score])).toEqual([
      ['b', 1],
      ['a', 0.2],
    ]);
    expect(ranking.ranked[0]!.scores).toEqual({ cheapest: 1 });
  });

  it('clamps scores to 0..1 and reads a non-finite score as 0', () => {
    const ranking = run(candidates('a', 'b', 'c'), [scorer('cheapest', 1, { a: 7, b: -2, c: Number.NaN })]);
    expect(ranking.ranked.map((r) => [r.candidate.model.config.id, r.score])).toEqual([
      ['a', 1],
      ['b', 0],
      ['c', 0],
    ]);
  });

  it('reads a missing score as 0, and leaves scores past the pool out of whether a policy tells its candidates apart', () => {
    const short: RoutingPolicy = { type: 'fairness', weight: 1, score: () => [1] };
    const long: RoutingPolicy = { type: 'health', weight: 5, score: () => [0.5, 0.5, 0.9] };
    const ranking = run(candidates('a', 'b'), [short, long]);
    expect(ranking.abstained).toEqual(['health']);
    expect(ranking.ranked.map((r) => [r.candidate.model.config.id, r.score, r.scores])).toEqual([
      ['a', 1, { fairness: 1 }],
      ['b', 0, { fairness: 0 }],
    ]);
  });

  it('ranks a pool larger than the insertion-sort bound by score, ties in pool order', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `m${i}`);
    const byId = Object.fromEntries(ids.map((id, i) => [id, (i % 3) / 2]));
    const ranking = run(candidates(...ids), [scorer('cheapest', 1, byId)]);
    const expected = [...ids].sort((x, y) => byId[y]! - byId[x]! || ids.indexOf(x) - ids.indexOf(y));
    expect(rankedIds(ranking)).toEqual(expected);
  });

  it('never calls the score of a weight-0 policy, but runs its filter', () => {
    const score = vi.fn(() => [1, 0]);
    const filter = vi.fn((): Exclusion[] => [{ index: 2, reason: 'no' }]);
    const ranking = run(candidates('a', 'b', 'c'), [{ type: 'health', weight: 0, filter, score }, scorer('cheapest', 1, { a: 0, b: 1 })]);
    expect(filter).toHaveBeenCalledOnce();
    expect(score).not.toHaveBeenCalled();
    expect(rankedIds(ranking)).toEqual(['b', 'a']);
    expect(ranking.abstained).toEqual([]);
  });

  it('does not score a single survivor', () => {
    const score = vi.fn(() => [1]);
    const ranking = run(candidates('a', 'b'), [excluder('context', { b: { reason: 'too long' } }), { type: 'cheapest', weight: 1, score }]);
    expect(score).not.toHaveBeenCalled();
    expect(ranking.ranked).toEqual([{ candidate: expect.objectContaining({ order: 0 }), score: 0, scores: {} }]);
  });
});

describe('rank: ties', () => {
  it('keeps pool order (the `order` field, not the array position) when nothing scores', () => {
    const pool: Candidate[] = candidates('x', 'y', 'z').map((c, i) => ({ ...c, order: [2, 0, 1][i]! }));
    expect(rankedIds(run(pool, []))).toEqual(['y', 'z', 'x']);
  });

  it('keeps pool order among candidates whose combined scores are equal', () => {
    const pool: Candidate[] = candidates('x', 'y', 'z').map((c, i) => ({ ...c, order: [2, 0, 1][i]! }));
    const ranking = run(pool, [scorer('cheapest', 1, { x: 1, y: 0.5, z: 1 }), scorer('performance', 1, { x: 0.5, y: 1, z: 0.5 })]);
    expect(ranking.ranked.map((r) => r.score)).toEqual([0.75, 0.75, 0.75]);
    expect(rankedIds(ranking)).toEqual(['y', 'z', 'x']);
  });
});

describe('rank: exclusions', () => {
  it('removes hard exclusions and reports them with their policy, reason and retry-after', () => {
    const ranking = run(candidates('a', 'b', 'c'), [excluder('rate-limit', { b: { reason: 'cooling down', retryAfterMs: 1500 } }), excluder('context', { c: { reason: 'too long' } })]);
    expect(rankedIds(ranking)).toEqual(['a']);
    expect(ranking.excluded).toEqual([
      { model: 'b', policy: 'rate-limit', reason: 'cooling down', retryAfterMs: 1500 },
      { model: 'c', policy: 'context', reason: 'too long' },
    ]);
    expect(ranking.overridden).toEqual([]);
  });

  it.each(named([
    {
      why: 'lifts soft exclusions when nothing else is left, and lists them as overridden',
      policies: [excluder('health', { a: { reason: 'open', soft: true }, b: { reason: 'open', soft: true } })],
      ranked: ['a', 'b'],
      overridden: ['a', 'b'],
    },
    {
      why: 'keeps soft exclusions while a non-excluded candidate is left',
      policies: [excluder('health', { a: { reason: 'open', soft: true }, b: { reason: 'open', soft: true } }), excluder('context', {})],
      ranked: ['c'],
      overridden: [],
      pool: ['a', 'b', 'c'],
    },
    {
      why: 'lifts only the soft exclusions when the rest were excluded hard',
      policies: [excluder('health', { b: { reason: 'open', soft: true } }), excluder('context', { a: { reason: 'too long' } })],
      ranked: ['b'],
      overridden: ['b'],
    },
    {
      why: 'never lifts a model that is also excluded hard',
      policies: [excluder('health', { a: { reason: 'open', soft: true }, b: { reason: 'open', soft: true } }), excluder('capability', { a: { reason: 'no vision' } })],
      ranked: ['b'],
      overridden: ['b'],
    },
    {
      why: 'ranks nothing when every model is excluded hard',
      policies: [excluder('context', { a: { reason: 'too long' }, b: { reason: 'too long' } })],
      ranked: [],
      overridden: [],
    },
  ], (r) => r.why))('%s', (_name, { policies, ranked, overridden, pool }) => {
    const ranking = run(candidates(...(pool ?? ['a', 'b'])), policies);
    expect(rankedIds(ranking)).toEqual(ranked);
    expect(ranking.overridden).toEqual(overridden);
  });

  it('scores the lifted candidates so the best of them goes first', () => {
    const ranking = run(candidates('a', 'b'), [excluder('health', { a: { reason: 'open', soft: true }, b: { reason: 'open', soft: true } }), scorer('health', 1, { a: 0.1, b: 0.9 })]);
    expect(rankedIds(ranking)).toEqual(['b', 'a']);
  });

  it('ignores an exclusion whose index is not a candidate', () => {
    const ranking = run(candidates('a'), [{ type: 'context', weight: 0, filter: () => [{ index: 5, reason: 'ghost' }] }]);
    expect(rankedIds(ranking)).toEqual(['a']);
    expect(ranking.excluded).toEqual([]);
  });
});

describe('rank: failing policies', () => {
  it.each(named([
    { stage: 'filter', thrown: new Error('filter broke'), message: 'filter broke' },
    { stage: 'score', thrown: new Error('score broke'), message: 'score broke' },
    { stage: 'score', thrown: 'a plain string', message: 'a plain string' },
  ], (r) => `skips a policy whose ${r.stage} throws ${typeof r.thrown === 'string' ? 'a string' : 'an Error'}, lists it in failed, logs it and still ranks`))('%s', (_name, { stage, thrown, message }) => {
    const logger = silentLogger();
    const broken: RoutingPolicy = {
      type: 'performance',
      weight: 5,
      [stage]: () => {
        throw thrown;
      },
    };
    const ranking = run(candidates('a', 'b'), [broken, scorer('cheapest', 1, { a: 0, b: 1 })], logger);
    expect(rankedIds(ranking)).toEqual(['b', 'a']);
    expect(ranking.ranked[0]!.score).toBe(1);
    expect(ranking.failed).toEqual([{ policy: 'performance', error: message }]);
    expect(ranking.abstained).toEqual([]);
    expect(ranking.excluded).toEqual([]);
    expect(logger.error).toHaveBeenCalledWith('routing policy failed', { policy: 'performance', error: message });
  });

  it('ranks without a logger too', () => {
    const broken: RoutingPolicy = {
      type: 'fairness',
      weight: 1,
      score: () => {
        throw new Error('boom');
      },
    };
    expect(rank(candidates('a', 'b'), request(), env, [broken]).failed).toEqual([{ policy: 'fairness', error: 'boom' }]);
  });
});

describe('rank with compiled policies', () => {
  it('keeps pool order without routing config, skipping a model that is cooling down after a 429', () => {
    let t = T0;
    const live = new ModelStatsTable(() => t);
    attempt(live, 'b', { ok: false, errorClass: 'rate_limited', retryAfterMs: 2000 });
    const pool = candidates('c', 'b', 'a').map((c, i) => ({ ...c, order: [2, 1, 0][i]! }));
    const { policies } = compileRouting(undefined);
    const ranking = rank(pool, request(), policyEnv(live, t), policies);
    expect(rankedIds(ranking)).toEqual(['a', 'c']);
    expect(ranking.excluded).toEqual([{ model: 'b', policy: 'rate-limit', reason: 'the provider answered 429; cooling down', retryAfterMs: 2000 }]);
    t += 2000;
    expect(rankedIds(rank(pool, request(), policyEnv(live, t), policies))).toEqual(['a', 'b', 'c']);
  });

  it('tries the healthiest of several open circuits when all are open', () => {
    const live = new ModelStatsTable(() => T0);
    attempt(live, 'a', { ok: false, errorClass: 'server' }, 3);
    attempt(live, 'b', { ok: true }, 3);
    attempt(live, 'b', { ok: false, errorClass: 'server' }, 3);
    const { policies } = compileRouting({ policies: [{ type: 'health' }] });
    const ranking = rank(candidates('a', 'b'), request(), policyEnv(live, T0), policies);
    expect(ranking.overridden).toEqual(['a', 'b']);
    expect(rankedIds(ranking)).toEqual(['b', 'a']);
    expect(ranking.excluded.map((e) => [e.model, e.policy])).toEqual([
      ['a', 'health'],
      ['b', 'health'],
    ]);
  });

  it('puts the judge’s choice first when llm outweighs cheapest', () => {
    const pool = candidates({ id: 'cheap', pricing: { input: 1, output: 1 } }, { id: 'smart', pricing: { input: 10, output: 10 } });
    const { policies } = compileRouting({ policies: [{ type: 'llm', model: 'judge', weight: 3 }, { type: 'cheapest' }] });
    const ranking = rank(pool, request(), policyEnv(stats, T0, { judgeChoice: 'smart' }), policies);
    expect(rankedIds(ranking)).toEqual(['smart', 'cheap']);
    expect(rankedIds(rank(pool, request(), policyEnv(stats, T0), policies))).toEqual(['cheap', 'smart']);
  });
});
