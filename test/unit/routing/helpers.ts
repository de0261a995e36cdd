// Shared fixtures of the routing unit tests: fake models, candidates, requests and policy envs.
// Every clock is injected: tests advance a number, never wait.

import { vi } from 'vitest';
import type { StoredModel } from '../../../src/config/schemas.js';
import { DEFAULT_TIMEOUTS, type ResolvedModel } from '../../../src/config/state.js';
import { providerEntry } from '../../../src/providers/registry.js';
import { NO_BUDGETS, type BudgetView } from '../../../src/routing/budget.js';
import type { AttemptResult, ModelStatsTable } from '../../../src/routing/stats.js';
import type { Candidate, PolicyEnv, RequestFeatures, RoutingRequest } from '../../../src/routing/types.js';

/** A start time far from the epoch: the stats treat 0 as "never". */
export const T0 = 1_700_000_000_000;

export type ModelSpec = { id: string } & Partial<Omit<StoredModel, 'id'>>;

/** A ResolvedModel with the real provider entry (openai unless the spec says otherwise). */
export function fakeModel(spec: ModelSpec | string): ResolvedModel {
  const { id, ...rest } = typeof spec === 'string' ? { id: spec } : spec;
  const config: StoredModel = { provider: 'openai', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...rest, id };
  return {
    config,
    provider: providerEntry(config),
    baseUrl: config.baseUrl ?? 'https://upstream.test/v1',
    upstreamModel: config.upstreamModel ?? config.id,
    apiKey: 'sk-test',
    timeouts: { ...DEFAULT_TIMEOUTS, ...config.timeouts },
  };
}

/** Candidates in pool order (`order` = position unless given). */
export function candidates(...specs: Array<ModelSpec | string>): Candidate[] {
  return specs.map((spec, order) => ({ model: fakeModel(spec), order }));
}

export const ids = (list: readonly Candidate[]): string[] => list.map((c) => c.model.config.id);

export function features(overrides: Partial<RequestFeatures> = {}): RequestFeatures {
  return { images: false, tools: false, json: false, thinking: false, inputTokens: 100, inputTokensBound: 400, maxOutputTokens: undefined, digest: 'user: hello', ...overrides };
}

export type SpiedRequest = RoutingRequest & { features: ReturnType<typeof vi.fn<() => RequestFeatures>> };

/** A request whose `features()` is a spy, to see whether a policy read it. */
export function request(options: { features?: Partial<RequestFeatures>; stream?: boolean; projectId?: string } = {}): SpiedRequest {
  const f = features(options.features);
  return {
    projectId: options.projectId ?? 'prj',
    operation: 'chat',
    stream: options.stream ?? false,
    features: vi.fn(() => f),
  };
}

export function policyEnv(stats: ModelStatsTable, now: number, extra: { budget?: BudgetView; judgeChoice?: string } = {}): PolicyEnv {
  return { now, stats, budget: extra.budget ?? NO_BUDGETS, ...(extra.judgeChoice !== undefined ? { judgeChoice: extra.judgeChoice } : {}) };
}

/** One finished attempt: begin then end, at the table's current time. */
export function attempt(stats: ModelStatsTable, id: string, result: AttemptResult, times = 1): void {
  for (let i = 0; i < times; i++) {
    const probe = stats.begin(id);
    stats.end(id, { ...result, probe });
  }
}

export const silentLogger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/**
 * Table rows for `it.each`, each named by a sentence built from it (vitest's `$field` quotes
 * and truncates strings): `it.each(named(rows, (r) => `…`))('%s', (_name, row) => …)`.
 */
export function named<T>(rows: readonly T[], name: (row: T) => string): Array<[string, T]> {
  return rows.map((row) => [name(row), row]);
}
