import type { Exclusion, RoutingPolicy } from '../types.js';
import { worstCaseCostUsd } from './cost.js';

/** Output tokens assumed for the worst case when the client set no cap. */
const UNCAPPED_OUTPUT_TOKENS = 4096;

/**
 * Excludes models on which this request could cost more than the project has left to spend.
 * A no-op while the project has no budget (BudgetView answers undefined).
 */
export function budgetRemainingPolicy(weight: number): RoutingPolicy {
  return {
    type: 'budget-remaining',
    weight,
    filter(candidates, request, env) {
      const remaining = env.budget.remainingUsd(request.projectId);
      if (remaining === undefined) return undefined;
      const features = request.features();
      const out: Exclusion[] = [];
      candidates.forEach((candidate, index) => {
        const cost = worstCaseCostUsd(candidate.model, features, UNCAPPED_OUTPUT_TOKENS);
        // An overspent budget (concurrent calls can overshoot) is an exhausted one: free models still pass.
        if (cost > Math.max(0, remaining)) out.push({ index, reason: `could cost $${cost.toFixed(6)}; $${Math.max(0, remaining).toFixed(6)} of the budget is left` });
      });
      return out;
    },
  };
}
