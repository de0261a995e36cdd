import type { RoutingPolicy } from '../types.js';
import { expectedCostUsd } from './cost.js';

/**
 * Prefers the model on which this request is expected to cost least, by its pricing. The
 * score is relative (the cheapest scores 1, one twice as dear 0.5), so a small price gap
 * moves the ranking a little and a large one a lot.
 */
export function cheapestPolicy(weight: number): RoutingPolicy {
  return {
    type: 'cheapest',
    weight,
    score(candidates, request) {
      const features = request.features();
      const costs = candidates.map((c) => expectedCostUsd(c.model, features));
      const least = Math.min(...costs);
      // A nano-dollar floor keeps free models from dividing by zero and ranks them first.
      return costs.map((cost) => (least + 1e-9) / (cost + 1e-9));
    },
  };
}
