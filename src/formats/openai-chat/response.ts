import type { ChatResponse, RedactedThinkingPart, StopReason, ThinkingPart } from '../../ir/chat.js';
import type { TokenUsage } from '../../ir/usage.js';

/** A finish reason of Chat Completions (ChatCompletion.Choice['finish_reason'], without the legacy `function_call`). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function finishReason(stopReason: StopReason): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
    case 'content_filter':
      return 'content_filter';
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
  }
}

/**
 * CompletionUsage. `prompt_tokens` includes cached tokens, as the IR's `inputTokens` does.
 * The IR does not count reasoning tokens apart (Anthropic and Gemini bill them as output),
 * so `reasoning_tokens` is 0 and the thinking is inside `completion_tokens`.
 */
export function completionUsage(usage: TokenUsage): Record<string, unknown> {
  const promptDetails: Record<string, number> = { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 };
  if (usage.cacheWriteTokens > 0) promptDetails.cache_write_tokens = usage.cacheWriteTokens;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * One entry of OpenRouter's `reasoning_details`, the Chat Completions convention that carries
 * thinking signatures and redacted thinking so a client can hand them back next turn (read
 * again by content.ts). `index` numbers the entries of one answer; streamed pieces of the
 * same entry share it, which is how clients reassemble them.
 */
export function reasoningDetail(part: ThinkingPart | RedactedThinkingPart, index: number): Record<string, unknown> {
  if (part.type === 'redacted_thinking') return { type: 'reasoning.encrypted', data: part.data, format: 'unknown', index };
  return {
    type: 'reasoning.text',
    text: part.text,
    ...(part.signature === undefined ? {} : { signature: part.signature }),
    format: 'unknown',
    index,
  };
}

/** The IR answer as a ChatCompletion. The provider's id is kept, whatever its prefix, so logs on both sides match. */
export function encodeChatCompletion(response: ChatResponse): Record<string, unknown> {
  let text: string | undefined;
  const toolCalls: Array<Record<string, unknown>> = [];
  const thinking: Array<ThinkingPart | RedactedThinkingPart> = [];
  for (const part of response.content) {
    if (part.type === 'text') text = (text ?? '') + part.text;
    else if (part.type === 'tool_call') {
      // A call without arguments is `{}` at OpenAI; clients JSON.parse it.
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments || '{}' } });
    } else thinking.push(part);
  }

  const message: Record<string, unknown> = {
    role: 'assistant',
    // OpenAI sends null beside tool calls, and an empty string for an empty answer.
    content: text ?? (toolCalls.length > 0 ? null : ''),
    refusal: null,
  };
  if (thinking.length > 0) {
    // DeepSeek's and vLLM's field, which most Chat Completions clients read for reasoning text.
    message.reasoning_content = thinking.map((part) => (part.type === 'thinking' ? part.text : '')).join('');
    message.reasoning_details = thinking.map(reasoningDetail);
  }
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  message.annotations = [];

  const completion: Record<string, unknown> = {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(response.stopReason) }],
  };
  if (response.usage) completion.usage = completionUsage(response.usage);
  return completion;
}
