import { removeMember } from '../../json/members.js';
import type { SseEvent } from '../../sse/parser.js';
import { isRecord } from '../shared.js';
import type { StreamObserver, TokenUsage } from '../types.js';
import { openAIUsage } from './response.js';

/**
 * Watches a Chat Completions stream for its usage chunk. When the gateway added
 * `include_usage` itself, the client must see the stream it asked for: the usage-only
 * chunk (`choices: []`) is dropped and the `"usage": null` OpenAI then puts on every
 * other chunk is removed, leaving each chunk's other bytes as they were.
 */
export function createOpenAIStreamObserver(hideUsage: boolean): StreamObserver {
  let usage: TokenUsage | undefined;
  return {
    rewrites: hideUsage,
    usage: () => usage,
    onEvent(event: SseEvent) {
      if (!event.data.includes('"usage"')) return undefined;
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        return undefined;
      }
      if (!isRecord(chunk) || !('usage' in chunk)) return undefined;
      if (chunk.usage !== null) usage = openAIUsage(chunk.usage) ?? usage;
      if (!hideUsage) return undefined;
      const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage !== null;
      if (usageOnly) return null;
      return `data: ${removeMember(event.data, 'usage')}\n\n`;
    },
  };
}
