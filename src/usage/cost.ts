import type { Pricing } from '../config/schemas.js';
import type { TokenUsage } from '../providers/types.js';

/** Costs are exact in nano-dollars: integers sum over millions of calls without float drift. */
export const NANO_PER_USD = 1e9;

/**
 * Cost in USD of one call. Prices are per million tokens; cached reads and cache writes
 * fall back to the input price when the model sets none of their own.
 */
export function costUsd(usage: TokenUsage, pricing: Pricing | undefined): number {
  if (!pricing) return 0;
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
  const micro =
    uncached * pricing.input +
    usage.cachedInputTokens * (pricing.cachedInput ?? pricing.input) +
    usage.cacheWriteTokens * (pricing.cacheWrite ?? pricing.input) +
    usage.outputTokens * pricing.output;
  // Rounded to a nano-dollar so sums of many records do not drift with float noise.
  return Math.round(micro * 1000) / 1e9;
}
