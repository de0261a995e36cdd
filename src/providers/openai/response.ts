import { count, isRecord } from '../shared.js';
import type { TokenUsage } from '../types.js';

/**
 * Reads OpenAI's `usage` object (CompletionUsage); `prompt_tokens` already includes cached
 * tokens. DeepSeek names its cache hits `prompt_cache_hit_tokens` instead.
 */
export function openAIUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  return {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: count(usage.completion_tokens),
    cachedInputTokens: count(details.cached_tokens) || count(usage.prompt_cache_hit_tokens),
    cacheWriteTokens: 0,
  };
}

export function usageFromOpenAIBody(body: unknown): TokenUsage | undefined {
  return isRecord(body) ? openAIUsage(body.usage) : undefined;
}
