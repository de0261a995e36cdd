import { count, isRecord } from '../shared.js';
import type { TokenUsage } from '../types.js';

/**
 * Reads Anthropic's `usage`. Its `input_tokens` excludes cache reads and writes, so they
 * are added back: `inputTokens` means every prompt token, in every provider.
 */
export function anthropicUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  return {
    inputTokens: count(usage.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}

export function usageFromAnthropicBody(body: unknown): TokenUsage | undefined {
  return isRecord(body) ? anthropicUsage(body.usage) : undefined;
}
