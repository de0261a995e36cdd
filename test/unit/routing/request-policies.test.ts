// The policies that judge a request against what each model declares (capabilities, context
// window, pricing, the project's budget) and the judge's pick: no live stats involved.

import { describe, expect, it } from 'vitest';
import type { StoredProject } from '../../../src/config/schemas.js';
import { BudgetSnapshot, budgetLines } from '../../../src/limits/budgets.js';
import { budgetRemainingPolicy } from '../../../src/routing/policies/budget-remaining.js';
import { capabilityPolicy } from '../../../src/routing/policies/capability.js';
import { cheapestPolicy } from '../../../src/routing/policies/cheapest.js';
import { contextPolicy } from '../../../src/routing/policies/context.js';
import { expectedCostUsd } from '../../../src/routing/policies/cost.js';
import { llmPolicy } from '../../../src/routing/policies/llm.js';
import { ModelStatsTable } from '../../../src/routing/stats.js';
import type { RequestFeatures } from '../../../src/routing/types.js';
import { candidates, fakeModel, features, named, policyEnv, request, T0 } from './helpers.js';

const stats = new ModelStatsTable(() => T0);
const env = (extra: Parameters<typeof policyEnv>[2] = {}) => policyEnv(stats, T0, extra);
const indexes = (exclusions: Array<{ index: number }> | undefined) => exclusions?.map((e) => e.index);

describe('capability policy', () => {
  const policy = capabilityPolicy(0);
  const NEEDS = [
    ['images', 'vision'],
    ['tools', 'tools'],
    ['json', 'json'],
    ['thinking', 'thinking'],
  ] as const;

  it.each(NEEDS)('excludes a model whose %s capability (%s) is false when the request uses it', (feature, capability) => {
    const pool = candidates(
      { id: 'lacking', capabilities: { [capability]: false } },
      { id: 'declared', capabilities: { [capability]: true } },
      { id: 'unset' },
    );
    const exclusions = policy.filter!(pool, request({ features: { [feature]: true } }), env());
    expect(indexes(exclusions)).toEqual([0]);
    expect(exclusions![0]!.reason).toContain(`the model lacks ${capability}`);
    expect(exclusions![0]!.soft).toBeUndefined();
  });

  it.each(NEEDS)('keeps a model lacking %s when the request does not use it', (_feature, capability) => {
    const pool = candidates({ id: 'lacking', capabilities: { [capability]: false } }, 'other');
    expect(policy.filter!(pool, request(), env())).toEqual([]);
  });

  it('counts an unset capability as present, even when other capabilities are declared false', () => {
    const pool = candidates({ id: 'partial', capabilities: { tools: false } }, { id: 'silent', capabilities: {} });
    expect(policy.filter!(pool, request({ features: { images: true, json: true, thinking: true } }), env())).toEqual([]);
  });

  it('names every missing capability of one model in a single exclusion', () => {
    const pool = candidates({ id: 'text-only', capabilities: { vision: false, tools: false } }, 'full');
    const exclusions = policy.filter!(pool, request({ features: { images: true, tools: true } }), env());
    expect(exclusions).toEqual([{ index: 0, reason: 'the request has images, the request has tools; the model lacks vision, tools' }]);
  });

  it.each([
    ['no model declares capabilities', [{ id: 'a' }, { id: 'b' }]],
    ['every declared capability is true', [{ id: 'a', capabilities: { vision: true, tools: true } }, { id: 'b', capabilities: {} }]],
  ])('excludes nothing and never reads the request when %s', (_case, specs) => {
    const req = request({ features: { images: true, tools: true, json: true, thinking: true } });
    expect(policy.filter!(candidates(...specs), req, env())).toBeUndefined();
    expect(req.features).not.toHaveBeenCalled();
  });
});

describe('context policy', () => {
  const policy = contextPolicy(0);

  it.each(named([
    { inputTokens: 900, maxOutputTokens: 100, excluded: false, why: 'prompt plus output cap exactly fill the window' },
    { inputTokens: 900, maxOutputTokens: 101, excluded: true, why: 'the output cap overflows the window by one token' },
    { inputTokens: 1000, maxOutputTokens: undefined, excluded: false, why: 'no output cap and the prompt fits' },
    { inputTokens: 1001, maxOutputTokens: undefined, excluded: true, why: 'the prompt alone overflows the window' },
  ], (r) => `${r.excluded ? 'excludes' : 'keeps'} a model with a 1000-token window when ${r.why}`))('%s', (_name, { inputTokens, maxOutputTokens, excluded }) => {
    const pool = candidates({ id: 'small', contextWindow: 1000 }, { id: 'unbounded' }, { id: 'large', contextWindow: 1_000_000 });
    const exclusions = policy.filter!(pool, request({ features: { inputTokens, maxOutputTokens } }), env());
    expect(indexes(exclusions)).toEqual(excluded ? [0] : []);
  });

  it('explains the estimate in the reason', () => {
    const exclusions = policy.filter!(candidates({ id: 'small', contextWindow: 1000 }), request({ features: { inputTokens: 950, maxOutputTokens: 200 } }), env());
    expect(exclusions![0]!.reason).toBe('needs about 1150 tokens (prompt 950 + output cap 200); the window is 1000');
  });

  it('never excludes models without a context window, and does not read the request when none has one', () => {
    const req = request({ features: { inputTokens: 10_000_000 } });
    expect(policy.filter!(candidates('a', 'b'), req, env())).toBeUndefined();
    expect(req.features).not.toHaveBeenCalled();
  });
});

describe('budget-remaining policy', () => {
  const policy = budgetRemainingPolicy(1);
  // $10 per million tokens in and out.
  const pool = () => candidates({ id: 'priced', pricing: { input: 10, output: 10 } }, { id: 'free' });
  const project = (budgets: StoredProject['budgets']): StoredProject => ({ id: 'p-42', name: 'p', models: [], tokens: [], createdAt: '', updatedAt: '', ...(budgets ? { budgets } : {}) });
  /** A day budget of `limitUsd` of which `spentUsd` is gone (the real snapshot the gateway ranks against). */
  const budget = (limitUsd: number, spentUsd: number, extra: { limitTokens?: number; spentTokens?: number } = {}) =>
    new BudgetSnapshot(budgetLines(project([{ period: 'day', limitUsd, ...(extra.limitTokens ? { limitTokens: extra.limitTokens } : {}) }]), undefined, T0), [
      { nanoUsd: Math.round(spentUsd * 1e9), tokens: extra.spentTokens ?? 0 },
    ]);

  it('is a no-op that does not read the request when the project has no budget', () => {
    const req = request({ features: { inputTokens: 1_000_000_000 } });
    expect(policy.filter!(pool(), req, env())).toBeUndefined();
    expect(policy.score!(pool(), req, env())).toBeUndefined();
    expect(req.features).not.toHaveBeenCalled();
  });

  it.each(named([
    // the reservation: (400 bytes of prompt + cap out) * $10 / 1e6
    { left: 0.01, maxOutputTokens: 500, excluded: false, why: 'the capped reservation ($0.009) fits' },
    { left: 0.009, maxOutputTokens: 500, excluded: false, why: 'the reservation equals what is left' },
    { left: 0.0089, maxOutputTokens: 500, excluded: true, why: 'the capped reservation ($0.009) exceeds what is left' },
    { left: 0.04, maxOutputTokens: undefined, excluded: true, why: 'no cap reserves 4096 output tokens ($0.04496)' },
    { left: 0, maxOutputTokens: 1, excluded: true, why: 'nothing is left' },
  ], (r) => `with $${r.left} left, ${r.excluded ? 'excludes' : 'keeps'} the priced model: ${r.why}`))('%s', (_name, { left, maxOutputTokens, excluded }) => {
    const exclusions = policy.filter!(pool(), request({ features: { inputTokensBound: 400, maxOutputTokens } }), env({ budget: budget(1, 1 - left) }));
    expect(indexes(exclusions)).toEqual(excluded ? [0] : undefined);
  });

  it('names the budget, its limit and its reset, and gives the wait until then', () => {
    const exclusions = policy.filter!(pool(), request({ features: { inputTokensBound: 400, maxOutputTokens: 500 } }), env({ budget: budget(5, 5) }));
    expect(exclusions).toHaveLength(1);
    expect(exclusions![0]!.reason).toMatch(/^the day budget of project "p" \(\$5\) does not fit this call: \$5 spent, this call could cost up to \$0\.009; it resets at 2023-11-15T00:00:00\.000Z$/);
    expect(exclusions![0]!.retryAfterMs).toBe(Date.parse('2023-11-15T00:00:00Z') - T0);
  });

  // Concurrent calls can overshoot a budget: an overspent USD budget still lets free models through.
  it('keeps a free model however overspent a USD budget is, and scores it with full headroom', () => {
    const req = request({ features: { inputTokensBound: 400, maxOutputTokens: 500 } });
    expect(indexes(policy.filter!(pool(), req, env({ budget: budget(1, 3) })))).toEqual([0]);
    expect(policy.score!(pool(), req, env({ budget: budget(1, 0.5) }))).toEqual([expect.closeTo(0.491, 6), 1]);
  });

  it('a token budget counts every model, free ones included', () => {
    const req = request({ features: { inputTokensBound: 400, maxOutputTokens: 500 } });
    // 900 tokens reserved; 1000 allowed, 200 used.
    expect(indexes(policy.filter!(pool(), req, env({ budget: budget(100, 0, { limitTokens: 1000, spentTokens: 200 }) })))).toEqual([0, 1]);
    expect(policy.filter!(pool(), req, env({ budget: budget(100, 0, { limitTokens: 1000, spentTokens: 100 }) }))).toBeUndefined();
  });
});

describe('cost estimates', () => {
  const priced = fakeModel({ id: 'm', pricing: { input: 2, output: 10 } });
  const f = (over: Partial<RequestFeatures>) => features({ inputTokens: 1000, ...over });

  it.each(named([
    { maxOutputTokens: undefined, expected: (1000 * 2 + 500 * 10) / 1e6, why: 'assumes 500 output tokens without a cap' },
    { maxOutputTokens: 100, expected: (1000 * 2 + 100 * 10) / 1e6, why: 'uses a cap below 500' },
    { maxOutputTokens: 8000, expected: (1000 * 2 + 500 * 10) / 1e6, why: 'assumes at most 500 output tokens under a large cap' },
  ], (r) => `the expected cost ${r.why}`))('%s', (_name, { maxOutputTokens, expected }) => {
    expect(expectedCostUsd(priced, f({ maxOutputTokens }))).toBeCloseTo(expected, 12);
  });

  it('a model without pricing costs nothing', () => {
    expect(expectedCostUsd(fakeModel('local'), f({}))).toBe(0);
  });
});

describe('cheapest policy', () => {
  const policy = cheapestPolicy(1);

  it.each(named([
    { name: 'the cheapest scores 1 and one twice as dear 0.5', prices: [1, 2], expected: [1, 0.5] },
    { name: 'a model four times as dear scores 0.25, whatever the pool order', prices: [4, 2, 1], expected: [0.25, 0.5, 1] },
    { name: 'equal prices score equally', prices: [3, 3], expected: [1, 1] },
  ], (r) => r.name))('%s', (_name, { prices, expected }) => {
    const pool = candidates(...prices.map((p, i) => ({ id: `m${i}`, pricing: { input: p, output: p } })));
    const scores = policy.score!(pool, request({ features: { inputTokens: 1000 } }), env());
    expect(scores).toHaveLength(expected.length);
    scores!.forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
  });

  it('ranks a model without pricing first, as costing nothing', () => {
    const pool = candidates({ id: 'cloud', pricing: { input: 1, output: 1 } }, { id: 'local' });
    const [cloud, local] = policy.score!(pool, request({ features: { inputTokens: 1000 } }), env())!;
    expect(local).toBe(1);
    expect(cloud).toBeLessThan(1e-5);
  });

  it('scores every model 1 when all are free', () => {
    expect(policy.score!(candidates('a', 'b'), request(), env())).toEqual([1, 1]);
  });
});

describe('llm policy', () => {
  const policy = llmPolicy(1);
  const pool = candidates('a', 'b', 'c');

  it.each(named([
    { choice: 'b', expected: [0, 1, 0], why: 'scores the judge’s choice 1 and the rest 0' },
    { choice: 'a', expected: [1, 0, 0], why: 'scores the judge’s choice 1 wherever it sits in the pool' },
    { choice: undefined, expected: undefined, why: 'abstains when the judge made no choice' },
    { choice: 'z', expected: undefined, why: 'abstains when the judge named a model that is not a candidate' },
  ], (r) => r.why))('%s', (_name, { choice, expected }) => {
    expect(policy.score!(pool, request(), env(choice === undefined ? {} : { judgeChoice: choice }))).toEqual(expected);
  });

  it('has no filter: the judge never excludes', () => {
    expect(policy.filter).toBeUndefined();
  });
});
