import type { Exclusion, RoutingPolicy } from '../types.js';

/**
 * Excludes models on which this call's reservation (the most it can cost) does not fit what its
 * budgets have left, and ranks the others by the headroom they would leave. Free models always
 * fit a USD budget; a token budget counts every model's tokens. A no-op when no budget applies.
 * It runs as a filter even when a project does not list it (src/routing/compile.ts).
 */
export function budgetRemainingPolicy(weight: number): RoutingPolicy {
  return {
    type: 'budget-remaining',
    weight,
    filter(candidates, request, env) {
      let out: Exclusion[] | undefined;
      candidates.forEach((candidate, index) => {
        const fit = env.budget.fit(candidate.model, request);
        if (fit && !fit.fits) (out ??= []).push({ index, reason: fit.reason, ...(fit.resetsAt !== undefined ? { retryAfterMs: Math.max(0, fit.resetsAt - env.now) } : {}) });
      });
      return out;
    },
    score(candidates, request, env) {
      let any = false;
      const scores = candidates.map((candidate) => {
        const fit = env.budget.fit(candidate.model, request);
        if (!fit) return 1;
        any = true;
        return fit.fits ? fit.headroom : 0;
      });
      return any ? scores : undefined;
    },
  };
}
