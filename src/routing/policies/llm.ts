import type { RoutingPolicy } from '../types.js';

/**
 * Scores the candidate an LLM judge picked for this request 1 and the others 0. The judge
 * is asked before ranking (src/routing/judge.ts); when it failed, timed out or named no
 * candidate there is no pick and the policy abstains.
 */
export function llmPolicy(weight: number): RoutingPolicy {
  return {
    type: 'llm',
    weight,
    score(candidates, _request, env) {
      const choice = env.judgeChoice;
      if (choice === undefined || !candidates.some((c) => c.model.config.id === choice)) return undefined;
      return candidates.map((c) => (c.model.config.id === choice ? 1 : 0));
    },
  };
}
