import type { Exclusion, RoutingPolicy } from '../types.js';

/**
 * Excludes models whose context window cannot hold the prompt (by the gateway's estimate,
 * which leans high) plus the output cap the client asked for.
 */
export function contextPolicy(weight: number): RoutingPolicy {
  return {
    type: 'context',
    weight,
    filter(candidates, request) {
      if (!candidates.some((c) => c.model.config.contextWindow !== undefined)) return undefined;
      const features = request.features();
      const needed = features.inputTokens + (features.maxOutputTokens ?? 0);
      const out: Exclusion[] = [];
      candidates.forEach((candidate, index) => {
        const window = candidate.model.config.contextWindow;
        if (window !== undefined && needed > window) {
          out.push({ index, reason: `needs about ${needed} tokens (prompt ${features.inputTokens} + output cap ${features.maxOutputTokens ?? 0}); the window is ${window}` });
        }
      });
      return out;
    },
  };
}
