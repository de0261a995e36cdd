import type { ExcludedCandidate, Ranking } from './types.js';

/** One try of one model, as the trace and `x-routerly-attempts` tell it. */
export interface AttemptTrace {
  model: string;
  /** 1-based, across the whole call (retries of the same model count). */
  attempt: number;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** Why it failed without a status, or after one (`upstream_unreachable`, `connect_timeout`, `stream_error`…). */
  cause?: string;
  ms: number;
}

/**
 * Why a call went where it went, stored with its usage record: the candidates, what excluded
 * whom and why, each policy's score, the final ranking and every attempt.
 */
export interface RoutingTrace {
  /** The `model` the client sent, and how it was read. */
  requested: string;
  via: 'named' | 'alias' | 'auto' | 'unknown';
  candidates: string[];
  excluded: ExcludedCandidate[];
  ranking: Array<{ model: string; score: number; scores: Record<string, number> }>;
  abstained?: string[];
  failed?: Array<{ policy: string; error: string }>;
  overridden?: string[];
  judge?: { model: string; choice?: string; cached?: boolean; error?: string };
  /** Candidates that could not take this request as sent (a strict project's unsupported parameters). */
  ineligible?: Array<{ model: string; reason: string }>;
  /**
   * Candidates passed over without a call because the reservation before sending did not fit
   * (a budget spent by calls that ran concurrently, a model's own limit reached meanwhile).
   */
  notSent?: Array<{ model: string; reason: string }>;
  attempts: AttemptTrace[];
  /**
   * The gateway node that served the call, where several share one store (GatewayDeps.instanceId,
   * as a deployment names its nodes). Model statistics are per node: this says whose ranked it.
   */
  node?: string;
}

export function newTrace(requested: string, via: RoutingTrace['via'], candidates: string[], node?: string): RoutingTrace {
  const trace: RoutingTrace = { requested, via, candidates, excluded: [], ranking: [], attempts: [] };
  if (node !== undefined) trace.node = node;
  return trace;
}

/** Copies a ranking into the trace, compactly (empty lists left out). */
export function traceRanking(trace: RoutingTrace, ranking: Ranking, unfit: readonly ExcludedCandidate[]): void {
  // The ranking's own list when the pool had no unfit model (most calls): a ranking is made per call and never changed after.
  trace.excluded = unfit.length === 0 ? ranking.excluded : [...unfit, ...ranking.excluded];
  trace.ranking = ranking.ranked.map((r) => ({ model: r.candidate.model.config.id, score: r.score, scores: r.scores }));
  if (ranking.abstained.length) trace.abstained = ranking.abstained;
  if (ranking.failed.length) trace.failed = ranking.failed;
  if (ranking.overridden.length) trace.overridden = ranking.overridden;
}

/** `x-routerly-attempts`: each model tried, in order, with its status or cause: `claude;status=529, gpt;status=200`. */
export function attemptsHeader(attempts: readonly AttemptTrace[]): string {
  return attempts
    .map((a) => `${a.model}${a.status !== undefined ? `;status=${a.status}` : ''}${a.cause !== undefined ? `;cause=${a.cause}` : ''}`)
    .join(', ');
}

/** The attempts in prose, for the message of a call whose every candidate failed. */
export function attemptsSummary(attempts: readonly AttemptTrace[]): string {
  return attempts.map((a) => `${a.model}: ${a.status !== undefined ? `HTTP ${a.status}` : ''}${a.status !== undefined && a.cause ? ' ' : ''}${a.cause ?? ''}`).join('; ');
}
