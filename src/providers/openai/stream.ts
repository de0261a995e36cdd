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
      const data = event.data;
      // Most chunks carry `"usage":null` (or nothing): settle those without parsing JSON.
      const at = data.indexOf('"usage"');
      if (at === -1) return undefined;
      const onlyNullUsage = /^"usage"\s*:\s*null/.test(data.slice(at, at + 24)) && data.indexOf('"usage"', at + 7) === -1;
      if (onlyNullUsage) {
        return hideUsage ? `data: ${removeMember(data, 'usage')}\n\n` : undefined;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return undefined;
      }
      if (!isRecord(chunk)) return undefined;
      if (!isRecord(chunk.usage)) {
        // Groq, which takes no `stream_options`, puts the last chunk's usage under `x_groq`.
        if (isRecord(chunk.x_groq)) usage = openAIUsage(chunk.x_groq.usage) ?? usage;
        return undefined;
      }
      usage = openAIUsage(chunk.usage) ?? usage;
      if (!hideUsage) return undefined;
      const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0;
      return usageOnly ? null : `data: ${removeMember(data, 'usage')}\n\n`;
    },
  };
}
