import type { TokenUsage } from '../../ir/usage.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';

/**
 * Reads OpenAI's `usage` object: Chat Completions' and Embeddings' (`prompt_tokens`,
 * `completion_tokens`) or the Responses API's (`input_tokens`, `output_tokens`). Input
 * already includes cached tokens. DeepSeek names its cache hits `prompt_cache_hit_tokens`.
 */
export function openAIUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const detailsField = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const details = isRecord(detailsField) ? detailsField : {};
  return {
    inputTokens: count(usage.prompt_tokens ?? usage.input_tokens),
    outputTokens: count(usage.completion_tokens ?? usage.output_tokens),
    cachedInputTokens: count(details.cached_tokens) || count(usage.prompt_cache_hit_tokens),
    cacheWriteTokens: 0,
  };
}

export function usageFromOpenAIBody(body: unknown): TokenUsage | undefined {
  return isRecord(body) ? openAIUsage(body.usage) : undefined;
}
