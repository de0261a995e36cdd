import type { TokenUsage } from '../../ir/usage.js';
import { removeMember } from '../../json/members.js';
import { isRecord } from '../../json/record.js';
import type { SseEvent } from '../../sse/parser.js';
import type { StreamObserver } from '../types.js';
import { openAIUsage } from './response.js';

/**
 * The members a chunk is searched for. One regular expression, not an includes/indexOf per name:
 * on Node 20 each plain-string search of a 300-character chunk took about 180 ns, where this
 * finds both names in one pass in about 90 ns, and it runs on every chunk of every stream.
 */
const ERROR_OR_USAGE = /"(?:error|usage)"/g;

/**
 * Watches a Chat Completions stream for its usage chunk. When the gateway added
 * `include_usage` itself, the client must see the stream it asked for: the usage-only
 * chunk (`choices: []`) is dropped and the `"usage": null` OpenAI then puts on every
 * other chunk is removed, leaving each chunk's other bytes as they were.
 */
export function createOpenAIStreamObserver(hideUsage: boolean): StreamObserver {
  let usage: TokenUsage | undefined;
  let done = false;
  let errored = false;
  return {
    rewrites: hideUsage,
    usage: () => usage,
    // A whole stream ends with `data: [DONE]`; a chunk holding an `error` object is the provider's failure.
    failure: () => (errored ? 'stream_error' : done ? undefined : 'truncated_stream'),
    complete: () => done,
    onEvent(event: SseEvent) {
      const data = event.data;
      if (data.length < 16 && data.trim() === '[DONE]') {
        done = true;
        return undefined;
      }
      // One pass finds every `"error"` and `"usage"` in the chunk.
      let error = false;
      let usages = 0;
      let at = -1;
      ERROR_OR_USAGE.lastIndex = 0;
      for (let found = ERROR_OR_USAGE.exec(data); found !== null; found = ERROR_OR_USAGE.exec(data)) {
        if (data.charCodeAt(found.index + 1) === 0x65 /* e */) error = true;
        else if (usages++ === 0) at = found.index;
      }
      if (error && isErrorChunk(data)) errored = true;
      // Most chunks carry `"usage":null` (or nothing): settle those without parsing JSON.
      if (usages === 0) return undefined;
      const onlyNullUsage = usages === 1 && /^"usage"\s*:\s*null/.test(data.slice(at, at + 24));
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

function isErrorChunk(data: string): boolean {
  try {
    const chunk: unknown = JSON.parse(data);
    return isRecord(chunk) && chunk.error !== undefined && chunk.error !== null;
  } catch {
    return false;
  }
}

/** The Responses API events that carry the final Response, and with it the usage. */
const FINAL_RESPONSE_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Watches a Responses API stream, forwarded as is, for its usage: only the final event
 * (`response.completed`, or `incomplete`/`failed`) holds it, in `response.usage`. Other
 * events are not parsed. OpenAI names each event in its `event:` line as well as in `type`.
 */
export function createResponsesStreamObserver(): StreamObserver {
  let usage: TokenUsage | undefined;
  let last: string | undefined;
  return {
    rewrites: false,
    usage: () => usage,
    // Whole: it ends with response.completed or response.incomplete; response.failed or an error event is a failure.
    failure: () =>
      last === 'response.completed' || last === 'response.incomplete' ? undefined : last === 'response.failed' || last === 'error' ? 'stream_error' : 'truncated_stream',
    complete: () => last !== undefined && FINAL_RESPONSE_EVENTS.has(last),
    onEvent(event: SseEvent) {
      if (event.event !== undefined) last = event.event;
      if (event.event !== undefined && !FINAL_RESPONSE_EVENTS.has(event.event)) return undefined;
      try {
        const payload: unknown = JSON.parse(event.data);
        if (isRecord(payload) && FINAL_RESPONSE_EVENTS.has(String(payload.type)) && isRecord(payload.response)) {
          usage = openAIUsage(payload.response.usage) ?? usage;
        }
      } catch {
        // Not JSON: the client's to see; it carries no usage for us.
      }
      return undefined;
    },
  };
}
