import type { Policy, PolicyType, Routing } from '../config/routing.js';
import { budgetRemainingPolicy } from './policies/budget-remaining.js';
import { capabilityPolicy } from './policies/capability.js';
import { cheapestPolicy } from './policies/cheapest.js';
import { contextPolicy } from './policies/context.js';
import { fairnessPolicy } from './policies/fairness.js';
import { healthPolicy } from './policies/health.js';
import { llmPolicy } from './policies/llm.js';
import { performancePolicy } from './policies/performance.js';
import { rateLimitPolicy } from './policies/rate-limit.js';
import type { RoutingPolicy } from './types.js';
import { DEFAULT_CIRCUIT } from './stats.js';

/** Default judge settings. */
export const JUDGE_DEFAULTS = { timeoutMs: 3000, cacheTtlMs: 60_000 } as const;

/**
 * Provider statuses that fall back to the next candidate unless a project lists its own:
 * the provider is busy, down or refused our key. 400, 404, 413 and 422 are the client's
 * fault and would fail the same way anywhere.
 */
const FALLBACK_4XX = new Set([401, 403, 408, 409, 429]);

export interface JudgeSettings {
  model: string;
  timeoutMs: number;
  cacheTtlMs: number;
  instructions?: string;
}

/** A project's (or alias's) routing, ready for the request path: built once per config object. */
export interface CompiledRouting {
  policies: RoutingPolicy[];
  judge?: JudgeSettings;
  circuit: { failureThreshold: number; cooldownMs: number };
  fallback: { enabled: boolean; fromNamedModel: boolean; maxAttempts: number; onStatus(status: number): boolean };
  retries: { max: number; backoffMs: number };
  deadlineMs: number | undefined;
}

/**
 * Filters that apply even when a project lists none of them: a request must not go to a model
 * that cannot take it, is cooling down after a 429, has an open circuit, or could cost more
 * than the call's budgets have left. Listed explicitly,
 * they take the project's options and weight; `enabled: false` turns one off. Implicit ones
 * only filter (weight 0): without routing configured, the survivors keep pool order.
 */
const IMPLICIT: readonly Policy[] = [
  { type: 'capability', weight: 0 },
  { type: 'context', weight: 0 },
  { type: 'rate-limit', weight: 0 },
  { type: 'health', weight: 0 },
  { type: 'budget-remaining', weight: 0 },
];

function build(policy: Policy): RoutingPolicy {
  const weight = policy.weight ?? 1;
  switch (policy.type) {
    case 'llm':
      return llmPolicy(weight);
    case 'cheapest':
      return cheapestPolicy(weight);
    case 'health':
      return healthPolicy(weight, policy);
    case 'performance':
      return performancePolicy(weight, policy);
    case 'capability':
      return capabilityPolicy(weight);
    case 'context':
      return contextPolicy(weight);
    case 'budget-remaining':
      return budgetRemainingPolicy(weight);
    case 'rate-limit':
      return rateLimitPolicy(weight, policy);
    case 'fairness':
      return fairnessPolicy(weight, policy);
  }
}

const compiled = new WeakMap<Routing, CompiledRouting>();
const DEFAULT_ROUTING: Routing = {};

/** The compiled form of `routing` (the project's, or the default): cached by object, so config writes refresh it. */
export function compileRouting(routing: Routing | undefined): CompiledRouting {
  const source = routing ?? DEFAULT_ROUTING;
  let result = compiled.get(source);
  if (!result) {
    result = compile(source);
    compiled.set(source, result);
  }
  return result;
}

function compile(routing: Routing): CompiledRouting {
  const listed = routing.policies ?? [];
  const types = new Set<PolicyType>(listed.map((p) => p.type));
  const effective = [...IMPLICIT.filter((p) => !types.has(p.type)), ...listed].filter((p) => p.enabled !== false);
  const judge = effective.find((p): p is Extract<Policy, { type: 'llm' }> => p.type === 'llm');
  const health = effective.find((p): p is Extract<Policy, { type: 'health' }> => p.type === 'health');
  const onStatus = routing.fallback?.onStatus ? new Set(routing.fallback.onStatus) : undefined;
  return {
    policies: effective.map(build),
    ...(judge
      ? {
          judge: {
            model: judge.model,
            timeoutMs: judge.timeoutMs ?? JUDGE_DEFAULTS.timeoutMs,
            cacheTtlMs: judge.cacheTtlMs ?? JUDGE_DEFAULTS.cacheTtlMs,
            ...(judge.instructions !== undefined ? { instructions: judge.instructions } : {}),
          },
        }
      : {}),
    circuit: {
      failureThreshold: health?.failureThreshold ?? DEFAULT_CIRCUIT.failureThreshold,
      cooldownMs: health?.cooldownMs ?? DEFAULT_CIRCUIT.cooldownMs,
    },
    fallback: {
      enabled: routing.fallback?.enabled ?? true,
      fromNamedModel: routing.fallback?.fromNamedModel ?? true,
      maxAttempts: routing.fallback?.maxAttempts ?? Number.POSITIVE_INFINITY,
      onStatus: onStatus ? (status) => onStatus.has(status) : (status) => status >= 500 || FALLBACK_4XX.has(status),
    },
    retries: { max: routing.retries?.max ?? 0, backoffMs: routing.retries?.backoffMs ?? 250 },
    deadlineMs: routing.deadlineMs,
  };
}
