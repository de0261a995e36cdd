import type { RoutingPolicy } from '../types.js';

export const DEFAULT_MIN_SAMPLES = 5;
const EXPLORED_CEILING = 0.9;

/**
 * Prefers the model that answered fastest lately: time to first event for streams, whole
 * latency otherwise. A model with fewer than `minSamples` calls scores above every measured
 * one, so it is explored (and measured) rather than starved by an early leader.
 */
export function performancePolicy(weight: number, options: { minSamples?: number }): RoutingPolicy {
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  return {
    type: 'performance',
    weight,
    score(candidates, request, env) {
      const latencies = candidates.map((candidate) => {
        const stats = env.stats.peek(candidate.model.config.id);
        if (!stats) return undefined;
        // A stream is judged by when it starts, a whole answer by when it is done.
        const [latency, samples] = request.stream ? [stats.ttftMs, stats.ttftSamples] : [stats.latencyMs, stats.latencySamples];
        return samples >= minSamples ? latency : undefined;
      });
      const known = latencies.filter((l): l is number => l !== undefined);
      if (known.length === 0) return undefined;
      const fastest = Math.max(1, Math.min(...known));
      // Measured models top out below 1, so an unmeasured one always goes first until it has its samples.
      return latencies.map((latency) => (latency === undefined ? 1 : EXPLORED_CEILING * (fastest / Math.max(1, latency))));
    },
  };
}
