import { circuitState, DEFAULT_CIRCUIT, type ModelStatsTable } from '../routing/stats.js';
import type { UsageRecord } from '../usage/record.js';
import { MetricsRegistry, type Counter, type Histogram } from './registry.js';

/** Seconds: from a fast cache hit to a long generation. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CIRCUIT_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * What `GET /metrics` exposes, fed by the one place every upstream attempt is recorded (the
 * usage record) and, for circuit states and calls in flight, read from the live model stats
 * at scrape time. Labels are ids and statuses only: no tokens, keys or prompt text.
 */
export class GatewayMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly ttft: Histogram;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly attempts: Counter;
  private readonly fallbacks: Counter;

  constructor(stats: ModelStatsTable, now: () => number) {
    const r = this.registry;
    this.requests = r.counter('routerly_requests_total', 'Calls answered, by project, serving model and HTTP status.', ['project', 'model', 'endpoint', 'status']);
    this.duration = r.histogram('routerly_request_duration_seconds', 'Whole call duration, all attempts included.', ['project', 'model', 'endpoint'], DURATION_BUCKETS);
    this.ttft = r.histogram('routerly_time_to_first_token_seconds', 'Time from the call to the first byte of the answer.', ['project', 'model', 'stream'], TTFT_BUCKETS);
    this.tokens = r.counter('routerly_tokens_total', 'Tokens by type, as the providers reported them.', ['project', 'model', 'type']);
    this.cost = r.counter('routerly_cost_usd_total', 'Cost in USD by the models\' pricing.', ['project', 'model']);
    this.attempts = r.counter('routerly_attempts_total', 'Upstream attempts by model and outcome.', ['model', 'outcome']);
    this.fallbacks = r.counter('routerly_fallbacks_total', 'Attempts that failed over to another model, by the failed model and why.', ['model', 'outcome']);
    r.collect('routerly_circuit_state', 'Circuit of each model by the default thresholds: 0 closed, 1 half-open, 2 open.', 'gauge', function* () {
      const at = now();
      for (const [model, s] of stats.entries()) yield { labels: { model }, value: CIRCUIT_VALUE[circuitState(s, at, DEFAULT_CIRCUIT)] };
    });
    r.collect('routerly_in_flight', 'Upstream calls in flight per model.', 'gauge', function* () {
      for (const [model, s] of stats.entries()) yield { labels: { model }, value: s.inFlight };
    });
  }

  /** Counts one usage record: every attempt, and the call itself on its final record. */
  recordUsage(record: UsageRecord, final: boolean): void {
    const { projectId, model, outcome } = record;
    this.attempts.inc([model, outcome]);
    if (!final) this.fallbacks.inc([model, outcome]);
    if (record.inputTokens) this.tokens.inc([projectId, model, 'input'], record.inputTokens);
    if (record.outputTokens) this.tokens.inc([projectId, model, 'output'], record.outputTokens);
    if (record.cachedInputTokens) this.tokens.inc([projectId, model, 'cached_input'], record.cachedInputTokens);
    if (record.cacheWriteTokens) this.tokens.inc([projectId, model, 'cache_write'], record.cacheWriteTokens);
    if (record.costUsd > 0) this.cost.inc([projectId, model], record.costUsd);
    if (!final) return;
    this.requests.inc([projectId, model, record.endpoint, String(record.status)]);
    this.duration.observe([projectId, model, record.endpoint], record.latencyMs / 1000);
    if (record.ttftMs !== null) this.ttft.observe([projectId, model, String(record.stream)], record.ttftMs / 1000);
  }

  render(): string {
    return this.registry.render();
  }
}
