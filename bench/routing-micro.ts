// Micro-benchmark of ranking: what `rank()` costs per call when a project turns on every
// policy but `llm` over a large pool. Every proxied call ranks its candidates before the
// first byte goes upstream, so this time is added to each call's latency as it is. It ranks
// with the modules as they ship (dist/, shipped.ts).
//
//   npx tsx bench/routing-micro.ts          (also run by npm run bench, before the load rows)
//   BENCH_ROUTING_ITERATIONS=20000
//
// The pool is 50 models whose configuration and live statistics make each policy work for
// its answer: some models lack a capability the request uses, some windows are too small,
// some could overrun the budget, a few are cooling down after a 429 or have an open circuit,
// some are near or at their rpm. The clock is pinned, so every iteration ranks the same state.

import { pathToFileURL } from 'node:url';
import type { StoredModel } from '../src/config/schemas.js';
import type { ResolvedModel } from '../src/config/state.js';
import type { BudgetView } from '../src/routing/budget.js';
import type { Candidate, PolicyEnv, RequestFeatures, RoutingPolicy, RoutingRequest } from '../src/routing/types.js';
import { percentile } from './report.js';
import { shipped } from './shipped.js';

// The core's pieces as they ship (shipped.ts), as the load rows' gateways run them.
const { Routing } = await shipped<typeof import('../src/config/routing.js')>('src/config/routing.js');
const { DEFAULT_TIMEOUTS } = await shipped<typeof import('../src/config/state.js')>('src/config/state.js');
const { providerEntry } = await shipped<typeof import('../src/providers/registry.js')>('src/providers/registry.js');
const { BudgetSnapshot, budgetLines } = await shipped<typeof import('../src/limits/budgets.js')>('src/limits/budgets.js');
const { compileRouting } = await shipped<typeof import('../src/routing/compile.js')>('src/routing/compile.js');
const { rank } = await shipped<typeof import('../src/routing/engine.js')>('src/routing/engine.js');
const { ModelStatsTable } = await shipped<typeof import('../src/routing/stats.js')>('src/routing/stats.js');

/** The issue's target: ranking 50 candidates may take at most this much, median, per call. */
export const RANK_TARGET_US = 50;
const POOL_SIZE = 50;
/** rank() calls per timed batch: long enough (a few ms) that performance.now()'s resolution does not matter. */
const BATCH = 50;
const WARMUP_CALLS = 5_000;
/** Any fixed instant: the stats table and the policies both read this clock. */
const NOW = Date.UTC(2026, 0, 1);

export interface RoutingMicroResult {
  candidates: number;
  iterations: number;
  batch: number;
  medianUs: number;
  p99Us: number;
  meanUs: number;
  targetUs: number;
  pass: boolean;
  /** What one ranking decided, to show the filters did work (and the figures are not of an empty pool). */
  ranked: number;
  excluded: Record<string, number>;
  abstained: string[];
  /** Mean µs per call in each policy's filter/score, and in the engine around them (instrumented run). */
  breakdownUs: Record<string, number>;
}

/** A prompt of about 6k tokens with tools and an output cap: the context, capability and budget filters all have something to check. */
const FEATURES: RequestFeatures = {
  images: false,
  tools: true,
  json: false,
  thinking: false,
  inputTokens: 6_000,
  inputTokensBound: 24_000,
  maxOutputTokens: 1_024,
  digest: 'system: You are a helpful assistant.\nuser: Summarise the attached report.',
};

function model(i: number): ResolvedModel {
  const id = `model-${String(i).padStart(2, '0')}`;
  const input = 0.1 + ((i * 13) % 50) / 5;
  const config: StoredModel = {
    id,
    provider: i % 4 === 0 ? 'anthropic' : 'openai',
    // Two local models without pricing: free, so `cheapest` ranks them first.
    ...(i % 25 === 24 ? {} : { pricing: { input, output: input * 4 } }),
    // Every tenth model's window is too small for the prompt plus the output cap.
    contextWindow: i % 10 === 3 ? 4_096 : 128_000,
    capabilities: { vision: i % 3 !== 0, tools: i % 8 !== 5, json: true, thinking: i % 2 === 0 },
    ...(i % 3 === 0 ? { limits: i === 30 ? { rpm: 20 } : i % 9 === 0 ? { rpm: 40, tpm: 400_000 } : { rpm: 1_000 } } : {}),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  return { config, provider: providerEntry(config), baseUrl: 'http://127.0.0.1:1', upstreamModel: id, apiKey: 'sk-x', timeouts: DEFAULT_TIMEOUTS };
}

/** Live stats as after a busy minute: 20-30 calls per model over the last 50 s, some failing. */
function warmStats(models: ResolvedModel[]): InstanceType<typeof ModelStatsTable> {
  let clock = NOW - 50_000;
  const stats = new ModelStatsTable(() => clock);
  models.forEach(({ config: { id } }, i) => {
    const calls = 20 + (i % 11);
    for (let k = 0; k < calls; k++) {
      clock = NOW - 50_000 + Math.floor((k * 45_000) / calls) + i;
      stats.begin(id);
      const failed = i % 5 === 0 && k % 4 === 3;
      const latencyMs = 300 + ((i * 37) % 900) + (k % 5) * 20;
      stats.end(id, failed ? { ok: false, errorClass: 'server' } : { ok: true, latencyMs, ttftMs: latencyMs / 4, tokens: 1_500 + k * 10 });
    }
    clock = NOW - 2_000;
    if (i === 7 || i === 19 || i === 33) {
      // Three failures in a row, 2 s ago: the circuit is open for the default 30 s.
      for (let k = 0; k < 3; k++) {
        stats.begin(id);
        stats.end(id, { ok: false, errorClass: 'server' });
      }
    } else if (i === 11 || i === 27) {
      stats.begin(id);
      stats.end(id, { ok: false, errorClass: 'rate_limited', retryAfterMs: 20_000 });
    }
    // Calls in flight, for fairness to weigh.
    for (let k = 0; k < i % 3; k++) stats.begin(id);
  });
  clock = NOW;
  return stats;
}

/** A day budget with $0.08 left, as the gateway reads it at a call's start: the filter excludes the dearest models. */
const BUDGET: BudgetView = new BudgetSnapshot(
  budgetLines({ id: 'bench', name: 'bench', models: [], tokens: [], createdAt: '', updatedAt: '', budgets: [{ period: 'day', limitUsd: 1 }] }, undefined, NOW),
  [{ nanoUsd: 0.92e9, tokens: 0 }],
);

function routingRequest(): RoutingRequest {
  // Memoised as src/proxy/routing-request.ts does: decoding the body happens once per call, and is the load rows' to measure.
  let features: RequestFeatures | undefined;
  return { projectId: 'bench', operation: 'chat', stream: false, features: () => (features ??= { ...FEATURES }) };
}

/** Every routing policy but the judge: what the micro-benchmark ranks with and the routed row configures. */
export const EVERY_POLICY_BUT_LLM = [
  { type: 'cheapest' },
  { type: 'health' },
  { type: 'performance' },
  { type: 'capability' },
  { type: 'context' },
  { type: 'budget-remaining' },
  { type: 'rate-limit' },
  { type: 'fairness' },
] as const;

export function setup() {
  const models = Array.from({ length: POOL_SIZE }, (_, i) => model(i));
  const candidates: Candidate[] = models.map((m, order) => ({ model: m, order }));
  const routing = Routing.parse({
    policies: [...EVERY_POLICY_BUT_LLM.filter((p) => p.type !== 'fairness'), { type: 'fairness', weights: { 'model-01': 2, 'model-02': 3 } }],
  });
  const { policies } = compileRouting(routing);
  const env: PolicyEnv = { now: NOW, stats: warmStats(models), budget: BUDGET };
  return { candidates, policies, env, request: routingRequest() };
}

/** Wraps each policy's filter and score to time them: slower than the real thing, so only for the breakdown. */
function instrumented(policies: readonly RoutingPolicy[], spent: Map<string, number>): RoutingPolicy[] {
  const timed = <A extends unknown[], R>(key: string, fn: (...args: A) => R) => (...args: A): R => {
    const started = performance.now();
    try {
      return fn(...args);
    } finally {
      spent.set(key, (spent.get(key) ?? 0) + performance.now() - started);
    }
  };
  return policies.map((policy) => ({
    type: policy.type,
    weight: policy.weight,
    ...(policy.filter ? { filter: timed(`${policy.type}.filter`, policy.filter.bind(policy)) } : {}),
    ...(policy.score ? { score: timed(`${policy.type}.score`, policy.score.bind(policy)) } : {}),
  }));
}

function breakdown(iterations: number): Record<string, number> {
  const { candidates, policies, env, request } = setup();
  const spent = new Map<string, number>();
  const wrapped = instrumented(policies, spent);
  for (let i = 0; i < WARMUP_CALLS; i++) rank(candidates, request, env, wrapped);
  spent.clear();
  const started = performance.now();
  for (let i = 0; i < iterations; i++) rank(candidates, request, env, wrapped);
  const total = performance.now() - started;
  const perCall = (ms: number) => Math.round((ms / iterations) * 1000 * 100) / 100;
  const inPolicies = [...spent.values()].reduce((a, b) => a + b, 0);
  const result: Record<string, number> = {};
  for (const [key, ms] of [...spent].sort((a, b) => b[1] - a[1])) result[key] = perCall(ms);
  result['engine (rest of rank)'] = perCall(total - inPolicies);
  return result;
}

export function runRoutingMicro(iterations = 20_000): RoutingMicroResult {
  const { candidates, policies, env, request } = setup();
  const first = rank(candidates, request, env, policies);
  // A sink the JIT cannot prove unused, so that no call is optimised away.
  let sink = 0;
  for (let i = 0; i < WARMUP_CALLS; i++) sink += rank(candidates, request, env, policies).ranked.length;
  const perCallUs: number[] = [];
  const batches = Math.max(1, Math.round(iterations / BATCH));
  for (let b = 0; b < batches; b++) {
    const started = performance.now();
    for (let i = 0; i < BATCH; i++) sink += rank(candidates, request, env, policies).ranked.length;
    perCallUs.push(((performance.now() - started) * 1000) / BATCH);
  }
  if (sink !== (WARMUP_CALLS + batches * BATCH) * first.ranked.length) throw new Error('ranking is not deterministic: the pinned state changed between calls');
  const sorted = [...perCallUs].sort((a, b) => a - b);
  const medianUs = percentile(sorted, 50);
  const excluded: Record<string, number> = {};
  for (const e of first.excluded) excluded[e.policy] = (excluded[e.policy] ?? 0) + 1;
  return {
    candidates: candidates.length,
    iterations: batches * BATCH,
    batch: BATCH,
    medianUs,
    p99Us: percentile(sorted, 99),
    meanUs: perCallUs.reduce((a, b) => a + b, 0) / perCallUs.length,
    targetUs: RANK_TARGET_US,
    pass: medianUs <= RANK_TARGET_US,
    ranked: first.ranked.length,
    excluded,
    abstained: first.abstained,
    breakdownUs: breakdown(Math.min(iterations, 10_000)),
  };
}

export function printRoutingMicro(result: RoutingMicroResult): void {
  const excluded = Object.entries(result.excluded).map(([policy, count]) => `${policy} ${count}`).join(', ');
  console.log(
    `rank(): ${result.candidates} candidates, every policy but llm; ${result.ranked} ranked, excluded: ${excluded || 'none'}; abstained: ${result.abstained.join(', ') || 'none'}`,
  );
  console.log(`  ${result.iterations} calls in batches of ${result.batch}: median ${result.medianUs.toFixed(2)} µs, p99 ${result.p99Us.toFixed(2)} µs, mean ${result.meanUs.toFixed(2)} µs per call`);
  console.log(`  where the time goes (instrumented, µs per call): ${Object.entries(result.breakdownUs).map(([key, us]) => `${key} ${us.toFixed(2)}`).join(', ')}`);
  console.log(`rank()      median per call = ${result.medianUs.toFixed(2)} µs (target <= ${result.targetUs} µs) ${result.pass ? 'PASS' : 'MISS'}`);
}

/** BENCH_ROUTING_ITERATIONS, default 20k. */
export function routingMicroIterations(): number {
  const value = Number(process.env.BENCH_ROUTING_ITERATIONS);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 20_000;
}

// Run on its own (npx tsx bench/routing-micro.ts), not only through run.ts.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = runRoutingMicro(routingMicroIterations());
  printRoutingMicro(result);
  console.log(JSON.stringify(result));
}
