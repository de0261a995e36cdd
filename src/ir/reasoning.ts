import type { ReasoningEffort } from './chat.js';

/**
 * OpenAI speaks of reasoning effort, Anthropic and Gemini of a thinking token budget. This
 * table is the one place they meet: an effort becomes the budget below, and a budget becomes
 * the smallest effort whose budget covers it. Anthropic's minimum budget is 1024 tokens.
 */
export const EFFORT_BUDGETS: Record<ReasoningEffort, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
};

export function budgetForEffort(effort: ReasoningEffort): number {
  return EFFORT_BUDGETS[effort];
}

/** `minimal` is never chosen from a budget: only some OpenAI models accept it. */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= EFFORT_BUDGETS.low) return 'low';
  if (budgetTokens <= EFFORT_BUDGETS.medium) return 'medium';
  return 'high';
}
