import { circuitState, DEFAULT_CIRCUIT, errorRate } from '../stats.js';
import type { Exclusion, RoutingPolicy } from '../types.js';

/**
 * Scores models by their recent (decayed) error rate, and keeps models whose circuit is open
 * out of the call. The exclusion is soft: when every candidate's circuit is open, the best of
 * them is still tried rather than failing without a call.
 */
export function healthPolicy(weight: number, options: { failureThreshold?: number; cooldownMs?: number }): RoutingPolicy {
  const circuit = {
    failureThreshold: options.failureThreshold ?? DEFAULT_CIRCUIT.failureThreshold,
    cooldownMs: options.cooldownMs ?? DEFAULT_CIRCUIT.cooldownMs,
  };
  return {
    type: 'health',
    weight,
    filter(candidates, _request, env) {
      let out: Exclusion[] | undefined;
      candidates.forEach((candidate, index) => {
        const stats = env.stats.peek(candidate.model.config.id);
        if (!stats || circuitState(stats, env.now, circuit) !== 'open') return;
        const retryAfterMs = Math.max(0, stats.lastFailureAt + circuit.cooldownMs - env.now);
        (out ??= []).push({
          index,
          reason: `circuit open after ${stats.consecutiveFailures} consecutive failures`,
          soft: true,
          ...(retryAfterMs > 0 ? { retryAfterMs } : {}),
        });
      });
      return out;
    },
    score(candidates, _request, env) {
      return candidates.map((candidate) => {
        const stats = env.stats.peek(candidate.model.config.id);
        return stats ? 1 - errorRate(stats) : 1;
      });
    },
  };
}
