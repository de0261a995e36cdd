// compileRouting: which policies a project's routing config turns into, with what weights and
// options, and the fallback, retry, circuit and judge settings it implies.

import { describe, expect, it } from 'vitest';
import { Routing } from '../../../src/config/routing.js';
import { compileRouting, JUDGE_DEFAULTS } from '../../../src/routing/compile.js';
import { DEFAULT_CIRCUIT, ModelStatsTable } from '../../../src/routing/stats.js';
import { attempt, candidates, named, policyEnv, request, T0 } from './helpers.js';

const summary = (routing: Routing | undefined) => compileRouting(routing).policies.map((p) => [p.type, p.weight]);
const IMPLICIT = [
  ['capability', 0],
  ['context', 0],
  ['rate-limit', 0],
  ['health', 0],
  ['budget-remaining', 0],
];

describe('compileRouting: policies', () => {
  it.each([
    ['no routing at all', undefined],
    ['an empty routing object', {}],
    ['an empty policy list', { policies: [] }],
  ])('has the capability, context, rate-limit, health and budget filters at weight 0 with %s', (_case, routing) => {
    expect(summary(routing)).toEqual(IMPLICIT);
  });

  it('adds listed policies after the implicit filters, at weight 1 unless given', () => {
    expect(summary({ policies: [{ type: 'cheapest' }, { type: 'fairness', weight: 0.5 }] })).toEqual([...IMPLICIT, ['cheapest', 1], ['fairness', 0.5]]);
  });

  it.each(['capability', 'context', 'rate-limit', 'health', 'budget-remaining'] as const)('takes the weight of a listed %s policy instead of its implicit one', (type) => {
    const policies = summary({ policies: [{ type, weight: 4 }] });
    expect(policies.filter(([t]) => t === type)).toEqual([[type, 4]]);
    expect(policies.at(-1)).toEqual([type, 4]);
    expect(policies).toHaveLength(IMPLICIT.length);
  });

  it.each(['capability', 'context', 'rate-limit', 'health', 'budget-remaining'] as const)('removes the %s filter when it is listed with enabled: false', (type) => {
    const policies = summary({ policies: [{ type, enabled: false }] });
    expect(policies.map(([t]) => t)).toEqual(IMPLICIT.map(([t]) => t).filter((t) => t !== type));
  });

  it('removes a listed non-implicit policy with enabled: false', () => {
    expect(summary({ policies: [{ type: 'cheapest', enabled: false }, { type: 'performance' }] })).toEqual([...IMPLICIT, ['performance', 1]]);
  });

  it('passes a listed policy’s options to it (health: a lower failure threshold)', () => {
    let t = T0;
    const stats = new ModelStatsTable(() => t);
    attempt(stats, 'a', { ok: false, errorClass: 'server' });
    const health = (routing: Routing | undefined) => compileRouting(routing).policies.find((p) => p.type === 'health')!;
    const env = policyEnv(stats, t);
    expect(health(undefined).filter!(candidates('a'), request(), env)).toBeUndefined();
    const strict = health({ policies: [{ type: 'health', failureThreshold: 1, cooldownMs: 1000 }] });
    expect(strict.filter!(candidates('a'), request(), env)).toEqual([expect.objectContaining({ index: 0, soft: true, retryAfterMs: 1000 })]);
    t += 1000;
    expect(strict.filter!(candidates('a'), request(), policyEnv(stats, t))).toBeUndefined();
  });

  it('passes a listed rate-limit policy its cooldowns', () => {
    const stats = new ModelStatsTable(() => T0);
    attempt(stats, 'a', { ok: false, errorClass: 'rate_limited' });
    const rateLimit = compileRouting({ policies: [{ type: 'rate-limit', defaultCooldownMs: 700 }] }).policies.find((p) => p.type === 'rate-limit')!;
    expect(rateLimit.filter!(candidates('a'), request(), policyEnv(stats, T0))).toEqual([expect.objectContaining({ retryAfterMs: 700 })]);
  });
});

describe('compileRouting: settings', () => {
  it('uses the default circuit unless a health policy sets its own', () => {
    expect(compileRouting({}).circuit).toEqual(DEFAULT_CIRCUIT);
    expect(compileRouting({ policies: [{ type: 'health', failureThreshold: 7 }] }).circuit).toEqual({ failureThreshold: 7, cooldownMs: DEFAULT_CIRCUIT.cooldownMs });
    expect(compileRouting({ policies: [{ type: 'health', cooldownMs: 5000 }] }).circuit).toEqual({ failureThreshold: DEFAULT_CIRCUIT.failureThreshold, cooldownMs: 5000 });
  });

  it('has no judge without an llm policy, and one with its defaults when listed', () => {
    expect(compileRouting({}).judge).toBeUndefined();
    expect(compileRouting({ policies: [{ type: 'llm', model: 'judge' }] }).judge).toEqual({ model: 'judge', ...JUDGE_DEFAULTS });
    expect(compileRouting({ policies: [{ type: 'llm', model: 'judge', enabled: false }] }).judge).toBeUndefined();
  });

  it('takes the judge’s timeout, cache TTL and instructions from the llm policy', () => {
    const routing: Routing = { policies: [{ type: 'llm', model: 'j', timeoutMs: 500, cacheTtlMs: 0, instructions: 'prefer cheap' }] };
    expect(compileRouting(routing).judge).toEqual({ model: 'j', timeoutMs: 500, cacheTtlMs: 0, instructions: 'prefer cheap' });
  });

  it('defaults retries, fallback and the deadline', () => {
    const compiled = compileRouting({});
    expect(compiled.retries).toEqual({ max: 0, backoffMs: 250 });
    expect(compiled.fallback).toMatchObject({ enabled: true, fromNamedModel: true, maxAttempts: Number.POSITIVE_INFINITY });
    expect(compiled.deadlineMs).toBeUndefined();
  });

  it('takes retries, fallback switches and the deadline from the config', () => {
    const compiled = compileRouting({ retries: { max: 2, backoffMs: 10 }, fallback: { enabled: false, fromNamedModel: false, maxAttempts: 3 }, deadlineMs: 9000 });
    expect(compiled.retries).toEqual({ max: 2, backoffMs: 10 });
    expect(compiled.fallback).toMatchObject({ enabled: false, fromNamedModel: false, maxAttempts: 3 });
    expect(compiled.deadlineMs).toBe(9000);
  });

  it.each([401, 403, 408, 409, 429, 500, 502, 503, 504, 529, 599])('falls back on HTTP %i by default', (status) => {
    expect(compileRouting({}).fallback.onStatus(status)).toBe(true);
  });

  it.each([400, 404, 413, 422, 200, 302])('does not fall back on HTTP %i by default', (status) => {
    expect(compileRouting({}).fallback.onStatus(status)).toBe(false);
  });

  it.each(named([
    { status: 404, expected: true },
    { status: 418, expected: true },
    { status: 429, expected: false },
    { status: 503, expected: false },
  ], (r) => `with onStatus [404, 418], HTTP ${r.status} ${r.expected ? 'falls back' : 'does not fall back'}`))('%s', (_name, { status, expected }) => {
    expect(compileRouting({ fallback: { onStatus: [404, 418] } }).fallback.onStatus(status)).toBe(expected);
  });

  it('falls back on nothing with an empty onStatus', () => {
    expect(compileRouting({ fallback: { onStatus: [] } }).fallback.onStatus(503)).toBe(false);
  });
});

describe('compileRouting: cache', () => {
  it('returns the same compiled object for the same routing object', () => {
    const routing: Routing = { policies: [{ type: 'cheapest' }] };
    expect(compileRouting(routing)).toBe(compileRouting(routing));
    expect(compileRouting(undefined)).toBe(compileRouting(undefined));
  });

  it('compiles an equal but new routing object afresh, so a config write takes effect', () => {
    const before: Routing = { policies: [{ type: 'cheapest' }] };
    const after: Routing = structuredClone(before);
    after.policies![0]!.weight = 9;
    expect(compileRouting(after)).not.toBe(compileRouting(before));
    expect(summary(after).at(-1)).toEqual(['cheapest', 9]);
    expect(compileRouting(structuredClone(before))).not.toBe(compileRouting(before));
  });

  it('compiles every policy a valid config can list', () => {
    const routing = Routing.parse({
      policies: [
        { type: 'llm', model: 'j' },
        { type: 'cheapest' },
        { type: 'health' },
        { type: 'performance', minSamples: 2 },
        { type: 'capability' },
        { type: 'context' },
        { type: 'budget-remaining' },
        { type: 'rate-limit' },
        { type: 'fairness', weights: { a: 2 } },
      ],
    });
    expect(compileRouting(routing).policies.map((p) => p.type)).toEqual([
      'llm',
      'cheapest',
      'health',
      'performance',
      'capability',
      'context',
      'budget-remaining',
      'rate-limit',
      'fairness',
    ]);
  });
});
