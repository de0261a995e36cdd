/** Token counts normalised across providers: `inputTokens` includes cached and cache-write tokens. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
}

/** Folds a later running total into an earlier one, field by field (streams report usage in pieces). */
export function mergeUsage(earlier: TokenUsage | undefined, later: TokenUsage): TokenUsage {
  if (!earlier) return later;
  return {
    inputTokens: Math.max(earlier.inputTokens, later.inputTokens),
    outputTokens: Math.max(earlier.outputTokens, later.outputTokens),
    cachedInputTokens: Math.max(earlier.cachedInputTokens, later.cachedInputTokens),
    cacheWriteTokens: Math.max(earlier.cacheWriteTokens, later.cacheWriteTokens),
  };
}
