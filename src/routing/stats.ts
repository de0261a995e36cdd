/**
 * Live statistics per model, in memory: what the health, performance, rate-limit and
 * fairness policies read, and what `GET /api/models/stats` and `/metrics` show. They are
 * per process (per isolate on Workers): each node learns from the calls it makes itself.
 *
 * Raw facts are kept (consecutive failures and when the last one was, when a 429 came and
 * what retry-after it carried), not derived states, so that each project's policies can apply
 * their own thresholds to the same facts.
 */

/** Why an attempt failed, in the classes the stats and metrics count. */
export type ErrorClass = 'rate_limited' | 'server' | 'auth' | 'timeout' | 'unreachable' | 'client' | 'stream';

/** How fast old samples fade: after this long a sample weighs half as much. */
export const DECAY_HALF_LIFE_MS = 60_000;
/** The window of the per-minute request and token counts that `limits.rpm`/`tpm` are checked against. */
const WINDOW_SECONDS = 60;
/** The circuit defaults the health policy and the stats endpoint use unless a project sets its own. */
export const DEFAULT_CIRCUIT = { failureThreshold: 3, cooldownMs: 30_000 } as const;

export interface ModelStats {
  requests: number;
  errors: Partial<Record<ErrorClass, number>>;
  /** Decayed weights of failed and of all finished calls: their ratio is the recent error rate. */
  errorWeight: number;
  totalWeight: number;
  decayedAt: number;
  /** Exponentially weighted latency of whole non-streamed calls, and time to first event of streams, in ms. */
  latencyMs: number | undefined;
  latencySamples: number;
  ttftMs: number | undefined;
  ttftSamples: number;
  inFlight: number;
  lastStartedAt: number;
  consecutiveFailures: number;
  lastFailureAt: number;
  /** Until when a probe of a half-open circuit is in flight (a lease, so a lost probe cannot block forever). */
  probeUntil: number;
  /** The last 429: when, and the retry-after it carried (undefined when none). */
  rateLimitedAt: number;
  retryAfterMs: number | undefined;
  /** Requests and tokens per second over the last minute, as ring buffers indexed by second. */
  windowRequests: Uint32Array;
  windowTokens: Float64Array;
  windowSeconds: Float64Array;
  /** `lastMinute`'s answer and the second it was computed for (-1: stale), read by several policies per call. */
  minute: { requests: number; tokens: number };
  minuteAt: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** A minute with no request and no token: what a model nothing was sent to has had (here, and in a call's limits). */
export const NOTHING_YET: Readonly<{ requests: number; tokens: number }> = Object.freeze({ requests: 0, tokens: 0 });

/** EWMA weight of a new latency sample. */
const LATENCY_ALPHA = 0.3;

function fresh(): ModelStats {
  return {
    requests: 0,
    errors: {},
    errorWeight: 0,
    totalWeight: 0,
    decayedAt: 0,
    latencyMs: undefined,
    latencySamples: 0,
    ttftMs: undefined,
    ttftSamples: 0,
    inFlight: 0,
    lastStartedAt: 0,
    consecutiveFailures: 0,
    lastFailureAt: 0,
    probeUntil: 0,
    rateLimitedAt: 0,
    retryAfterMs: undefined,
    windowRequests: new Uint32Array(WINDOW_SECONDS),
    windowTokens: new Float64Array(WINDOW_SECONDS),
    windowSeconds: new Float64Array(WINDOW_SECONDS),
    minute: { requests: 0, tokens: 0 },
    minuteAt: -1,
  };
}

export interface AttemptResult {
  /** False when the attempt failed in a way that counts against the model. */
  ok: boolean;
  errorClass?: ErrorClass;
  latencyMs?: number;
  ttftMs?: number;
  /** For a 429: how long the provider asked to wait, when it said. */
  retryAfterMs?: number;
  /** Tokens the call used, toward the model's tokens-per-minute. */
  tokens?: number;
  /** Whether this call was the probe of a half-open circuit (what `begin` answered). */
  probe?: boolean;
}

export class ModelStatsTable {
  private readonly byModel = new Map<string, ModelStats>();

  constructor(private readonly now: () => number) {}

  get(modelId: string): ModelStats {
    let stats = this.byModel.get(modelId);
    if (!stats) {
      stats = fresh();
      this.byModel.set(modelId, stats);
    }
    return stats;
  }

  /** Reads without creating: for policies, which must not grow the table for every name they see. */
  peek(modelId: string): ModelStats | undefined {
    return this.byModel.get(modelId);
  }

  entries(): IterableIterator<[string, ModelStats]> {
    return this.byModel.entries();
  }

  /** Forgets what was learnt (an operator who fixed a key need not wait out its circuit); calls in flight stay counted. */
  reset(): void {
    for (const [id, stats] of this.byModel) {
      const inFlight = stats.inFlight;
      const next = fresh();
      next.inFlight = inFlight;
      this.byModel.set(id, next);
    }
  }

  /** What `GET /api/models/stats` shows of one model, judged by the default circuit and cooldown settings. */
  describe(modelId: string, stats: ModelStats, cooldown: { defaultCooldownMs: number; maxCooldownMs: number }) {
    const now = this.now();
    const circuit = circuitState(stats, now, DEFAULT_CIRCUIT);
    const until = cooldownUntil(stats, cooldown);
    return {
      model: modelId,
      requests: stats.requests,
      errors: stats.errors,
      errorRate: Math.round(errorRate(stats) * 1e4) / 1e4,
      latencyMs: stats.latencyMs === undefined ? null : Math.round(stats.latencyMs),
      latencySamples: stats.latencySamples,
      ttftMs: stats.ttftMs === undefined ? null : Math.round(stats.ttftMs),
      ttftSamples: stats.ttftSamples,
      inFlight: stats.inFlight,
      lastMinute: this.lastMinute(modelId),
      circuit,
      consecutiveFailures: stats.consecutiveFailures,
      circuitOpenUntil: circuit === 'open' && stats.probeUntil <= now ? new Date(stats.lastFailureAt + DEFAULT_CIRCUIT.cooldownMs).toISOString() : null,
      cooldownUntil: until > now ? new Date(until).toISOString() : null,
    };
  }

  /** An attempt is about to be sent to the model. Answers whether it is the probe of a half-open circuit. */
  begin(modelId: string, circuit: { failureThreshold: number; cooldownMs: number } = DEFAULT_CIRCUIT): boolean {
    const now = this.now();
    const stats = this.get(modelId);
    stats.requests++;
    stats.inFlight++;
    stats.lastStartedAt = now;
    const slot = this.slot(stats, now);
    stats.windowRequests[slot]! += 1;
    // The one call let through a half-open circuit is its probe: others stay out until it ends.
    if (circuitState(stats, now, circuit) !== 'half_open') return false;
    stats.probeUntil = now + circuit.cooldownMs;
    return true;
  }

  /** The attempt is over (a stream: when it ended, or failed before its first event). Call once per `begin`. */
  end(modelId: string, result: AttemptResult): void {
    const now = this.now();
    const stats = this.get(modelId);
    stats.inFlight = Math.max(0, stats.inFlight - 1);
    if (result.tokens) stats.windowTokens[this.slot(stats, now)]! += result.tokens;
    decay(stats, now);
    // Only the probe's own end frees its lease: another call that ends meanwhile says nothing of it.
    if (result.probe) stats.probeUntil = 0;
    const errorClass = result.ok ? undefined : (result.errorClass ?? 'server');
    // A 429, a refused request or a client that left says nothing of the model's health either way.
    if (errorClass !== 'client' && errorClass !== 'rate_limited') stats.totalWeight += 1;
    if (result.ok) {
      stats.consecutiveFailures = 0;
    } else if (errorClass) {
      stats.errors[errorClass] = (stats.errors[errorClass] ?? 0) + 1;
      // Only real failures open the circuit.
      if (errorClass !== 'client' && errorClass !== 'rate_limited') {
        stats.errorWeight += 1;
        stats.consecutiveFailures++;
        stats.lastFailureAt = now;
      }
      if (errorClass === 'rate_limited') {
        stats.rateLimitedAt = now;
        stats.retryAfterMs = result.retryAfterMs;
      }
    }
    if (result.latencyMs !== undefined) {
      stats.latencyMs = stats.latencyMs === undefined ? result.latencyMs : ewma(stats.latencyMs, result.latencyMs);
      stats.latencySamples++;
    }
    if (result.ttftMs !== undefined) {
      stats.ttftMs = stats.ttftMs === undefined ? result.ttftMs : ewma(stats.ttftMs, result.ttftMs);
      stats.ttftSamples++;
    }
  }

  /** Requests and tokens in the last minute (the answer is shared: do not change it). */
  lastMinute(modelId: string): Readonly<{ requests: number; tokens: number }> {
    const stats = this.byModel.get(modelId);
    if (!stats) return NOTHING_YET;
    const second = Math.floor(this.now() / 1000);
    if (stats.minuteAt === second) return stats.minute;
    let requests = 0;
    let tokens = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      if (second - stats.windowSeconds[i]! < WINDOW_SECONDS) {
        requests += stats.windowRequests[i]!;
        tokens += stats.windowTokens[i]!;
      }
    }
    stats.minute = { requests, tokens };
    stats.minuteAt = second;
    return stats.minute;
  }

  /** The ring slot of this second, emptied first when it last held a second a minute or more ago. */
  private slot(stats: ModelStats, now: number): number {
    const second = Math.floor(now / 1000);
    // The window is about to change: the cached sum no longer holds.
    stats.minuteAt = -1;
    const slot = second % WINDOW_SECONDS;
    if (stats.windowSeconds[slot] !== second) {
      stats.windowSeconds[slot] = second;
      stats.windowRequests[slot] = 0;
      stats.windowTokens[slot] = 0;
    }
    return slot;
  }
}

function ewma(previous: number, sample: number): number {
  return previous + LATENCY_ALPHA * (sample - previous);
}

/** Fades the error weights by the time since they were last touched. */
function decay(stats: ModelStats, now: number): void {
  if (stats.decayedAt !== 0 && now > stats.decayedAt) {
    const factor = Math.pow(0.5, (now - stats.decayedAt) / DECAY_HALF_LIFE_MS);
    stats.errorWeight *= factor;
    stats.totalWeight *= factor;
  }
  stats.decayedAt = now;
}

/** The recent error rate, 0..1, with the decay applied up to `now` (reads only). */
export function errorRate(stats: ModelStats): number {
  // The decay factor is common to both weights, so their ratio needs no update to be current.
  return stats.totalWeight > 0 ? stats.errorWeight / stats.totalWeight : 0;
}

/**
 * Closed below the failure threshold; open for `cooldownMs` after the last failure once it is
 * reached; then half-open, letting one probe through (while it runs, the circuit reads open).
 */
export function circuitState(stats: ModelStats, now: number, circuit: { failureThreshold: number; cooldownMs: number }): CircuitState {
  if (stats.consecutiveFailures < circuit.failureThreshold) return 'closed';
  if (now < stats.lastFailureAt + circuit.cooldownMs) return 'open';
  return now < stats.probeUntil ? 'open' : 'half_open';
}

/** Until when a model that answered 429 is skipped, or 0. */
export function cooldownUntil(stats: ModelStats, options: { defaultCooldownMs: number; maxCooldownMs: number }): number {
  if (stats.rateLimitedAt === 0) return 0;
  const wait = Math.min(stats.retryAfterMs ?? options.defaultCooldownMs, options.maxCooldownMs);
  return stats.rateLimitedAt + wait;
}
